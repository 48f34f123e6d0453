package payments

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/money"
)

// Attempt is a charge that did not succeed: declined, waiting for the
// customer to authenticate (3-D Secure), or pending at the gateway (a
// processing PaymentIntent, settled later by its webhook). It is recorded
// for staff and the customer but pays nothing.
type Attempt struct {
	InvoiceID      string
	Gateway        string
	GatewayID      string
	Amount         money.Amount
	Status         Status // failed, requires_action or pending
	FailureCode    string
	FailureMessage string
	PaymentMethod  string
	Attempt        int
}

// RecordAttempt stores an unsuccessful charge once per gateway id. Known
// already, it only moves on: a pending attempt to what the gateway settled
// (failed or requires_action), one awaiting 3-D Secure to failed; a
// succeeded payment never goes back.
func RecordAttempt(ctx context.Context, tx core.App, a Attempt) (*core.Record, error) {
	if a.GatewayID != "" {
		existing, err := Find(tx, a.Gateway, a.GatewayID)
		if err == nil {
			return existing.ProxyRecord(), settleAttempt(ctx, tx, existing, a)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
	}
	inv, err := ledger.FindInvoice(tx, a.InvoiceID)
	if err != nil {
		return nil, fmt.Errorf("%w: invoice %q: %v", ErrInvalid, a.InvoiceID, err)
	}
	col, err := tx.FindCachedCollectionByNameOrId(Collection)
	if err != nil {
		return nil, err
	}
	rec := core.NewRecord(col)
	rec.Load(map[string]any{
		"customer": inv.CustomerID(), "invoice": inv.Id, "kind": string(KindCharge), "gateway": a.Gateway, "gateway_id": a.GatewayID,
		"status": string(a.Status), "amount": a.Amount.Minor, "currency": a.Amount.Currency, "failure_code": a.FailureCode,
		"failure_message": a.FailureMessage, "payment_method": a.PaymentMethod, "attempt": a.Attempt,
	})
	if err := tx.SaveWithContext(ctx, rec); err != nil {
		return nil, fmt.Errorf("payment attempt %s/%s: %w", a.Gateway, a.GatewayID, err)
	}
	return rec, nil
}

// attemptOrder ranks the unsuccessful statuses: an attempt only moves up.
var attemptOrder = map[Status]int{StatusPending: 1, StatusRequiresAction: 2, StatusFailed: 3}

func settleAttempt(ctx context.Context, tx core.App, p *Payment, a Attempt) error {
	from, to := attemptOrder[p.Status()], attemptOrder[a.Status]
	if from == 0 || to <= from {
		return nil
	}
	p.SetStatus(a.Status)
	p.SetFailureCode(a.FailureCode)
	p.SetFailureMessage(a.FailureMessage)
	if err := tx.SaveWithContext(ctx, p); err != nil {
		return fmt.Errorf("payment attempt %s/%s: %w", a.Gateway, a.GatewayID, err)
	}
	return nil
}
