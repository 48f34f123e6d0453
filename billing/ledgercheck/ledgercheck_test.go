package ledgercheck_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/ledgercheck"
	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/billing/orders"
	"github.com/ezscale/ezscale/billing/payments"
	"github.com/ezscale/ezscale/internal/seed"
	"github.com/ezscale/ezscale/internal/testutil"
)

var ctx = context.Background()

// books is a small ledger built through the real code paths: four orders
// of 17.00 USD (5.00 setup + 12.00 first month) by one customer.
type books struct {
	app      core.App
	customer *core.Record
	// overpaid: paid 20.00, 3.00 of it became credit, and a downgrade
	// returned 5.00 of its period. credited: issued with that 3.00 of
	// credit applied, then 4.00 paid. refunded: paid, then 5.00 refunded.
	// voided: 2.00 paid, then void, the 2.00 kept as credit.
	overpaid, credited, refunded, voided *orders.Result
	charge                               *core.Record // the charge of refunded
	downgrade                            *core.Record // the downgrade credit entry
}

func newBooks(t *testing.T) *books {
	t.Helper()
	app := testutil.NewApp(t)
	plan := testutil.Create(t, app, "plans", map[string]any{"name": "VPS", "slug": "vps", "service_type": "vps", "platform": "virtfusion", "status": "active"})
	price := testutil.Create(t, app, "plan_prices", map[string]any{"plan": plan.Id, "currency": "USD", "cycle": "monthly", "amount": 1200, "setup_fee": 500, "active": true})
	b := &books{app: app, customer: testutil.Customer(t, app, "a@example.com", "USD")}
	order := func() *orders.Result {
		res, err := orders.Place(ctx, app, b.customer, orders.Request{PlanPrice: price.Id}, orders.By{}, time.Now().UTC())
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	b.overpaid = order()
	b.pay(t, b.overpaid, "pi_over", 2000)
	b.credited = order()
	b.pay(t, b.credited, "pi_part", 400)
	b.refunded = order()
	b.charge = b.pay(t, b.refunded, "pi_refunded", 1700)
	if _, err := payments.Refund(ctx, app, nil, payments.RefundRequest{PaymentID: b.charge.Id, Amount: 500, Reason: "asked"}); err != nil {
		t.Fatal(err)
	}
	b.voided = order()
	b.pay(t, b.voided, "pi_void", 200)
	inv, err := ledger.FindInvoice(app, b.voided.Invoice.Id)
	if err != nil {
		t.Fatal(err)
	}
	if err := ledger.Void(ctx, app, inv, "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := ledger.AddCredit(ctx, app, ledger.CreditEntry{CustomerID: b.customer.Id, Currency: "USD", Amount: 700,
		Reason: ledger.CreditManual, Description: "goodwill"}); err != nil {
		t.Fatal(err)
	}
	line, err := app.FindFirstRecordByFilter("invoice_items", "invoice = {:i} && kind = 'period'", dbx.Params{"i": b.overpaid.Invoice.Id})
	if err != nil {
		t.Fatal(err)
	}
	end := line.GetDateTime("period_end").Time()
	b.downgrade, err = ledger.AddCredit(ctx, app, ledger.CreditEntry{CustomerID: b.customer.Id, Currency: "USD", Amount: 500,
		Reason: ledger.CreditDowngrade, Description: "downgrade", Subscription: b.overpaid.Subscription.Id,
		PeriodStart: end.Add(-10 * 24 * time.Hour), PeriodEnd: end})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (b *books) pay(t *testing.T, o *orders.Result, gatewayID string, minor int64) *core.Record {
	t.Helper()
	var p *core.Record
	err := b.app.RunInTransaction(func(tx core.App) error {
		var err error
		p, _, err = payments.ApplyCharge(ctx, tx, payments.Charge{InvoiceID: o.Invoice.Id, Gateway: payments.GatewayStripe,
			GatewayID: gatewayID, Amount: money.Amount{Minor: minor, Currency: "USD"}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestConsistentBooksPass(t *testing.T) {
	b := newBooks(t)
	report, err := ledgercheck.Run(b.app)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range report.Violations {
		t.Errorf("violation on consistent books: %s", v)
	}
	// The books are what the test meant to build, so the rules had something to hold.
	for id, want := range map[string]string{b.overpaid.Invoice.Id: "paid", b.credited.Invoice.Id: "open",
		b.refunded.Invoice.Id: "partially_refunded", b.voided.Invoice.Id: "void"} {
		inv, _ := ledger.FindInvoice(b.app, id)
		if inv.Status() != want {
			t.Errorf("invoice %s is %s, want %s", ledger.Label(inv), inv.Status(), want)
		}
	}
	if report.Checked["invoices"] != 4 || report.Checked["credit_entries"] < 5 || report.Checked["payments"] != 5 {
		t.Errorf("checked %v", report.Checked)
	}
}

var errRollback = errors.New("rollback")

// TestEachRuleNamesTheCorruptedRecord corrupts one record at a time with
// SQL, in a transaction rolled back after the check, and wants exactly the
// rule that guards it to name it.
func TestEachRuleNamesTheCorruptedRecord(t *testing.T) {
	b := newBooks(t)
	const fake = "corruptrecord01"
	tests := []struct {
		rule       string
		sql        []string
		collection string
		record     func() string
		alsoRules  []string // rules the same corruption breaks by necessity
	}{
		{rule: "invoice.amount_paid", collection: "invoices", record: func() string { return b.overpaid.Invoice.Id },
			sql: []string{`INSERT INTO payments (id, customer, invoice, kind, gateway, gateway_id, status, amount, currency)
				VALUES ('` + fake + `', '` + b.customer.Id + `', '` + b.overpaid.Invoice.Id + `', 'charge', 'manual', '', 'succeeded', 100, 'USD')`}},
		{rule: "invoice.credit_applied", collection: "invoices", record: func() string { return b.credited.Invoice.Id },
			sql: []string{`UPDATE credit_entries SET amount = amount + 50 WHERE reason = 'applied' AND invoice = '` + b.credited.Invoice.Id + `'`}},
		{rule: "invoice.amount_refunded", collection: "invoices", record: func() string { return b.refunded.Invoice.Id },
			sql: []string{`UPDATE invoices SET amount_refunded = amount_refunded + 1 WHERE id = '` + b.refunded.Invoice.Id + `'`}},
		{rule: "invoice.amount_due", collection: "invoices", record: func() string { return b.credited.Invoice.Id },
			sql: []string{`UPDATE invoices SET amount_due = amount_due + 1 WHERE id = '` + b.credited.Invoice.Id + `'`}},
		{rule: "invoice.status", collection: "invoices", record: func() string { return b.refunded.Invoice.Id },
			sql: []string{`UPDATE invoices SET status = 'paid' WHERE id = '` + b.refunded.Invoice.Id + `'`}},
		{rule: "invoice.void_returned", collection: "invoices", record: func() string { return b.voided.Invoice.Id },
			sql: []string{`UPDATE credit_entries SET amount = amount - 50 WHERE reason = 'void' AND invoice = '` + b.voided.Invoice.Id + `'`}},
		{rule: "invoice.total", collection: "invoices", record: func() string { return b.overpaid.Invoice.Id },
			sql: []string{`UPDATE invoice_items SET amount = amount + 10 WHERE kind = 'setup' AND invoice = '` + b.overpaid.Invoice.Id + `'`}},
		{rule: "credit.balance", collection: "credit_entries", record: func() string { return fake },
			sql: []string{`INSERT INTO credit_entries (id, customer, currency, amount, reason, description, created)
				VALUES ('` + fake + `', '` + b.customer.Id + `', 'USD', -100000, 'manual', 'taken back', '2999-01-01 00:00:00.000Z')`}},
		{rule: "credit.cause", collection: "credit_entries", record: func() string { return b.downgrade.Id },
			sql: []string{`UPDATE credit_entries SET subscription = '' WHERE id = '` + b.downgrade.Id + `'`}},
		{rule: "period.unique", collection: "invoice_items", record: func() string { return fake },
			sql: []string{"DROP INDEX idx_invoice_items_subscription_period", b.copyLine(t, b.overpaid, fake, b.credited, 0)}},
		{rule: "period.overlap", collection: "invoice_items", record: func() string { return fake },
			sql: []string{b.copyLine(t, b.overpaid, fake, b.credited, 24*time.Hour)}},
		{rule: "period.credit", collection: "subscriptions", record: func() string { return b.overpaid.Subscription.Id },
			sql: []string{`UPDATE credit_entries SET amount = 100000 WHERE id = '` + b.downgrade.Id + `'`}},
		{rule: "period.credit", collection: "credit_entries", record: func() string { return b.downgrade.Id },
			sql: []string{`UPDATE credit_entries SET period_end = '2999-01-01 00:00:00.000Z' WHERE id = '` + b.downgrade.Id + `'`}},
		{rule: "refund.charge", collection: "payments", record: func() string { return b.charge.Id },
			sql: []string{`INSERT INTO payments (id, customer, invoice, kind, gateway, gateway_id, status, amount, currency, refund_of)
				VALUES ('` + fake + `', '` + b.customer.Id + `', '` + b.refunded.Invoice.Id + `', 'refund', 'stripe', '', 'pending', 1300, 'USD', '` + b.charge.Id + `')`}},
		{rule: "refund.invoice", collection: "invoices", record: func() string { return b.refunded.Invoice.Id },
			sql:       []string{`UPDATE invoices SET amount_refunded = 1800 WHERE id = '` + b.refunded.Invoice.Id + `'`},
			alsoRules: []string{"invoice.amount_refunded", "invoice.status"}},
		{rule: "number.gapless", collection: "number_sequences", record: func() string { return b.sequence(t, "invoice") },
			sql: []string{`UPDATE number_sequences SET last = last + 1 WHERE series = 'invoice'`}},
		{rule: "number.gapless", collection: "invoices", record: func() string { return b.credited.Invoice.Id },
			sql: []string{`UPDATE invoices SET number = 'X' || number WHERE id = '` + b.credited.Invoice.Id + `'`},
			// Its own number is now missing from the counter.
			alsoRules: []string{"number.gapless"}},
		{rule: "service.create", collection: "services", record: func() string { return b.overpaid.Service.Id },
			sql: []string{`UPDATE provisioning_jobs SET status = 'cancelled' WHERE action = 'create' AND service = '` + b.overpaid.Service.Id + `'`}},
		{rule: "service.terminate", collection: "services", record: func() string { return b.overpaid.Service.Id },
			sql: []string{`UPDATE subscriptions SET status = 'cancelled', current_period_end = '2001-01-01 00:00:00.000Z' WHERE id = '` + b.overpaid.Subscription.Id + `'`,
				`UPDATE services SET status = 'active' WHERE id = '` + b.overpaid.Service.Id + `'`}},
		{rule: "currency.known", collection: "customers", record: func() string { return b.customer.Id },
			sql: []string{`UPDATE customers SET currency = 'ABC' WHERE id = '` + b.customer.Id + `'`}},
		{rule: "currency.invoice", collection: "credit_notes", record: func() string { return b.creditNote(t) },
			sql: []string{`UPDATE credit_notes SET currency = 'EUR'`}},
	}
	for _, tt := range tests {
		t.Run(tt.rule+"/"+tt.collection, func(t *testing.T) {
			want := tt.record()
			var report *ledgercheck.Report
			err := b.app.RunInTransaction(func(tx core.App) error {
				for _, q := range tt.sql {
					if _, err := tx.DB().NewQuery(q).Execute(); err != nil {
						return fmt.Errorf("%s: %w", q, err)
					}
				}
				var err error
				if report, err = ledgercheck.Run(tx); err != nil {
					return err
				}
				return errRollback
			})
			if !errors.Is(err, errRollback) {
				t.Fatal(err)
			}
			found := false
			for _, v := range report.Violations {
				switch {
				case v.Rule == tt.rule && v.Collection == tt.collection && v.RecordID == want:
					found = true
					if v.Message == "" {
						t.Errorf("no message: %s", v)
					}
				case v.Rule == tt.rule || contains(tt.alsoRules, v.Rule):
				default:
					t.Errorf("another rule broke: %s", v)
				}
			}
			if !found {
				t.Errorf("%s does not name %s/%s; found %v", tt.rule, tt.collection, want, report.Violations)
			}
		})
	}
	// Every corruption was rolled back.
	if report, err := ledgercheck.Run(b.app); err != nil || !report.OK() {
		t.Fatalf("after the rollbacks: %v %v", report.Violations, err)
	}
}

// TestSeededDataPasses holds the seeder to the ledger's rules.
func TestSeededDataPasses(t *testing.T) {
	app := testutil.NewApp(t)
	if _, err := seed.Synthetic(app, seed.SyntheticOptions{Customers: 40, Seed: 7}, io.Discard); err != nil {
		t.Fatal(err)
	}
	report, err := ledgercheck.Run(app)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range report.Violations {
		if i == 20 {
			t.Fatalf("... %d violations in all", len(report.Violations))
		}
		t.Errorf("seeded data: %s", v)
	}
	if report.Checked["invoices"] != 40*24 {
		t.Errorf("checked %v", report.Checked)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// mustLine is the period line of an order's invoice.
func (b *books) mustLine(t *testing.T, o *orders.Result) string {
	t.Helper()
	line, err := b.app.FindFirstRecordByFilter("invoice_items", "invoice = {:i} && kind = 'period'", dbx.Params{"i": o.Invoice.Id})
	if err != nil {
		t.Fatal(err)
	}
	return line.Id
}

// copyLine is SQL adding to invoice to a free 0.00 copy of from's period
// line, shifted by shift, with the id id: it bills that period again.
func (b *books) copyLine(t *testing.T, from *orders.Result, id string, to *orders.Result, shift time.Duration) string {
	t.Helper()
	line, err := b.app.FindRecordById("invoice_items", b.mustLine(t, from))
	if err != nil {
		t.Fatal(err)
	}
	at := func(f string) string {
		return line.GetDateTime(f).Time().Add(shift).UTC().Format("2006-01-02 15:04:05.000Z")
	}
	return fmt.Sprintf(`INSERT INTO invoice_items (id, invoice, customer, subscription, service, kind, description, quantity,
			unit_amount, amount, tax_amount, period_start, period_end, created)
		VALUES ('%s', '%s', '%s', '%s', '%s', 'period', 'again', 1, 0, 0, 0, '%s', '%s', '%s')`,
		id, to.Invoice.Id, b.customer.Id, line.GetString("subscription"), line.GetString("service"), at("period_start"), at("period_end"),
		time.Now().UTC().Add(time.Hour).Format("2006-01-02 15:04:05.000Z"))
}

func (b *books) sequence(t *testing.T, series string) string {
	t.Helper()
	rec, err := b.app.FindFirstRecordByFilter("number_sequences", "series = {:s}", dbx.Params{"s": series})
	if err != nil {
		t.Fatal(err)
	}
	return rec.Id
}

func (b *books) creditNote(t *testing.T) string {
	t.Helper()
	rec, err := b.app.FindFirstRecordByFilter("credit_notes", "invoice = {:i}", dbx.Params{"i": b.refunded.Invoice.Id})
	if err != nil {
		t.Fatal(err)
	}
	return rec.Id
}
