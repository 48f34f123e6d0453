package staffinvoices

import (
	"context"
	"fmt"
	"strings"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledger"
)

// Line is an invoice line staff type: what is sold, how many, and the
// price of one in minor units of the invoice's currency, before tax. The
// tax is the ledger's, by the customer's treatment.
type Line struct {
	Description string `json:"description"`
	Quantity    int64  `json:"quantity"`
	UnitAmount  int64  `json:"unit_amount"`
}

// maxQuantity keeps a typo from billing a million units.
const maxQuantity = 10000

func (l Line) check() (Line, error) {
	l.Description = strings.TrimSpace(l.Description)
	switch {
	case l.Description == "":
		return l, refuse("a line needs a description")
	case len(l.Description) > 500:
		return l, refuse("a line's description is at most 500 characters")
	case l.Quantity < 1 || l.Quantity > maxQuantity:
		return l, refuse("line %q: the quantity must be between 1 and %d, not %d", l.Description, maxQuantity, l.Quantity)
	case l.UnitAmount <= 0:
		return l, refuse("line %q: the unit price must be more than zero", l.Description)
	}
	return l, nil
}

// editableDraft refuses line edits of an issued invoice: its number and
// figures were sent to the customer.
func editableDraft(inv *ledger.Invoice) error {
	if inv.Status() != ledger.StatusDraft {
		return refuse("invoice %s is %s: only a draft's lines can change (%v)", ledger.Label(inv), inv.Status(), ledger.ErrNotEditable)
	}
	return nil
}

// addLine saves l on inv as the last line.
func addLine(ctx context.Context, tx core.App, inv *ledger.Invoice, l Line) error {
	items, err := ledger.Items(tx, inv.Id)
	if err != nil {
		return err
	}
	order := 0
	for _, it := range items {
		order = max(order, it.GetInt("sort_order")+1)
	}
	col, err := tx.FindCachedCollectionByNameOrId(ledger.ItemsCollection)
	if err != nil {
		return err
	}
	rec, err := ledger.NewLine(col, inv, ledger.Line{Kind: ledger.KindAdjustment, Description: l.Description, Quantity: l.Quantity, UnitAmount: l.UnitAmount})
	if err != nil {
		return refuse("%v", err)
	}
	rec.Set("sort_order", order)
	return tx.SaveWithContext(ctx, rec)
}

// recompute saves inv's totals after its lines changed.
func recompute(ctx context.Context, tx core.App, inv *ledger.Invoice) error {
	if err := ledger.Recompute(tx, inv); err != nil {
		return err
	}
	return tx.SaveWithContext(ctx, inv)
}

// AddLine adds a line to a draft, in the invoice's currency.
func (s Staff) AddLine(ctx context.Context, app core.App, invoiceID, currency string, l Line) (*ledger.Invoice, error) {
	return s.editLines(ctx, app, invoiceID, "invoice.line_add", func(tx core.App, inv *ledger.Invoice) (string, error) {
		if err := sameCurrency(inv, currency); err != nil {
			return "", err
		}
		l, err := l.check()
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("line %q added: %d × %d", l.Description, l.Quantity, l.UnitAmount), addLine(s.ctx(ctx), tx, inv, l)
	})
}

// UpdateLine changes a draft's line: description, quantity and unit price;
// its tax follows.
func (s Staff) UpdateLine(ctx context.Context, app core.App, invoiceID, lineID, currency string, l Line) (*ledger.Invoice, error) {
	return s.editLines(ctx, app, invoiceID, "invoice.line_update", func(tx core.App, inv *ledger.Invoice) (string, error) {
		item, err := lineOf(tx, inv, lineID)
		if err != nil {
			return "", err
		}
		if err := sameCurrency(inv, currency); err != nil {
			return "", err
		}
		if l, err = l.check(); err != nil {
			return "", err
		}
		item.Set("description", l.Description)
		item.Set("quantity", l.Quantity)
		item.Set("unit_amount", l.UnitAmount)
		if err := ledger.StaffEditedItem(tx, item); err != nil {
			return "", refuse("%v", err)
		}
		return fmt.Sprintf("line %s changed to %q: %d × %d", item.Id, l.Description, l.Quantity, l.UnitAmount), tx.SaveWithContext(s.ctx(ctx), item)
	})
}

// RemoveLine deletes a draft's line.
func (s Staff) RemoveLine(ctx context.Context, app core.App, invoiceID, lineID string) (*ledger.Invoice, error) {
	return s.editLines(ctx, app, invoiceID, "invoice.line_remove", func(tx core.App, inv *ledger.Invoice) (string, error) {
		item, err := lineOf(tx, inv, lineID)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("line %q removed", item.GetString("description")), tx.DeleteWithContext(s.ctx(ctx), item)
	})
}

// editLines runs one change of a draft's lines, recomputes its totals and
// audits it, all in one transaction.
func (s Staff) editLines(ctx context.Context, app core.App, invoiceID, action string, change func(core.App, *ledger.Invoice) (string, error)) (*ledger.Invoice, error) {
	var inv *ledger.Invoice
	err := app.RunInTransaction(func(tx core.App) error {
		var err error
		if inv, err = findInvoice(tx, invoiceID); err != nil {
			return err
		}
		if err := editableDraft(inv); err != nil {
			return err
		}
		message, err := change(tx, inv)
		if err != nil {
			return err
		}
		if err := recompute(s.ctx(ctx), tx, inv); err != nil {
			return err
		}
		return s.note(tx, action, inv, message)
	})
	if err != nil {
		return nil, err
	}
	return inv, nil
}

// lineOf is a line of inv; a line of another invoice is unknown here.
func lineOf(tx core.App, inv *ledger.Invoice, lineID string) (*core.Record, error) {
	item, err := tx.FindRecordById(ledger.ItemsCollection, lineID)
	if err != nil || item.GetString("invoice") != inv.Id {
		return nil, fmt.Errorf("line %q of invoice %s: %w", lineID, ledger.Label(inv), ErrNotFound)
	}
	return item, nil
}
