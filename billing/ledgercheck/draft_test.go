package ledgercheck_test

import (
	"testing"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/ledgercheck"
	"github.com/ezscale/ezscale/internal/settings"
	"github.com/ezscale/ezscale/internal/testutil"
)

// TestDraftCarriesWhatItWillAskFor: a draft staff are still writing keeps
// its totals current, amount_due included (what issuing will ask for);
// the check holds it to that, not to zero.
func TestDraftCarriesWhatItWillAskFor(t *testing.T) {
	app := testutil.NewApp(t)
	customer := testutil.Customer(t, app, "draft@example.com", "USD")
	s, err := settings.Load(app)
	if err != nil {
		t.Fatal(err)
	}
	inv, err := ledger.NewDraft(ctx, app, s, ledger.Treatment{Name: "Tax"}, customer, ledger.PurposeManual)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ledger.AddLine(ctx, app, inv, ledger.Line{Kind: ledger.KindAdjustment, Description: "Setup work", Quantity: 1, UnitAmount: 1000}); err != nil {
		t.Fatal(err)
	}
	if err := ledger.Recompute(app, inv); err != nil {
		t.Fatal(err)
	}
	if err := app.Save(inv); err != nil {
		t.Fatal(err)
	}
	if inv.AmountDue() != 1000 {
		t.Fatalf("draft amount_due %d, want 1000", inv.AmountDue())
	}
	check := func() []string {
		report, err := ledgercheck.Run(app)
		if err != nil {
			t.Fatal(err)
		}
		var rules []string
		for _, v := range report.Violations {
			rules = append(rules, v.String())
		}
		return rules
	}
	if v := check(); len(v) > 0 {
		t.Fatalf("a draft with a line breaks the check: %v", v)
	}
	if _, err := app.DB().NewQuery("UPDATE invoices SET amount_due = 0 WHERE id = {:id}").Bind(map[string]any{"id": inv.Id}).Execute(); err != nil {
		t.Fatal(err)
	}
	if v := check(); len(v) != 1 {
		t.Fatalf("a draft whose amount_due disagrees with its total: %v, want one violation", v)
	}
}

// TestZeroedImportEntry: a credit entry the WHMCS import wrote and a later
// import brought to zero (WHMCS used the balance up) is kept, not a fault;
// a native entry of zero still is.
func TestZeroedImportEntry(t *testing.T) {
	app := testutil.NewApp(t)
	customer := testutil.Customer(t, app, "zero@example.com", "USD")
	entry, err := ledger.AddCredit(ctx, app, ledger.CreditEntry{CustomerID: customer.Id, Currency: "USD", Amount: 500,
		Reason: ledger.CreditManual, Description: "carried over"})
	if err != nil {
		t.Fatal(err)
	}
	zero := func(whmcsID string) []ledgercheck.Violation {
		if _, err := app.DB().NewQuery("UPDATE credit_entries SET amount = 0, reason = 'import', whmcs_id = {:w} WHERE id = {:id}").
			Bind(map[string]any{"id": entry.Id, "w": whmcsID}).Execute(); err != nil {
			t.Fatal(err)
		}
		report, err := ledgercheck.Run(app)
		if err != nil {
			t.Fatal(err)
		}
		return report.Violations
	}
	if v := zero("client/7"); len(v) > 0 {
		t.Errorf("an imported entry brought to zero: %v", v)
	}
	if v := zero(""); len(v) != 1 || v[0].Rule != "credit.cause" {
		t.Errorf("a native entry of zero: %v, want one credit.cause violation", v)
	}
}
