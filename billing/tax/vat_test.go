package tax

import "testing"

func TestValidVATFormat(t *testing.T) {
	tests := []struct {
		id          string
		wantCountry string // "" means invalid
	}{
		{"ATU12345678", "AT"},
		{"ATU1234567", ""},
		{"AT12345678", ""},
		{"BE0123456789", "BE"},
		{"BE1234567890", "BE"},
		{"BE2123456789", ""},
		{"BE012345678", ""},
		{"BG123456789", "BG"},
		{"BG1234567890", "BG"},
		{"BG12345678", ""},
		{"CY12345678L", "CY"},
		{"CY123456789", ""},
		{"CZ12345678", "CZ"},
		{"CZ1234567890", "CZ"},
		{"CZ1234567", ""},
		{"DE123456789", "DE"},
		{"DE12345678", ""},
		{"DE12345678A", ""},
		{"DK12345678", "DK"},
		{"DK123456789", ""},
		{"EE123456789", "EE"},
		{"EE12345678", ""},
		{"EL123456789", "GR"},
		{"EL12345678", ""},
		{"GR123456789", ""}, // Greek VAT ids use EL, not the ISO code.
		{"ESX1234567X", "ES"},
		{"ESA12345678", "ES"},
		{"ES12345678Z", "ES"},
		{"ESX123456X", ""},
		{"ES-X1234567-", ""},
		{"FI12345678", "FI"},
		{"FI1234567", ""},
		{"FRXX999999999", "FR"},
		{"FR12345678901", "FR"},
		{"FRX999999999", ""},
		{"HR12345678901", "HR"},
		{"HR1234567890", ""},
		{"HU12345678", "HU"},
		{"HU123456789", ""},
		{"IE1234567WA", "IE"},
		{"IE1234567T", "IE"},
		{"IE1S23456L", "IE"},
		{"IE1+23456L", "IE"},
		{"IE1234567", ""},
		{"IE1234567TZ", ""},
		{"IE1234567X", ""},
		{"IT12345678901", "IT"},
		{"IT1234567890", ""},
		{"LT123456789", "LT"},
		{"LT123456789012", "LT"},
		{"LT1234567890", ""},
		{"LU12345678", "LU"},
		{"LU123456789", ""},
		{"LV12345678901", "LV"},
		{"LV1234567890", ""},
		{"MT12345678", "MT"},
		{"MT1234567", ""},
		{"NL123456789B01", "NL"},
		{"NL123456789A01", ""},
		{"NL123456789B1", ""},
		{"PL1234567890", "PL"},
		{"PL123456789", ""},
		{"PT123456789", "PT"},
		{"PT12345678", ""},
		{"RO12", "RO"},
		{"RO1234567890", "RO"},
		{"RO1", ""},
		{"RO12345678901", ""},
		{"SE123456789701", "SE"},
		{"SE123456789712", ""},
		{"SE12345678901", ""},
		{"SI12345678", "SI"},
		{"SI123456789", ""},
		{"SK1234567890", "SK"},
		{"SK123456789", ""},

		// Normalisation: spaces, dots, dashes and case.
		{"DE 123 456 789", "DE"},
		{"de123456789", "DE"},
		{"DE 123.456.789", "DE"},
		{"nl 1234.56789-b01", "NL"},
		{" atu 123-456-78 ", "AT"},
		{"EL\t123456789", "GR"},
		{"fr xx 999 999 999", "FR"},

		// Not EU VAT ids at all.
		{"", ""},
		{"D", ""},
		{"DE", ""},
		{"123456789", ""},
		{"GB123456789", ""},
		{"XI123456789", ""},
		{"CHE123456789", ""},
		{"US123456789", ""},
		{"DE123456789\n", "DE"},
		{"DE１２３４５６７８９", ""}, // Full-width digits are not digits here.
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			country, ok := ValidVATFormat(tt.id)
			if ok != (tt.wantCountry != "") || country != tt.wantCountry {
				t.Errorf("ValidVATFormat(%q) = %q, %v; want %q", tt.id, country, ok, tt.wantCountry)
			}
		})
	}
}

// TestVATFormatsCoverEU checks that every member state has a format and
// that nothing else does, so IsEU and ValidVATFormat agree.
func TestVATFormatsCoverEU(t *testing.T) {
	if len(vatFormats) != 27 || len(euMembers) != 27 {
		t.Fatalf("%d VAT formats and %d member states, want 27 each", len(vatFormats), len(euMembers))
	}
	for prefix := range vatFormats {
		country := prefix
		if prefix == "EL" {
			country = "GR"
		}
		if !IsEU(country) {
			t.Errorf("VAT prefix %s maps to %s, which is not a member state", prefix, country)
		}
	}
}

func TestIsEU(t *testing.T) {
	tests := []struct {
		country string
		want    bool
	}{
		{"DE", true}, {"FR", true}, {"GR", true}, {"IE", true}, {"HR", true},
		{"CY", true}, {"MT", true}, {"SE", true},
		{"EL", false}, // The VAT prefix, not the country code.
		{"GB", false}, {"XI", false}, {"CH", false}, {"NO", false},
		{"IS", false}, {"US", false}, {"", false},
		{"de", false}, // Countries are upper case, as the schema enforces.
	}
	for _, tt := range tests {
		if got := IsEU(tt.country); got != tt.want {
			t.Errorf("IsEU(%q) = %v, want %v", tt.country, got, tt.want)
		}
	}
}
