package tax

import "testing"

func TestLabel(t *testing.T) {
	mwst := Rate{Name: "MwSt 19%", Rate: 19000}
	btw := Rate{Name: "BTW (21%)", Rate: 21000, Inclusive: true}
	tests := []struct {
		name string
		d    Decision
		want string
	}{
		{"exclusive rate", Decision{Rate: mwst, Charge: true, Reason: ReasonDomestic}, "plus 19% MwSt"},
		{"inclusive rate", Decision{Rate: btw, Charge: true, Reason: ReasonDestination}, "incl. 21% BTW"},
		{"fractional rate, plain name", Decision{Rate: Rate{Name: "Sales tax", Rate: 8875}, Charge: true}, "plus 8.875% Sales tax"},
		{"name that is only a rate", Decision{Rate: Rate{Name: "20 %", Rate: 20000}, Charge: true}, "plus 20% tax"},
		{"reverse charge", Decision{ReverseCharge: true, Reason: ReasonReverseCharge}, "VAT reverse charged"},
		{"exempt buyer", Decision{Reason: ReasonExempt}, "tax exempt"},
		{"no rate for the place", Decision{Reason: ReasonNoRate}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Label(tt.d); got != tt.want {
				t.Errorf("Label(%+v) = %q, want %q", tt.d, got, tt.want)
			}
		})
	}
}

func TestRecurring(t *testing.T) {
	vat := Decision{Rate: Rate{Name: "VAT", Rate: 19000, Inclusive: true}, Charge: true}
	if got, want := Recurring("$5.95", "monthly", vat), "then $5.95 monthly incl. 19% VAT"; got != want {
		t.Errorf("Recurring = %q, want %q", got, want)
	}
	if got, want := Recurring("€9.00", "annually", Decision{ReverseCharge: true}), "then €9.00 annually, VAT reverse charged"; got != want {
		t.Errorf("Recurring reverse charged = %q, want %q", got, want)
	}
	if got, want := Recurring("£10.00", "annually", Decision{Reason: ReasonNoRate}), "then £10.00 annually"; got != want {
		t.Errorf("Recurring without tax = %q, want %q", got, want)
	}
}
