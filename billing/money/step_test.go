package money

import (
	"slices"
	"testing"
)

func TestCurrencyStep(t *testing.T) {
	tests := []struct {
		code string
		step int64
	}{
		// Stripe's three-decimal currencies: the last digit must be 0.
		{"BHD", 10}, {"JOD", 10}, {"KWD", 10}, {"OMR", 10}, {"TND", 10},
		// Stripe bills MGA in whole ariary; ISO 4217 gives it 2 digits.
		{"MGA", 100},
		// Three-decimal by ISO, but charged in no step coarser than a fils.
		{"IQD", 1}, {"LYD", 1},
		{"USD", 1}, {"JPY", 1}, {"HUF", 1}, {"CLF", 1},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			c, err := LookupCurrency(tt.code)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Step(); got != tt.step {
				t.Errorf("%s step = %d, want %d", tt.code, got, tt.step)
			}
		})
	}
}

// Every step divides one major unit, so that whole units are always payable.
func TestPayableStepsAreInTheTable(t *testing.T) {
	for code, step := range payableSteps {
		c, err := LookupCurrency(code)
		if err != nil {
			t.Errorf("step for %s: %v", code, err)
			continue
		}
		unit := int64(1)
		for range c.Exponent {
			unit *= 10
		}
		if step <= 1 || step > unit || unit%step != 0 {
			t.Errorf("%s step %d does not divide one major unit (%d)", code, step, unit)
		}
	}
}

func TestCurrenciesIsACopyOfTheTable(t *testing.T) {
	got := Currencies()
	if !slices.Equal(got, currencyTable) {
		t.Fatal("Currencies() differs from the table")
	}
	got[0].Exponent = 9
	if currencyTable[0].Exponent == 9 {
		t.Fatal("Currencies() hands out the table itself")
	}
}
