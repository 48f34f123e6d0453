package hooks_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/internal/testutil"
)

// TestStaffCreditEntries: staff add and take credit with manual entries
// only, never below zero even when two debits race, and nobody edits or
// deletes an entry.
func TestStaffCreditEntries(t *testing.T) {
	app := testutil.NewApp(t)
	api := testutil.NewAPI(t, app)
	staff := testutil.Token(t, testutil.Superuser(t, app, "staff@example.com"))
	customer := testutil.Customer(t, app, "credit@example.com", "USD")
	const path = "/api/collections/credit_entries/records"
	entry := func(amount int64, reason, description string) map[string]any {
		return map[string]any{"customer": customer.Id, "currency": "USD", "amount": amount, "reason": reason, "description": description}
	}
	if r := api.Do(http.MethodPost, path, staff, entry(3000, "manual", "goodwill")); r.Status != http.StatusOK {
		t.Fatalf("manual credit: %d %s", r.Status, r.Body)
	}
	refused := []struct {
		name string
		body map[string]any
	}{
		{"a reason billing writes", entry(1000, "downgrade", "fake downgrade")},
		{"applied to nothing", entry(-1000, "applied", "fake use")},
		{"no description", entry(1000, "manual", " ")},
		{"zero", entry(0, "manual", "nothing")},
		{"more than the balance", entry(-3001, "manual", "take back")},
		{"naming an invoice", func() map[string]any { b := entry(100, "manual", "x"); b["invoice"] = "abc123def456ghi"; return b }()},
	}
	for _, tt := range refused {
		if r := api.Do(http.MethodPost, path, staff, tt.body); r.Status != http.StatusBadRequest {
			t.Errorf("%s: %d %s, want 400", tt.name, r.Status, r.Body)
		}
	}

	// Two debits of 20.00 against 30.00 at once: one goes through.
	var wg sync.WaitGroup
	codes := make([]int, 2)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = api.Do(http.MethodPost, path, staff, entry(-2000, "manual", "correction")).Status
		}()
	}
	wg.Wait()
	if balance, _ := ledger.Balance(app, customer.Id, "USD"); balance != 1000 {
		t.Errorf("balance %d after two racing debits (answers %v), want 1000", balance, codes)
	}

	rec, err := app.FindFirstRecordByFilter("credit_entries", "customer = {:c}", map[string]any{"c": customer.Id})
	if err != nil {
		t.Fatal(err)
	}
	if r := api.Do(http.MethodPatch, path+"/"+rec.Id, staff, map[string]any{"amount": 900000}); r.Status != http.StatusForbidden {
		t.Errorf("edit: %d %s, want 403", r.Status, r.Body)
	}
	if r := api.Do(http.MethodDelete, path+"/"+rec.Id, staff, nil); r.Status != http.StatusForbidden {
		t.Errorf("delete: %d %s, want 403", r.Status, r.Body)
	}
	if balance, _ := ledger.Balance(app, customer.Id, "USD"); balance != 1000 {
		t.Errorf("balance %d after refused edits, want 1000", balance)
	}
}
