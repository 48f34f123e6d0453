// Package cycle computes billing periods and prorates prices within them.
// Periods are anchored to a subscription's start and clamped to month ends,
// and all arithmetic on money is exact integer minor units.
package cycle

import (
	"errors"
	"fmt"
)

// Cycle is how often a subscription is billed. Its values are the strings
// stored in the database, so they must not change.
type Cycle string

const (
	// Hourly is metered usage. It is billed monthly in arrears, so its
	// periods are the same as Monthly's.
	Hourly     Cycle = "hourly"
	Monthly    Cycle = "monthly"
	Quarterly  Cycle = "quarterly"
	SemiAnnual Cycle = "semiannual"
	Annual     Cycle = "annual"
	Biennial   Cycle = "biennial"
	Triennial  Cycle = "triennial"
)

// ErrUnknownCycle reports a string that names no Cycle.
var ErrUnknownCycle = errors.New("unknown billing cycle")

// months is the length of each cycle; Hourly has no fixed length of its own.
var months = map[Cycle]int{
	Hourly:     0,
	Monthly:    1,
	Quarterly:  3,
	SemiAnnual: 6,
	Annual:     12,
	Biennial:   24,
	Triennial:  36,
}

// Parse returns the Cycle named by s. It is strict, like the stored values it
// reads: "Monthly" or " monthly" is an error rather than a silent guess.
func Parse(s string) (Cycle, error) {
	c := Cycle(s)
	if !c.Valid() {
		return "", fmt.Errorf("%w %q", ErrUnknownCycle, s)
	}
	return c, nil
}

// Months returns the number of months a cycle pays for: 0 for Hourly, whose
// price is per hour of use, and for an invalid cycle.
func (c Cycle) Months() int { return months[c] }

// Valid reports whether c is one of the defined cycles.
func (c Cycle) Valid() bool {
	_, ok := months[c]
	return ok
}
