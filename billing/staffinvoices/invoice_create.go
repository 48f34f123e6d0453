package staffinvoices

import (
	"context"
	"fmt"
	"strings"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/internal/settings"
)

// NewInvoice is a manual invoice staff write for a customer: in the
// customer's currency, with at least one line.
type NewInvoice struct {
	Customer string `json:"customer"`
	Currency string `json:"currency"`
	Lines    []Line `json:"lines"`
	Notes    string `json:"notes"`
}

// maxLines keeps one request to an invoice's worth of lines.
const maxLines = 100

// CreateInvoice creates a draft manual invoice with its lines, taxed by
// the customer's treatment today; staff issue it next.
func (s Staff) CreateInvoice(ctx context.Context, app core.App, req NewInvoice) (*ledger.Invoice, error) {
	if len(req.Lines) == 0 {
		return nil, refuse("an invoice needs at least one line")
	}
	if len(req.Lines) > maxLines {
		return nil, refuse("an invoice has at most %d lines", maxLines)
	}
	lines := make([]Line, len(req.Lines))
	for i, l := range req.Lines {
		var err error
		if lines[i], err = l.check(); err != nil {
			return nil, err
		}
	}
	notes := strings.TrimSpace(req.Notes)
	if len(notes) > 2000 {
		return nil, refuse("the notes are at most 2000 characters")
	}
	var inv *ledger.Invoice
	err := app.RunInTransaction(func(tx core.App) error {
		customer, err := customers.Find(tx, req.Customer)
		if err != nil {
			return fmt.Errorf("customer %q: %w", req.Customer, ErrNotFound)
		}
		if cur := customer.Currency(); cur == "" || req.Currency != cur {
			return refuse("%s is billed in %q: an invoice in %q is refused", customer.Email(), cur, req.Currency)
		}
		st, err := settings.Load(tx)
		if err != nil {
			return err
		}
		rates, err := ledger.Rates(tx)
		if err != nil {
			return err
		}
		if inv, err = ledger.NewDraft(s.ctx(ctx), tx, st, ledger.Decide(st, rates, customer.ProxyRecord()), customer.ProxyRecord(), ledger.PurposeManual); err != nil {
			return err
		}
		for _, l := range lines {
			if err := addLine(s.ctx(ctx), tx, inv, l); err != nil {
				return err
			}
		}
		inv.Set("notes", notes)
		if err := recompute(s.ctx(ctx), tx, inv); err != nil {
			return err
		}
		return s.note(tx, "invoice.create", inv, fmt.Sprintf("manual invoice with %d lines", len(lines)))
	})
	if err != nil {
		return nil, err
	}
	return inv, nil
}
