package ledger

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/internal/clock"
	"github.com/ezscale/ezscale/internal/settings"
)

// mutableWhenSettled are the fields that may still change on a paid, void
// or refunded invoice.
var mutableWhenSettled = []string{"status", "notes", "staff_notes", "amount_refunded", "dunning", "updated"}

// BeforeSave enforces the invoice lifecycle on every save of an existing
// invoice, whoever makes it: status moves only forward, settled invoices
// keep their amounts, and leaving draft or getting paid assign what the
// new status needs. It runs inside the save's transaction and returns the
// status the invoice had, so callers can act on the transition.
func BeforeSave(ctx context.Context, app core.App, inv *Invoice) (string, error) {
	// The stored row, not the in-memory original: a record saved twice in
	// the same process still carries the state it was loaded with.
	stored, err := app.FindRecordById(InvoicesCollection, inv.Id)
	if err != nil {
		return "", fmt.Errorf("invoice %s: %w", inv.Id, err)
	}
	orig := AsInvoice(stored)
	from, to := orig.Status(), inv.Status()
	if !CanTransition(from, to) {
		return from, fmt.Errorf("invoice %s cannot go from %s to %s", Label(inv), from, to)
	}
	if !Editable(from) {
		for _, f := range inv.Collection().Fields {
			name := f.GetName()
			if slices.Contains(mutableWhenSettled, name) {
				continue
			}
			if fmt.Sprint(orig.Get(name)) != fmt.Sprint(inv.Get(name)) {
				return from, fmt.Errorf("invoice %s: %w (field %s)", Label(inv), ErrNotEditable, name)
			}
		}
		if to == StatusVoid && from != to { // written off, then voided
			return from, voided(ctx, app, inv, orig, clock.Now(app))
		}
		return from, nil
	}
	if from == to {
		if to == StatusOpen {
			setAmountDue(inv)
		}
		return from, nil
	}

	now := clock.Now(app)
	switch to {
	case StatusOpen:
		return from, issue(ctx, app, inv, now)
	case StatusPaid:
		if from == StatusDraft {
			if err := issue(ctx, app, inv, now); err != nil {
				return from, err
			}
		}
		return from, markPaid(ctx, app, inv, now)
	case StatusVoid:
		return from, voided(ctx, app, inv, orig, now)
	}
	return from, nil
}

// issue freezes what an issued invoice shows, numbers it and pays what it
// can from credit, loading what that needs.
func issue(ctx context.Context, app core.App, inv *Invoice, now time.Time) error {
	s, err := settings.Load(app)
	if err != nil {
		return err
	}
	customer, err := app.FindRecordById(customers.Collection, inv.CustomerID())
	if err != nil {
		return fmt.Errorf("invoice %s: customer %s: %w", inv.Id, inv.CustomerID(), err)
	}
	items, err := Items(app, inv.Id)
	if err != nil {
		return err
	}
	balance, err := Balance(app, inv.CustomerID(), inv.Currency())
	if err != nil {
		return err
	}
	if items, err = addRounding(ctx, app, inv, items, balance); err != nil {
		return err
	}
	used, err := Issue(inv, items, IssueContext{Settings: s, Customer: customer, Credit: balance, Numbers: dbNumbers{ctx, app}, Now: now})
	if err != nil || used == 0 {
		return err
	}
	_, err = AddCredit(ctx, app, CreditUse(inv, used))
	return err
}

// NumberSource hands out the next document number of a series.
type NumberSource interface {
	Next(series, format string, at time.Time) (string, error)
}

// dbNumbers takes numbers one at a time from the sequences table.
type dbNumbers struct {
	ctx context.Context
	app core.App
}

func (n dbNumbers) Next(series, format string, at time.Time) (string, error) {
	return NextNumber(n.ctx, n.app, series, format, at)
}

// IssueContext is what issuing an invoice needs besides its lines.
type IssueContext struct {
	Settings *settings.Settings
	Customer *core.Record
	Credit   int64 // the customer's credit balance in the invoice currency
	Numbers  NumberSource
	Now      time.Time
}

// Issue sets on inv everything issuing decides: totals from its lines, the
// frozen seller and buyer, issue and due dates, the number (or proforma
// number), the credit applied and, when nothing is left to pay, paid. It
// returns the credit used, for the caller to record as a ledger entry.
// Every path that issues invoices, one at a time or in bulk, goes through it.
func Issue(inv *Invoice, items []*core.Record, ic IssueContext) (creditUsed int64, err error) {
	s := ic.Settings
	RecomputeFrom(inv, items)
	issuedAt := inv.GetDateTime("issued_at").Time()
	if issuedAt.IsZero() {
		issuedAt = ic.Now
		inv.Set("issued_at", issuedAt)
	}
	if inv.GetDateTime("due_at").IsZero() {
		inv.Set("due_at", issuedAt.AddDate(0, 0, s.InvoiceDueDays))
	}
	inv.Set("seller", SellerParty(s))
	inv.Set("buyer", BuyerParty(ic.Customer))
	inv.Set("status", StatusOpen)

	if s.ProformaMode {
		n, err := ic.Numbers.Next(SeriesProforma, s.ProformaNumberFormat, issuedAt)
		if err != nil {
			return 0, err
		}
		inv.Set("proforma_number", n)
	} else if err := assignNumber(ic.Numbers, s, inv, issuedAt); err != nil {
		return 0, err
	}

	if due := inv.AmountDue(); due > 0 && ic.Credit > 0 {
		creditUsed = min(ic.Credit, due)
		inv.Set("credit_applied", inv.GetInt64("credit_applied")+creditUsed)
		setAmountDue(inv)
	}
	if inv.AmountDue() == 0 {
		inv.Set("status", StatusPaid)
		return creditUsed, settle(ic.Numbers, s, inv, ic.Now)
	}
	return creditUsed, nil
}

// markPaid settles an invoice paid by other means than issuing.
func markPaid(ctx context.Context, app core.App, inv *Invoice, now time.Time) error {
	var s *settings.Settings
	if inv.Number() == "" {
		// Only a proforma invoice needs the settings: its number's format.
		var err error
		if s, err = settings.Load(app); err != nil {
			return err
		}
	}
	return settle(dbNumbers{ctx, app}, s, inv, now)
}

// settle records the payment date and, in proforma mode, gives the legal
// number, which is due when an invoice is paid.
func settle(numbers NumberSource, s *settings.Settings, inv *Invoice, now time.Time) error {
	if inv.GetDateTime("paid_at").IsZero() {
		inv.Set("paid_at", now)
	}
	inv.Set("amount_due", 0)
	return assignNumber(numbers, s, inv, now)
}

func assignNumber(numbers NumberSource, s *settings.Settings, inv *Invoice, at time.Time) error {
	if inv.Number() != "" {
		return nil
	}
	n, err := numbers.Next(SeriesInvoice, s.InvoiceNumberFormat, at)
	if err != nil {
		return err
	}
	inv.Set("number", n)
	inv.Set("series", SeriesInvoice)
	return nil
}

// Label names an invoice in messages: its number, or its id before it has one.
func Label(inv *Invoice) string {
	if n := inv.Number(); n != "" {
		return n
	}
	return inv.Id
}
