package cycle

import (
	"errors"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in         string
		want       Cycle
		wantMonths int
	}{
		{"hourly", Hourly, 0},
		{"monthly", Monthly, 1},
		{"quarterly", Quarterly, 3},
		{"semiannual", SemiAnnual, 6},
		{"annual", Annual, 12},
		{"biennial", Biennial, 24},
		{"triennial", Triennial, 36},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err != nil || got != tt.want {
				t.Fatalf("Parse(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
			if !got.Valid() {
				t.Errorf("%q.Valid() = false", got)
			}
			if m := got.Months(); m != tt.wantMonths {
				t.Errorf("%q.Months() = %d, want %d", got, m, tt.wantMonths)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, in := range []string{"", "Monthly", " monthly", "monthly ", "semi-annual", "semi_annual", "yearly", "weekly", "12"} {
		t.Run(in, func(t *testing.T) {
			got, err := Parse(in)
			if err == nil {
				t.Fatalf("Parse(%q) = %q, want an error", in, got)
			}
			if !errors.Is(err, ErrUnknownCycle) {
				t.Errorf("Parse(%q) error %v, want ErrUnknownCycle", in, err)
			}
			if !strings.Contains(err.Error(), `"`+in+`"`) {
				t.Errorf("Parse(%q) error %q does not name the value", in, err)
			}
			if got != "" {
				t.Errorf("Parse(%q) = %q alongside its error, want the zero Cycle", in, got)
			}
		})
	}
}

func TestInvalidCycle(t *testing.T) {
	for _, c := range []Cycle{"", "Monthly", "weekly"} {
		if c.Valid() {
			t.Errorf("%q.Valid() = true", c)
		}
		if m := c.Months(); m != 0 {
			t.Errorf("%q.Months() = %d, want 0", c, m)
		}
	}
}
