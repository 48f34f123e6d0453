package ledger_test

import (
	"errors"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/billing/payments"
	"github.com/ezscale/ezscale/internal/testutil"
)

// issued issues a 10.00 USD invoice with credit (from a staff grant) and
// a payment applied to it.
func issued(t *testing.T, app core.App, customer *core.Record, credit, paid int64, units ...int64) *ledger.Invoice {
	t.Helper()
	if credit > 0 {
		if _, err := ledger.AddCredit(ctx, app, ledger.CreditEntry{CustomerID: customer.Id, Currency: "USD", Amount: credit, Reason: ledger.CreditManual, Description: "Goodwill"}); err != nil {
			t.Fatal(err)
		}
	}
	inv := draft(t, app, customer, units...)
	if err := ledger.Finalize(ctx, app, inv, issueDay); err != nil {
		t.Fatal(err)
	}
	if paid > 0 {
		err := app.RunInTransaction(func(tx core.App) error {
			_, _, err := payments.ApplyCharge(ctx, tx, payments.Charge{InvoiceID: inv.Id, Gateway: payments.GatewayManual, Amount: money.MustNew(paid, "USD")})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return reload(t, app, inv)
}

func balance(t *testing.T, app core.App, customer *core.Record) int64 {
	t.Helper()
	b, err := ledger.Balance(app, customer.Id, "USD")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Voiding gives back what was applied to the invoice, credit and partial
// payments alike, as credit; the invoice keeps its figures as history.
func TestVoidReturnsWhatWasApplied(t *testing.T) {
	cases := []struct {
		name         string
		credit, paid int64
		writtenOff   bool // uncollectible before the void
		wantEntries  int
		wantReturned int64
	}{
		{"nothing applied", 0, 0, false, 0, 0},
		{"credit applied", 300, 0, false, 1, 300},
		{"partly paid", 0, 400, false, 1, 400},
		{"credit and payment", 300, 400, false, 2, 700},
		{"written off, partly paid", 0, 400, true, 1, 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			app := testutil.NewApp(t)
			c := testutil.Customer(t, app, "a@example.com", "USD")
			inv := issued(t, app, c, tc.credit, tc.paid, 1000)
			if inv.Status() != ledger.StatusOpen || inv.GetInt64("credit_applied") != tc.credit || inv.GetInt64("amount_paid") != tc.paid {
				t.Fatalf("before the void: %s, credit %d, paid %d", inv.Status(), inv.GetInt64("credit_applied"), inv.GetInt64("amount_paid"))
			}
			if tc.writtenOff {
				inv.Set("status", ledger.StatusUncollectible)
				if err := app.Save(inv); err != nil {
					t.Fatal(err)
				}
			}
			if err := ledger.Void(ctx, app, inv, "test"); err != nil {
				t.Fatal(err)
			}
			if got := balance(t, app, c); got != tc.wantReturned {
				t.Errorf("balance after the void %d, want %d", got, tc.wantReturned)
			}
			entries, _ := app.FindRecordsByFilter("credit_entries", "reason = 'void' && invoice = {:inv}", "", 0, 0, map[string]any{"inv": inv.Id})
			if len(entries) != tc.wantEntries {
				t.Errorf("%d void entries, want %d", len(entries), tc.wantEntries)
			}
			inv = reload(t, app, inv)
			if inv.Status() != ledger.StatusVoid || inv.AmountDue() != 0 || inv.GetInt64("credit_applied") != tc.credit || inv.GetInt64("amount_paid") != tc.paid {
				t.Errorf("void invoice: %s due %d credit %d paid %d", inv.Status(), inv.AmountDue(), inv.GetInt64("credit_applied"), inv.GetInt64("amount_paid"))
			}
			// Saving the void invoice again returns nothing twice.
			inv.Set("notes", "seen")
			if err := app.Save(inv); err != nil {
				t.Fatal(err)
			}
			if got := balance(t, app, c); got != tc.wantReturned {
				t.Errorf("balance after a second save %d, want %d", got, tc.wantReturned)
			}
		})
	}
}

// Withdrawing lines from an open invoice recomputes it and gives back what
// it then holds beyond its total; a settled invoice refuses.
func TestWithdrawLines(t *testing.T) {
	app := testutil.NewApp(t)
	c := testutil.Customer(t, app, "a@example.com", "USD")
	inv := issued(t, app, c, 1200, 0, 1000, 500)
	items, _ := ledger.Items(app, inv.Id)
	if err := ledger.WithdrawLines(ctx, app, inv, []string{items[0].Id}, "cancelled"); err != nil {
		t.Fatal(err)
	}
	inv = reload(t, app, inv)
	if inv.Total() != 500 || inv.GetInt64("credit_applied") != 500 || inv.Status() != ledger.StatusPaid {
		t.Errorf("after withdrawing 10.00: total %d, credit applied %d, %s; want 500, 500, paid", inv.Total(), inv.GetInt64("credit_applied"), inv.Status())
	}
	if got := balance(t, app, c); got != 700 {
		t.Errorf("balance %d, want the 7.00 no longer used", got)
	}

	// The invoice is paid now: its lines no longer change.
	left, _ := ledger.Items(app, inv.Id)
	if err := ledger.WithdrawLines(ctx, app, inv, []string{left[0].Id}, "again"); !errors.Is(err, ledger.ErrNotEditable) {
		t.Errorf("withdrawing from a paid invoice: %v", err)
	}
	if again := reload(t, app, inv); again.Total() != 500 || balance(t, app, c) != 700 {
		t.Errorf("a refused withdrawal changed the books: total %d balance %d", again.Total(), balance(t, app, c))
	}
}
