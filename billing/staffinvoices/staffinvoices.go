// Package staffinvoices is what staff do to an invoice from the console:
// create a manual one, edit a draft's lines, issue, void, record a bank
// transfer, refund, resend. Each action checks its input like the API,
// runs in one transaction, and is audited as the staff member who took
// it; a refusal changes nothing. The invoice's rules stay in the ledger.
package staffinvoices

import (
	"context"
	"errors"
	"fmt"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/internal/audit"
)

// Refusal is bad input, or an action the invoice's state does not allow:
// its reason is for the staff member, and nothing was changed.
type Refusal struct{ Reason string }

func (r *Refusal) Error() string { return r.Reason }

func refuse(format string, args ...any) error {
	return &Refusal{Reason: fmt.Sprintf(format, args...)}
}

// ErrNotFound is an unknown invoice, line, payment or customer.
var ErrNotFound = errors.New("not found")

// Staff is who acts, and the request's context their writes carry so each
// record change is audited as theirs.
type Staff struct {
	Actor audit.Actor
}

func (s Staff) ctx(ctx context.Context) context.Context { return audit.WithActor(ctx, s.Actor) }

// note writes the audit entry of an action on inv, in tx.
func (s Staff) note(tx core.App, action string, inv *ledger.Invoice, message string) error {
	return audit.Record(tx, s.Actor, action, inv.ProxyRecord(), message)
}

// findInvoice loads an invoice in tx, an unknown id being ErrNotFound.
func findInvoice(tx core.App, id string) (*ledger.Invoice, error) {
	inv, err := ledger.FindInvoice(tx, id)
	if err != nil {
		return nil, fmt.Errorf("invoice %q: %w", id, ErrNotFound)
	}
	return inv, nil
}

// sameCurrency refuses an amount typed in another currency than the
// invoice's: minor units mean nothing without theirs.
func sameCurrency(inv *ledger.Invoice, currency string) error {
	if currency != inv.Currency() {
		return refuse("invoice %s is in %s; amounts in %q are refused", ledger.Label(inv), inv.Currency(), currency)
	}
	return nil
}
