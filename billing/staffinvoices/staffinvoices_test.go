package staffinvoices_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/ledgercheck"
	"github.com/ezscale/ezscale/billing/payments"
	"github.com/ezscale/ezscale/billing/staffinvoices"
	"github.com/ezscale/ezscale/internal/audit"
	"github.com/ezscale/ezscale/internal/testutil"
)

var ctx = context.Background()

// desk is a staff member's back office on a fresh app with one USD
// customer in the US, taxed at an exclusive 10 %.
type desk struct {
	app      core.App
	staff    staffinvoices.Staff
	customer *core.Record
}

func newDesk(t *testing.T) *desk {
	t.Helper()
	app := testutil.NewApp(t)
	testutil.Create(t, app, "tax_rates", map[string]any{"name": "Sales tax", "country": "US", "rate": 10000, "active": true})
	c := testutil.Customer(t, app, "a@example.com", "USD")
	c.Set("country", "US")
	if err := app.Save(c); err != nil {
		t.Fatal(err)
	}
	su := testutil.Superuser(t, app, "staff@example.com")
	return &desk{app: app, staff: staffinvoices.Staff{Actor: audit.Actor{Kind: audit.KindSuperuser, ID: su.Id}}, customer: c}
}

// draft is a manual draft of one line, 2 × 12.50 USD.
func (d *desk) draft(t *testing.T) *ledger.Invoice {
	t.Helper()
	inv, err := d.staff.CreateInvoice(ctx, d.app, staffinvoices.NewInvoice{Customer: d.customer.Id, Currency: "USD",
		Lines: []staffinvoices.Line{{Description: "Setup work", Quantity: 2, UnitAmount: 1250}}})
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// issued is draft, issued: 25.00 + 2.50 tax = 27.50 USD due.
func (d *desk) issued(t *testing.T) *ledger.Invoice {
	t.Helper()
	inv, err := d.staff.Issue(ctx, d.app, d.draft(t).Id)
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// paid is issued, paid in full by a bank transfer; it returns the charge.
func (d *desk) paid(t *testing.T) (*ledger.Invoice, *core.Record) {
	t.Helper()
	res, err := d.staff.RecordPayment(ctx, d.app, d.issued(t).Id, staffinvoices.ManualPayment{Amount: 2750, Currency: "USD", Reference: "BANK-1"})
	if err != nil {
		t.Fatal(err)
	}
	return res.Invoice, res.Payment
}

func (d *desk) reload(t *testing.T, id string) *ledger.Invoice {
	t.Helper()
	inv, err := ledger.FindInvoice(d.app, id)
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// count is the number of records of collection matching filter.
func (d *desk) count(t *testing.T, collection string, exp dbx.Expression) int64 {
	t.Helper()
	n, err := d.app.CountRecords(collection, exp)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// books fails the test unless the ledger check finds nothing wrong.
func (d *desk) books(t *testing.T) {
	t.Helper()
	rep, err := ledgercheck.Run(d.app)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range rep.Violations {
		t.Errorf("ledger check: %s", v)
	}
}

// refused fails unless err is a refusal whose reason mentions want.
func refused(t *testing.T, err error, want string) {
	t.Helper()
	var r *staffinvoices.Refusal
	if !errors.As(err, &r) {
		t.Fatalf("want a refusal mentioning %q, got %v", want, err)
	}
	if !strings.Contains(r.Reason, want) {
		t.Errorf("refusal %q does not mention %q", r.Reason, want)
	}
}

// fingerprint is every row count the actions touch: a refusal leaves it as it was.
func (d *desk) fingerprint(t *testing.T) [6]int64 {
	t.Helper()
	return [6]int64{d.count(t, "invoices", nil), d.count(t, "invoice_items", nil), d.count(t, "payments", nil),
		d.count(t, "credit_entries", nil), d.count(t, "credit_notes", nil), d.count(t, "audit_logs", nil)}
}

func TestCreateManualInvoice(t *testing.T) {
	line := staffinvoices.Line{Description: "Consulting", Quantity: 3, UnitAmount: 1999}
	tests := []struct {
		name    string
		edit    func(d *desk, req *staffinvoices.NewInvoice)
		refusal string // "" = created
		missing bool   // an unknown id: ErrNotFound
	}{
		{"two lines, taxed", func(d *desk, req *staffinvoices.NewInvoice) {
			req.Lines = append(req.Lines, staffinvoices.Line{Description: "Extra IP", Quantity: 1, UnitAmount: 300})
		}, "", false},
		{"another currency", func(d *desk, req *staffinvoices.NewInvoice) { req.Currency = "EUR" }, `invoice in "EUR" is refused`, false},
		{"no lines", func(d *desk, req *staffinvoices.NewInvoice) { req.Lines = nil }, "at least one line", false},
		{"zero price", func(d *desk, req *staffinvoices.NewInvoice) { req.Lines[0].UnitAmount = 0 }, "more than zero", false},
		{"negative price", func(d *desk, req *staffinvoices.NewInvoice) { req.Lines[0].UnitAmount = -500 }, "more than zero", false},
		{"zero quantity", func(d *desk, req *staffinvoices.NewInvoice) { req.Lines[0].Quantity = 0 }, "quantity must be between", false},
		{"no description", func(d *desk, req *staffinvoices.NewInvoice) { req.Lines[0].Description = "  " }, "needs a description", false},
		{"unknown customer", func(d *desk, req *staffinvoices.NewInvoice) { req.Customer = "nosuchcustomer1" }, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := newDesk(t)
			req := staffinvoices.NewInvoice{Customer: d.customer.Id, Currency: "USD", Lines: []staffinvoices.Line{line}, Notes: "Thanks"}
			tc.edit(d, &req)
			before := d.fingerprint(t)
			inv, err := d.staff.CreateInvoice(ctx, d.app, req)
			switch {
			case tc.missing:
				if !errors.Is(err, staffinvoices.ErrNotFound) {
					t.Fatalf("want not found, got %v", err)
				}
			case tc.refusal != "":
				refused(t, err, tc.refusal)
			case err != nil:
				t.Fatal(err)
			}
			if tc.missing || tc.refusal != "" {
				if after := d.fingerprint(t); after != before {
					t.Errorf("a refused create changed the records: %v → %v", before, after)
				}
				d.books(t)
				return
			}
			inv = d.reload(t, inv.Id)
			var subtotal int64
			for _, l := range req.Lines {
				subtotal += l.Quantity * l.UnitAmount
			}
			tax := (subtotal + 5) / 10 // 10 %, half up is half-even here: no line ends in exactly .5
			if inv.Status() != ledger.StatusDraft || inv.GetString("purpose") != ledger.PurposeManual || inv.Currency() != "USD" ||
				inv.GetInt64("subtotal") != subtotal || inv.Total() < subtotal || inv.GetString("notes") != "Thanks" {
				t.Errorf("draft: %s %s %s subtotal %d total %d notes %q", inv.Status(), inv.GetString("purpose"), inv.Currency(),
					inv.GetInt64("subtotal"), inv.Total(), inv.GetString("notes"))
			}
			if got := inv.GetInt64("tax_total"); got < tax-int64(len(req.Lines)) || got > tax+int64(len(req.Lines)) {
				t.Errorf("tax %d, want about %d (10 %% of %d, rounded per line)", got, tax, subtotal)
			}
			if n := d.count(t, "invoice_items", dbx.HashExp{"invoice": inv.Id, "kind": ledger.KindAdjustment}); n != int64(len(req.Lines)) {
				t.Errorf("%d lines, want %d", n, len(req.Lines))
			}
			if n := d.count(t, "audit_logs", dbx.HashExp{"action": "invoice.create", "record_id": inv.Id, "actor_id": d.staff.Actor.ID}); n != 1 {
				t.Errorf("%d audit entries of the create", n)
			}
			d.books(t)
		})
	}
}

func TestEditDraftLines(t *testing.T) {
	d := newDesk(t)
	inv := d.draft(t)
	inv, err := d.staff.AddLine(ctx, d.app, inv.Id, "USD", staffinvoices.Line{Description: "Backup", Quantity: 1, UnitAmount: 500})
	if err != nil {
		t.Fatal(err)
	}
	if inv.GetInt64("subtotal") != 3000 || inv.GetInt64("tax_total") != 300 || inv.Total() != 3300 {
		t.Errorf("after adding: subtotal %d tax %d total %d, want 3000, 300, 3300", inv.GetInt64("subtotal"), inv.GetInt64("tax_total"), inv.Total())
	}
	items, err := ledger.Items(d.app, inv.Id)
	if err != nil || len(items) != 2 || items[1].GetString("description") != "Backup" {
		t.Fatalf("lines %v, %v", items, err)
	}
	backup := items[1]
	if inv, err = d.staff.UpdateLine(ctx, d.app, inv.Id, backup.Id, "USD", staffinvoices.Line{Description: "Backup, 2 copies", Quantity: 2, UnitAmount: 450}); err != nil {
		t.Fatal(err)
	}
	if inv.Total() != (2500+900)*11/10 {
		t.Errorf("after the change: total %d, want %d", inv.Total(), (2500+900)*11/10)
	}
	if inv, err = d.staff.RemoveLine(ctx, d.app, inv.Id, backup.Id); err != nil {
		t.Fatal(err)
	}
	if inv.Total() != 2750 {
		t.Errorf("after removing: total %d, want 2750", inv.Total())
	}
	d.books(t)

	other := d.draft(t)
	otherItems, _ := ledger.Items(d.app, other.Id)
	first := items[0]
	issued := d.issued(t)
	issuedItems, _ := ledger.Items(d.app, issued.Id)
	good := staffinvoices.Line{Description: "Fine", Quantity: 1, UnitAmount: 100}
	refusals := []struct {
		name    string
		do      func() error
		refusal string // "" = not found
	}{
		{"add in another currency", func() error {
			_, err := d.staff.AddLine(ctx, d.app, inv.Id, "EUR", good)
			return err
		}, `amounts in "EUR" are refused`},
		{"add a negative price", func() error {
			_, err := d.staff.AddLine(ctx, d.app, inv.Id, "USD", staffinvoices.Line{Description: "Refund?", Quantity: 1, UnitAmount: -100})
			return err
		}, "more than zero"},
		{"change to zero quantity", func() error {
			_, err := d.staff.UpdateLine(ctx, d.app, inv.Id, first.Id, "USD", staffinvoices.Line{Description: "x", Quantity: 0, UnitAmount: 100})
			return err
		}, "quantity"},
		{"add to an issued invoice", func() error {
			_, err := d.staff.AddLine(ctx, d.app, issued.Id, "USD", good)
			return err
		}, "only a draft's lines can change"},
		{"change an issued invoice's line", func() error {
			_, err := d.staff.UpdateLine(ctx, d.app, issued.Id, issuedItems[0].Id, "USD", good)
			return err
		}, "only a draft's lines can change"},
		{"remove an issued invoice's line", func() error {
			_, err := d.staff.RemoveLine(ctx, d.app, issued.Id, issuedItems[0].Id)
			return err
		}, "only a draft's lines can change"},
		{"a line of another invoice", func() error {
			_, err := d.staff.UpdateLine(ctx, d.app, inv.Id, otherItems[0].Id, "USD", good)
			return err
		}, ""},
		{"an unknown invoice", func() error {
			_, err := d.staff.AddLine(ctx, d.app, "nosuchinvoice12", "USD", good)
			return err
		}, ""},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			before := d.fingerprint(t)
			err := tc.do()
			if tc.refusal == "" {
				if !errors.Is(err, staffinvoices.ErrNotFound) {
					t.Fatalf("want not found, got %v", err)
				}
			} else {
				refused(t, err, tc.refusal)
			}
			if after := d.fingerprint(t); after != before {
				t.Errorf("refused, yet the records changed: %v → %v", before, after)
			}
			if got := d.reload(t, inv.Id).Total(); got != 2750 {
				t.Errorf("the draft's total moved to %d", got)
			}
		})
	}
	d.books(t)
}

func TestIssue(t *testing.T) {
	t.Run("numbered, emailed", func(t *testing.T) {
		d := newDesk(t)
		inv := d.issued(t)
		if inv.Status() != ledger.StatusOpen || inv.Number() == "" || inv.AmountDue() != 2750 {
			t.Errorf("issued: %s number %q due %d", inv.Status(), inv.Number(), inv.AmountDue())
		}
		if n := d.count(t, "outbox", dbx.HashExp{"template": "invoice_issued", "customer": d.customer.Id}); n != 1 {
			t.Errorf("%d invoice emails", n)
		}
		_, err := d.staff.Issue(ctx, d.app, inv.Id)
		refused(t, err, "issued already")
		d.books(t)
	})
	t.Run("credit pays it", func(t *testing.T) {
		d := newDesk(t)
		if _, err := ledger.AddCredit(ctx, d.app, ledger.CreditEntry{CustomerID: d.customer.Id, Currency: "USD", Amount: 5000, Reason: ledger.CreditManual, Description: "Goodwill"}); err != nil {
			t.Fatal(err)
		}
		inv := d.issued(t)
		if inv.Status() != ledger.StatusPaid || inv.GetInt64("credit_applied") != 2750 {
			t.Errorf("issued with credit: %s, credit applied %d", inv.Status(), inv.GetInt64("credit_applied"))
		}
		d.books(t)
	})
	t.Run("no lines", func(t *testing.T) {
		d := newDesk(t)
		inv := d.draft(t)
		items, _ := ledger.Items(d.app, inv.Id)
		if _, err := d.staff.RemoveLine(ctx, d.app, inv.Id, items[0].Id); err != nil {
			t.Fatal(err)
		}
		_, err := d.staff.Issue(ctx, d.app, inv.Id)
		refused(t, err, "no lines")
		if got := d.reload(t, inv.Id); got.Status() != ledger.StatusDraft || got.Number() != "" {
			t.Errorf("refused, yet %s numbered %q", got.Status(), got.Number())
		}
	})
}

func TestVoid(t *testing.T) {
	tests := []struct {
		name     string
		setup    func(t *testing.T, d *desk) *ledger.Invoice
		reason   string
		refusal  string
		returned int64 // credit returned by the void
	}{
		{"a draft", func(t *testing.T, d *desk) *ledger.Invoice { return d.draft(t) }, "typo", "", 0},
		{"open, partly paid", func(t *testing.T, d *desk) *ledger.Invoice {
			inv := d.issued(t)
			if _, err := d.staff.RecordPayment(ctx, d.app, inv.Id, staffinvoices.ManualPayment{Amount: 1000, Currency: "USD", Reference: "PART-1"}); err != nil {
				t.Fatal(err)
			}
			return inv
		}, "billed twice", "", 1000},
		{"paid", func(t *testing.T, d *desk) *ledger.Invoice { inv, _ := d.paid(t); return inv }, "changed my mind", "a paid invoice cannot be voided", 0},
		{"void already", func(t *testing.T, d *desk) *ledger.Invoice {
			inv := d.issued(t)
			if _, err := d.staff.Void(ctx, d.app, inv.Id, "first"); err != nil {
				t.Fatal(err)
			}
			return inv
		}, "again", "void already", 0},
		{"no reason", func(t *testing.T, d *desk) *ledger.Invoice { return d.issued(t) }, " ", "give a reason", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := newDesk(t)
			inv := tc.setup(t, d)
			before := d.fingerprint(t)
			status := d.reload(t, inv.Id).Status()
			got, err := d.staff.Void(ctx, d.app, inv.Id, tc.reason)
			if tc.refusal != "" {
				refused(t, err, tc.refusal)
				if after := d.fingerprint(t); after != before || d.reload(t, inv.Id).Status() != status {
					t.Errorf("refused, yet changed: %v → %v", before, after)
				}
				d.books(t)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Status() != ledger.StatusVoid || !strings.Contains(got.GetString("staff_notes"), tc.reason) {
				t.Errorf("void: %s, notes %q", got.Status(), got.GetString("staff_notes"))
			}
			b, _ := ledger.Balance(d.app, d.customer.Id, "USD")
			if b != tc.returned {
				t.Errorf("credit %d after the void, want %d", b, tc.returned)
			}
			d.books(t)
		})
	}
}

func TestRecordManualPayment(t *testing.T) {
	tests := []struct {
		name       string
		setup      func(t *testing.T, d *desk) *ledger.Invoice
		pay        staffinvoices.ManualPayment
		refusal    string
		wantStatus string
		wantCredit int64
	}{
		{"in full", issuedInvoice, staffinvoices.ManualPayment{Amount: 2750, Currency: "USD", Reference: "TR-1"}, "", ledger.StatusPaid, 0},
		{"in part", issuedInvoice, staffinvoices.ManualPayment{Amount: 1000, Currency: "USD", Reference: "TR-1"}, "", ledger.StatusOpen, 0},
		{"more than due", issuedInvoice, staffinvoices.ManualPayment{Amount: 3000, Currency: "USD", Reference: "TR-1"}, "", ledger.StatusPaid, 250},
		{"another currency", issuedInvoice, staffinvoices.ManualPayment{Amount: 2750, Currency: "EUR", Reference: "TR-1"}, `amounts in "EUR" are refused`, "", 0},
		{"zero", issuedInvoice, staffinvoices.ManualPayment{Amount: 0, Currency: "USD", Reference: "TR-1"}, "more than zero", "", 0},
		{"negative", issuedInvoice, staffinvoices.ManualPayment{Amount: -100, Currency: "USD", Reference: "TR-1"}, "more than zero", "", 0},
		{"no reference", issuedInvoice, staffinvoices.ManualPayment{Amount: 2750, Currency: "USD"}, "reference", "", 0},
		{"a reference recorded before", func(t *testing.T, d *desk) *ledger.Invoice {
			d.paid(t) // BANK-1
			return d.issued(t)
		}, staffinvoices.ManualPayment{Amount: 2750, Currency: "USD", Reference: "BANK-1"}, "recorded already", "", 0},
		{"a draft", func(t *testing.T, d *desk) *ledger.Invoice { return d.draft(t) },
			staffinvoices.ManualPayment{Amount: 2750, Currency: "USD", Reference: "TR-1"}, "issue it before", "", 0},
		{"a paid invoice", func(t *testing.T, d *desk) *ledger.Invoice { inv, _ := d.paid(t); return inv },
			staffinvoices.ManualPayment{Amount: 2750, Currency: "USD", Reference: "TR-2"}, "nothing is due", "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := newDesk(t)
			inv := tc.setup(t, d)
			before := d.fingerprint(t)
			res, err := d.staff.RecordPayment(ctx, d.app, inv.Id, tc.pay)
			if tc.refusal != "" {
				refused(t, err, tc.refusal)
				if after := d.fingerprint(t); after != before {
					t.Errorf("refused, yet changed: %v → %v", before, after)
				}
				d.books(t)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if res.Invoice.Status() != tc.wantStatus || res.Credit != tc.wantCredit {
				t.Errorf("after paying %d: %s, %d as credit; want %s, %d", tc.pay.Amount, res.Invoice.Status(), res.Credit, tc.wantStatus, tc.wantCredit)
			}
			if res.Payment.GetString("gateway") != payments.GatewayManual || res.Payment.GetString("gateway_id") != tc.pay.Reference {
				t.Errorf("payment %s/%s", res.Payment.GetString("gateway"), res.Payment.GetString("gateway_id"))
			}
			if b, _ := ledger.Balance(d.app, d.customer.Id, "USD"); b != tc.wantCredit {
				t.Errorf("credit balance %d, want %d", b, tc.wantCredit)
			}
			if n := d.count(t, "audit_logs", dbx.HashExp{"action": "invoice.payment", "record_id": inv.Id}); n != 1 {
				t.Errorf("%d audit entries of the payment", n)
			}
			d.books(t)
		})
	}
}

func issuedInvoice(t *testing.T, d *desk) *ledger.Invoice { return d.issued(t) }

func TestRefund(t *testing.T) {
	tests := []struct {
		name       string
		refund     func(charge *core.Record) staffinvoices.Refund
		refusal    string
		missing    bool
		wantStatus string
		wantCredit int64
	}{
		{"part, to credit", func(ch *core.Record) staffinvoices.Refund {
			return staffinvoices.Refund{Payment: ch.Id, Amount: 1000, Currency: "USD", Reason: "Outage", To: staffinvoices.RefundToCredit}
		}, "", false, ledger.StatusPartiallyRefunded, 1000},
		{"all, to credit", func(ch *core.Record) staffinvoices.Refund {
			return staffinvoices.Refund{Payment: ch.Id, Amount: 2750, Currency: "USD", Reason: "Cancelled", To: staffinvoices.RefundToCredit}
		}, "", false, ledger.StatusRefunded, 2750},
		{"part, by the bank", func(ch *core.Record) staffinvoices.Refund {
			return staffinvoices.Refund{Payment: ch.Id, Amount: 750, Currency: "USD", Reason: "Outage", To: staffinvoices.RefundToMethod}
		}, "", false, ledger.StatusPartiallyRefunded, 0},
		{"more than paid", func(ch *core.Record) staffinvoices.Refund {
			return staffinvoices.Refund{Payment: ch.Id, Amount: 2751, Currency: "USD", Reason: "Oops", To: staffinvoices.RefundToCredit}
		}, "at most 27.50 USD", false, "", 0},
		{"another currency", func(ch *core.Record) staffinvoices.Refund {
			return staffinvoices.Refund{Payment: ch.Id, Amount: 100, Currency: "EUR", Reason: "Oops", To: staffinvoices.RefundToCredit}
		}, `amounts in "EUR" are refused`, false, "", 0},
		{"zero", func(ch *core.Record) staffinvoices.Refund {
			return staffinvoices.Refund{Payment: ch.Id, Amount: 0, Currency: "USD", Reason: "Oops", To: staffinvoices.RefundToCredit}
		}, "more than zero", false, "", 0},
		{"nowhere", func(ch *core.Record) staffinvoices.Refund {
			return staffinvoices.Refund{Payment: ch.Id, Amount: 100, Currency: "USD", Reason: "Oops", To: "wallet"}
		}, `refund to "wallet"`, false, "", 0},
		{"no reason", func(ch *core.Record) staffinvoices.Refund {
			return staffinvoices.Refund{Payment: ch.Id, Amount: 100, Currency: "USD", To: staffinvoices.RefundToCredit}
		}, "give a reason", false, "", 0},
		{"an unknown payment", func(ch *core.Record) staffinvoices.Refund {
			return staffinvoices.Refund{Payment: "nosuchpayment12", Amount: 100, Currency: "USD", Reason: "Oops", To: staffinvoices.RefundToCredit}
		}, "", true, "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := newDesk(t)
			inv, charge := d.paid(t)
			before := d.fingerprint(t)
			refund, err := d.staff.Refund(ctx, d.app, nil, inv.Id, tc.refund(charge))
			switch {
			case tc.missing:
				if !errors.Is(err, staffinvoices.ErrNotFound) {
					t.Fatalf("want not found, got %v", err)
				}
			case tc.refusal != "":
				refused(t, err, tc.refusal)
			case err != nil:
				t.Fatal(err)
			}
			if tc.missing || tc.refusal != "" {
				if after := d.fingerprint(t); after != before || d.reload(t, inv.Id).Status() != ledger.StatusPaid {
					t.Errorf("refused, yet changed: %v → %v", before, after)
				}
				d.books(t)
				return
			}
			got := d.reload(t, inv.Id)
			if refund.GetString("status") != "succeeded" || got.Status() != tc.wantStatus || got.GetInt64("amount_refunded") != refund.GetInt64("amount") {
				t.Errorf("refund %s, invoice %s with %d refunded", refund.GetString("status"), got.Status(), got.GetInt64("amount_refunded"))
			}
			if b, _ := ledger.Balance(d.app, d.customer.Id, "USD"); b != tc.wantCredit {
				t.Errorf("credit balance %d, want %d", b, tc.wantCredit)
			}
			if n := d.count(t, "credit_notes", dbx.HashExp{"invoice": inv.Id, "payment": refund.Id}); n != 1 {
				t.Errorf("%d credit notes for the refund", n)
			}
			if n := d.count(t, "audit_logs", dbx.HashExp{"action": "invoice.refund", "record_id": inv.Id}); n != 1 {
				t.Errorf("%d audit entries of the refund", n)
			}
			d.books(t)
		})
	}
}

// A second refund to credit stops at what is left of the charge.
func TestRefundToCreditLimit(t *testing.T) {
	d := newDesk(t)
	inv, charge := d.paid(t)
	r := staffinvoices.Refund{Payment: charge.Id, Amount: 2000, Currency: "USD", Reason: "Outage", To: staffinvoices.RefundToCredit}
	if _, err := d.staff.Refund(ctx, d.app, nil, inv.Id, r); err != nil {
		t.Fatal(err)
	}
	_, err := d.staff.Refund(ctx, d.app, nil, inv.Id, r)
	refused(t, err, "at most 7.50 USD")
	d.books(t)
}

func TestResend(t *testing.T) {
	d := newDesk(t)
	inv := d.issued(t)
	for range 2 {
		if _, err := d.staff.Resend(ctx, d.app, inv.Id); err != nil {
			t.Fatal(err)
		}
	}
	if n := d.count(t, "outbox", dbx.HashExp{"template": "invoice_issued", "customer": d.customer.Id}); n != 3 {
		t.Errorf("%d invoice emails, want 3 (issued, resent twice)", n)
	}
	_, err := d.staff.Resend(ctx, d.app, d.draft(t).Id)
	refused(t, err, "customers never see drafts")
	if _, err := d.staff.Resend(ctx, d.app, "nosuchinvoice12"); !errors.Is(err, staffinvoices.ErrNotFound) {
		t.Errorf("unknown invoice: %v", err)
	}
}
