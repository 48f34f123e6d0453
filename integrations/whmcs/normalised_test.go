package whmcs

import "testing"

// A customer imported before addresses were lower-cased, then lower-cased
// by migration 1764000023, is still the import's: WHMCS's later changes
// apply. A real change on the platform still wins.
func TestNormalisedAddressStaysTheImports(t *testing.T) {
	for _, c := range []struct {
		name       string
		stored     map[string]string // what the record holds now
		wantUpdate bool
	}{
		{"only lower-cased", map[string]string{"email": "jane@example.com", "name": "Jane"}, true},
		{"also edited on EZSCALE", map[string]string{"email": "jane@example.com", "name": "Jane (VIP)"}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			tb := &table{name: "customers", cols: []string{"email", "name"}, byWHMCS: map[string]*stored{}, staged: map[string]*stored{},
				count: &Count{Entity: "customers"}, report: &Report{}, write: func([]pendingRow) error { return nil }}
			written := map[string]string{"email": "Jane@Example.com", "name": "Jane"}
			tb.byWHMCS["7"] = &stored{id: "rec7", values: c.stored, hash: tb.hash(written)}

			tb.normalised("7", "email", "Jane@Example.com")
			tb.put("7", map[string]any{"email": "jane@example.com", "name": "Jane Doe"}) // renamed in WHMCS
			if updated := tb.count.Updated == 1; updated != c.wantUpdate {
				t.Errorf("updated %v, want %v (count %+v, notes %v)", updated, c.wantUpdate, tb.count, tb.report.Notes)
			}
		})
	}
}
