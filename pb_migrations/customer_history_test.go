package migrations_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
)

// staffMaterial is written by staff about customer A while the test runs:
// the notes of a draft invoice, staff notes on the account, an
// impersonation. None of it may reach A.
const draftNote = "draft: waive the setup fee for A?"

func writeStaffMaterial(t *testing.T, f *fixture) (invoiceID, staffID string) {
	t.Helper()
	a := f.id("customers", "A")
	staffTok := f.tokens[superuser]
	staff, err := f.app.FindAuthRecordByToken(staffTok, core.TokenTypeAuth)
	if err != nil {
		t.Fatal(err)
	}
	data := like("A", map[string]any{"status": "draft", "notes": draftNote})(f, "invoices", superuser)
	res := f.api.Do(http.MethodPost, "/api/collections/invoices/records", staffTok, data)
	expectStatus(t, res, http.StatusOK)
	invoiceID, _ = res.Object(t)["id"].(string)
	steps := []struct {
		path string
		body map[string]any
	}{
		{"/api/collections/invoices/records/" + invoiceID, map[string]any{"notes": draftNote + " yes, waived"}},
		{"/api/collections/customers/records/" + a, map[string]any{"notes": "staff: watch this one"}},
		{"/api/collections/invoices/records/" + invoiceID, map[string]any{"status": "open"}},
	}
	for _, s := range steps {
		expectStatus(t, f.api.Do(http.MethodPatch, s.path, staffTok, s.body), http.StatusOK)
	}
	expectStatus(t, f.api.Do(http.MethodPost, "/api/collections/customers/impersonate/"+a, staffTok,
		map[string]any{"duration": 60}), http.StatusOK)
	return invoiceID, staff.Id
}

// TestCustomerHistoryIsCurated: a customer's audit list holds their
// curated history only (summaries, no drafts, no staff notes, no staff
// identity); staff still read the whole trail.
func TestCustomerHistoryIsCurated(t *testing.T) {
	f := newFixture(t)
	a := f.id("customers", "A")
	invoiceID, staffID := writeStaffMaterial(t, f)

	res := f.api.Do(http.MethodGet, "/api/collections/audit_logs/records?perPage=500&sort=created", f.tokens[customerA], nil)
	expectStatus(t, res, http.StatusOK)
	for _, leak := range []string{"waive", "watch this one", staffID, "impersonat", "staff@example.com"} {
		if strings.Contains(string(res.Body), leak) {
			t.Errorf("A's history shows %q: %s", leak, res.Body)
		}
	}
	items := res.Items(t)
	var invoiceSummaries []string
	for _, it := range items {
		for _, field := range []string{"actor_id", "changes", "message", "ip", "user_agent"} {
			if _, ok := it[field]; ok {
				t.Errorf("A reads %s of an entry: %v", field, it)
			}
		}
		if it["customer_visible"] != true || it["summary"] == "" {
			t.Errorf("A lists an entry outside their history: %v", it)
		}
		if it["record_id"] == invoiceID {
			invoiceSummaries = append(invoiceSummaries, it["summary"].(string))
		}
	}
	// The draft's creation and note edits are staff's; its issue is A's
	// (A's credit pays it as it is issued).
	if len(invoiceSummaries) != 1 || !strings.HasPrefix(invoiceSummaries[0], "Invoice INV-") {
		t.Errorf("A's entries about the new invoice: %q, want only its issue", invoiceSummaries)
	}

	draftEntry, err := f.app.FindFirstRecordByFilter("audit_logs", "record_id = {:id} && action = 'create'",
		map[string]any{"id": invoiceID})
	if err != nil {
		t.Fatal(err)
	}
	expectStatus(t, f.api.Do(http.MethodGet, "/api/collections/audit_logs/records/"+draftEntry.Id, f.tokens[customerA], nil), http.StatusNotFound)

	staffList := f.api.Do(http.MethodGet, "/api/collections/audit_logs/records?perPage=500&filter="+
		"customer%3D%22"+a+"%22", f.tokens[superuser], nil)
	expectStatus(t, staffList, http.StatusOK)
	if !strings.Contains(string(staffList.Body), "waive") || !strings.Contains(string(staffList.Body), staffID) ||
		len(staffList.Items(t)) <= len(items) {
		t.Errorf("staff lost part of the trail: %d entries for staff, %d for A", len(staffList.Items(t)), len(items))
	}
}

// TestCustomerHistoryBackfill: entries written before the history existed
// are sorted by the same rule as new ones.
func TestCustomerHistoryBackfill(t *testing.T) {
	f := newFixture(t)
	writeStaffMaterial(t, f)
	list := func() []string {
		res := f.api.Do(http.MethodGet, "/api/collections/audit_logs/records?perPage=500&sort=created,id", f.tokens[customerA], nil)
		expectStatus(t, res, http.StatusOK)
		var out []string
		for _, it := range res.Items(t) {
			out = append(out, it["id"].(string)+" "+it["summary"].(string))
		}
		return out
	}
	written := list()

	i := slices.IndexFunc(core.AppMigrations.Items(), func(m *core.Migration) bool {
		return m.File == "1764000024_customer_history.go"
	})
	if i < 0 {
		t.Fatal("migration 1764000024 is not registered")
	}
	mig := core.AppMigrations.Items()[i]
	if err := mig.Down(f.app); err != nil {
		t.Fatalf("down: %v", err)
	}
	if err := mig.Up(f.app); err != nil {
		t.Fatalf("up: %v", err)
	}
	if backfilled := list(); !slices.Equal(backfilled, written) {
		t.Errorf("backfilled history\n%q\nwant as written\n%q", backfilled, written)
	}
	if len(written) < 3 {
		t.Errorf("A's history has %d entries: the comparison proves little", len(written))
	}
}
