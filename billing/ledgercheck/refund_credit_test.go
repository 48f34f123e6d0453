package ledgercheck_test

import (
	"testing"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/ledgercheck"
	"github.com/ezscale/ezscale/billing/staffinvoices"
	"github.com/ezscale/ezscale/internal/audit"
	"github.com/ezscale/ezscale/internal/testutil"
)

// A refund paid into credit is a refund row (gateway credit) and a credit
// entry (reason refund) naming the invoice: the check accepts the pair,
// and names credit given "for a refund" that no refund to credit backs.
func TestRefundCredit(t *testing.T) {
	tests := []struct {
		name      string
		extra     int64 // refund credit beyond the refunds to credit
		violation string
	}{
		{"refund to credit", 0, ""},
		{"credit without its refund", 1, "refund.credit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			app := testutil.NewApp(t)
			c := testutil.Customer(t, app, "a@example.com", "USD")
			staff := staffinvoices.Staff{Actor: audit.Actor{Kind: audit.KindSuperuser, ID: testutil.Superuser(t, app, "s@example.com").Id}}
			inv, err := staff.CreateInvoice(ctx, app, staffinvoices.NewInvoice{Customer: c.Id, Currency: "USD",
				Lines: []staffinvoices.Line{{Description: "Work", Quantity: 1, UnitAmount: 3000}}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err = staff.Issue(ctx, app, inv.Id); err != nil {
				t.Fatal(err)
			}
			paid, err := staff.RecordPayment(ctx, app, inv.Id, staffinvoices.ManualPayment{Amount: 100000, Currency: "USD", Reference: "TR-9"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := staff.Refund(ctx, app, nil, inv.Id, staffinvoices.Refund{Payment: paid.Payment.Id, Amount: 700, Currency: "USD",
				Reason: "Outage", To: staffinvoices.RefundToCredit}); err != nil {
				t.Fatal(err)
			}
			if tc.extra > 0 {
				if _, err := ledger.AddCredit(ctx, app, ledger.CreditEntry{CustomerID: c.Id, Currency: "USD", Amount: tc.extra,
					Reason: ledger.CreditRefund, InvoiceID: inv.Id, Description: "typed in"}); err != nil {
					t.Fatal(err)
				}
			}
			rep, err := ledgercheck.Run(app)
			if err != nil {
				t.Fatal(err)
			}
			var rules []string
			for _, v := range rep.Violations {
				rules = append(rules, v.Rule)
			}
			if (tc.violation == "" && len(rules) != 0) || (tc.violation != "" && (len(rules) != 1 || rules[0] != tc.violation)) {
				t.Errorf("violations %v, want %q: %v", rules, tc.violation, rep.Violations)
			}
		})
	}
}
