// Package chaos is a randomized adversarial simulation of the whole
// platform: many customers and staff act at once through the real routes
// (orders with coupons, pay now, PayPal captured against the wrong
// invoice, parallel plan changes and cancellations, voids, refunds,
// credit) while a fake Stripe declines, asks for 3-D Secure, stays pending
// and loses answers after charging, webhooks arrive duplicated, late and
// out of order, the platform fails and loses answers, and a fake clock
// drives renewals, dunning, suspensions and terminations. After every step
// the ledger check and the simulation's own oracle of money must hold. A
// seed gives the same steps; a failure is shrunk to the shortest step list
// that still shows it.
package chaos

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// Options of a simulation.
type Options struct {
	Seeds     int    // how many seeds
	FirstSeed uint64 // the first; the others follow it
	Steps     int    // steps per seed
	Customers int    // customers per world
	// ShrinkRuns bounds the replays spent shrinking one failure (0: no
	// shrinking).
	ShrinkRuns int
	Progress   io.Writer // progress lines; nil for none
}

// Failure is a seed whose run broke a rule, with the shortest step list
// found that still breaks it.
type Failure struct {
	Seed       uint64
	Rule       string
	Violations []Violation // of the shortest list's run
	Steps      []Step      // the shortest list
	AtStep     int         // the step after which it broke (len(Steps) = after the final delivery)
	Original   int         // steps in the seed's list
}

// Result of a simulation.
type Result struct {
	Seeds, Steps int
	Elapsed      time.Duration
	Failures     []Failure
}

// Run simulates opts.Seeds seeds and reports every broken rule: for each
// seed, the first rule broken, shrunk.
func Run(opts Options) (*Result, error) {
	if opts.Customers <= 0 {
		opts.Customers = 4
	}
	res := &Result{}
	start := time.Now()
	for i := 0; i < opts.Seeds; i++ {
		seed := opts.FirstSeed + uint64(i)
		steps := Generate(seed, opts.Customers, opts.Steps)
		out, err := simulate(seed, opts.Customers, steps)
		if err != nil {
			return res, fmt.Errorf("seed %d: %w", seed, err)
		}
		res.Seeds++
		res.Steps += out.ran
		if len(out.violations) > 0 {
			f := Failure{Seed: seed, Rule: out.violations[0].Rule, Violations: out.violations, Steps: steps[:min(out.at+1, len(steps))],
				AtStep: out.at, Original: len(steps)}
			if opts.ShrinkRuns > 0 {
				if err := shrink(&f, opts.Customers, opts.ShrinkRuns); err != nil {
					return res, fmt.Errorf("seed %d: shrink: %w", seed, err)
				}
			}
			res.Failures = append(res.Failures, f)
		}
		if opts.Progress != nil {
			el := time.Since(start)
			fmt.Fprintf(opts.Progress, "seed %d/%d (%d)  %d steps  %.1f steps/s  violations so far %d\n", i+1, opts.Seeds, seed,
				res.Steps, float64(res.Steps)/el.Seconds(), len(res.Failures))
		}
	}
	res.Elapsed = time.Since(start)
	return res, nil
}

// outcome of one run of a step list.
type outcome struct {
	violations []Violation
	at         int // the step after which they showed; len(steps) for the final check
	ran        int
}

// simulate runs steps on a fresh world, checking after each, and, when all
// hold, delivers every webhook still owed and checks once more.
func simulate(seed uint64, customers int, steps []Step) (outcome, error) {
	w, err := newWorld(seed, customers)
	if err != nil {
		return outcome{}, err
	}
	defer w.close()
	for i, st := range steps {
		if err := w.runStep(st); err != nil {
			return outcome{}, fmt.Errorf("step %d (%s): %w", i+1, st, err)
		}
		v, err := w.check(false)
		if err != nil {
			return outcome{}, err
		}
		if len(v) > 0 {
			return outcome{violations: v, at: i, ran: i + 1}, nil
		}
	}
	w.drain()
	v, err := w.check(true)
	if err != nil {
		return outcome{}, err
	}
	return outcome{violations: v, at: len(steps), ran: len(steps)}, nil
}

// Report writes a failure the way a person reproduces it: the seed, the
// rule, what broke, and the numbered steps.
func (f Failure) Report(w io.Writer) {
	fmt.Fprintf(w, "seed %d broke %q (shrunk from %d steps to %d):\n", f.Seed, f.Rule, f.Original, len(f.Steps))
	rules := map[string]bool{}
	for _, v := range f.Violations {
		if v.Rule != f.Rule && rules[v.Rule] {
			continue
		}
		rules[v.Rule] = true
		fmt.Fprintf(w, "  %s: %s %s: %s\n", v.Rule, v.Collection, v.RecordID, v.Message)
	}
	for i, st := range f.Steps {
		fmt.Fprintf(w, "  %2d. %s\n", i+1, st)
	}
	if f.AtStep >= len(f.Steps) {
		fmt.Fprintf(w, "  then every webhook still owed is delivered\n")
	}
}

// Summary writes the run's totals and each broken rule once, with the
// seeds that broke it.
func (r *Result) Summary(w io.Writer) {
	fmt.Fprintf(w, "\n%d seeds, %d steps in %s (%.1f steps/s); %d seeds broke a rule\n", r.Seeds, r.Steps,
		r.Elapsed.Round(time.Millisecond), float64(r.Steps)/r.Elapsed.Seconds(), len(r.Failures))
	seeds := map[string][]string{}
	for _, f := range r.Failures {
		seeds[f.Rule] = append(seeds[f.Rule], fmt.Sprint(f.Seed))
	}
	rules := make([]string, 0, len(seeds))
	for rule := range seeds {
		rules = append(rules, rule)
	}
	sort.Strings(rules)
	for _, rule := range rules {
		fmt.Fprintf(w, "  %-45s seeds %s\n", rule, strings.Join(seeds[rule], ", "))
	}
}
