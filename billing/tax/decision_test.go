package tax

import "testing"

func TestDecide(t *testing.T) {
	de := Rate{ID: "de", Name: "MwSt 19%", Country: "DE", Rate: 19000}
	fr := Rate{ID: "fr", Name: "TVA 20%", Country: "FR", Rate: 20000}
	gr := Rate{ID: "gr", Name: "ΦΠΑ 24%", Country: "GR", Rate: 24000}
	ny := Rate{ID: "ny", Name: "NY sales tax", Country: "US", Region: "NY", Rate: 8875}
	us := Rate{ID: "us", Name: "US default", Country: "US", Rate: 5000}
	rates := []Rate{de, fr, gr, ny}

	seller := Party{Country: "DE", Region: "BE", VATID: "DE123456789"}
	tests := []struct {
		name            string
		seller, buyer   Party
		rates           []Rate
		euReverseCharge bool
		want            Decision
	}{
		{
			name:   "consumer in seller's country",
			seller: seller, buyer: Party{Country: "DE"},
			want: Decision{Rate: de, Charge: true, Reason: ReasonDomestic},
		},
		{
			name:   "consumer in another EU country pays its rate",
			seller: seller, buyer: Party{Country: "FR"}, euReverseCharge: true,
			want: Decision{Rate: fr, Charge: true, Reason: ReasonDestination},
		},
		{
			name:   "business in another EU country with valid VAT id",
			seller: seller, buyer: Party{Country: "FR", VATID: "FRXX999999999"}, euReverseCharge: true,
			want: Decision{ReverseCharge: true, Reason: ReasonReverseCharge},
		},
		{
			name:   "Greek business with EL VAT id",
			seller: seller, buyer: Party{Country: "GR", VATID: "EL 123 456 789"}, euReverseCharge: true,
			want: Decision{ReverseCharge: true, Reason: ReasonReverseCharge},
		},
		{
			name:   "reverse charge needs no configured rate",
			seller: seller, buyer: Party{Country: "IT", VATID: "IT12345678901"}, euReverseCharge: true,
			want: Decision{ReverseCharge: true, Reason: ReasonReverseCharge},
		},
		{
			name:   "business in another EU country with malformed VAT id",
			seller: seller, buyer: Party{Country: "FR", VATID: "FR123"}, euReverseCharge: true,
			want: Decision{Rate: fr, Charge: true, Reason: ReasonDestination},
		},
		{
			name:   "VAT id of another country than the buyer's",
			seller: seller, buyer: Party{Country: "FR", VATID: "ATU12345678"}, euReverseCharge: true,
			want: Decision{Rate: fr, Charge: true, Reason: ReasonDestination},
		},
		{
			name:   "business in seller's country still pays",
			seller: seller, buyer: Party{Country: "DE", VATID: "DE987654321"}, euReverseCharge: true,
			want: Decision{Rate: de, Charge: true, Reason: ReasonDomestic},
		},
		{
			name:   "exempt buyer",
			seller: seller, buyer: Party{Country: "DE", Exempt: true}, euReverseCharge: true,
			want: Decision{Reason: ReasonExempt},
		},
		{
			name:   "exempt wins over reverse charge",
			seller: seller, buyer: Party{Country: "FR", VATID: "FRXX999999999", Exempt: true}, euReverseCharge: true,
			want: Decision{Reason: ReasonExempt},
		},
		{
			name:   "reverse charge setting off",
			seller: seller, buyer: Party{Country: "FR", VATID: "FRXX999999999"},
			want: Decision{Rate: fr, Charge: true, Reason: ReasonDestination},
		},
		{
			name:   "EU consumer without a configured rate",
			seller: seller, buyer: Party{Country: "IT"}, euReverseCharge: true,
			want: Decision{Reason: ReasonNoRate},
		},
		{
			name:   "US buyer in a state with a rate",
			seller: seller, buyer: Party{Country: "US", Region: "NY"}, euReverseCharge: true,
			want: Decision{Rate: ny, Charge: true, Reason: ReasonDestination},
		},
		{
			name:   "US state rate wins over a country-wide one",
			seller: seller, buyer: Party{Country: "US", Region: "NY"}, rates: []Rate{us, ny},
			want: Decision{Rate: ny, Charge: true, Reason: ReasonDestination},
		},
		{
			name:   "US state without a rate",
			seller: seller, buyer: Party{Country: "US", Region: "OR"}, euReverseCharge: true,
			want: Decision{Reason: ReasonNoRate},
		},
		{
			name:   "US seller, buyer in another state",
			seller: Party{Country: "US", Region: "TX"}, buyer: Party{Country: "US", Region: "NY"},
			want: Decision{Rate: ny, Charge: true, Reason: ReasonDomestic},
		},
		{
			name:   "seller outside the EU has no EU reverse charge",
			seller: Party{Country: "GB", VATID: "GB123456789"}, buyer: Party{Country: "FR", VATID: "FRXX999999999"}, euReverseCharge: true,
			want: Decision{Rate: fr, Charge: true, Reason: ReasonDestination},
		},
		{
			name:   "EU seller, buyer outside the EU with an EU-looking VAT id",
			seller: seller, buyer: Party{Country: "CH", VATID: "FRXX999999999"}, euReverseCharge: true,
			want: Decision{Reason: ReasonNoRate},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := tt.rates
			if rs == nil {
				rs = rates
			}
			if got := Decide(tt.seller, tt.buyer, rs, tt.euReverseCharge); got != tt.want {
				t.Errorf("Decide(%+v, %+v, reverse charge %v) = %+v, want %+v", tt.seller, tt.buyer, tt.euReverseCharge, got, tt.want)
			}
		})
	}
}
