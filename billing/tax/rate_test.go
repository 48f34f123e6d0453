package tax

import "testing"

func TestSelect(t *testing.T) {
	rates := []Rate{
		{ID: "de", Name: "MwSt 19%", Country: "DE", Rate: 19000},
		{ID: "ny", Name: "NY sales tax", Country: "US", Region: "NY", Rate: 8875},
		{ID: "tx", Name: "TX sales tax", Country: "US", Region: "TX", Rate: 6250},
		{ID: "on", Name: "HST", Country: "CA", Region: "ON", Rate: 13000},
		{ID: "ca", Name: "GST", Country: "CA", Rate: 5000},
		{ID: "de2", Name: "MwSt duplicate", Country: "DE", Rate: 7000},
	}
	tests := []struct {
		name            string
		country, region string
		wantID          string // "" means no rate
	}{
		{"country-wide", "DE", "", "de"},
		{"region without own rate falls back to country", "DE", "Bayern", "de"},
		{"first country-wide rate wins", "DE", "", "de"},
		{"region rate", "US", "NY", "ny"},
		{"region rate wins over country listed after it", "CA", "ON", "on"},
		{"other region gets country rate", "CA", "QC", "ca"},
		{"no region gets country rate", "CA", "", "ca"},
		{"region ignores case", "US", "ny", "ny"},
		{"region ignores surrounding spaces", "US", " TX ", "tx"},
		{"state without rate", "US", "OR", ""},
		{"country with only region rates", "US", "", ""},
		{"unknown country", "FR", "", ""},
		{"region of another country", "DE", "NY", "de"},
		{"empty country", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Select(rates, tt.country, tt.region)
			if ok != (tt.wantID != "") || got.ID != tt.wantID {
				t.Errorf("Select(%q, %q) = %+v, %v; want ID %q", tt.country, tt.region, got, ok, tt.wantID)
			}
		})
	}
}

func TestSelectEmpty(t *testing.T) {
	if got, ok := Select(nil, "DE", ""); ok || got != (Rate{}) {
		t.Errorf("Select(nil) = %+v, %v; want zero Rate, false", got, ok)
	}
}
