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

// Attempt is a charge that did not succeed: declined, or waiting for the
// customer to authenticate (3-D Secure). It is recorded for staff and the
// customer but pays nothing.
type Attempt struct {
	InvoiceID      string
	Gateway        string
	GatewayID      string
	Amount         money.Amount
	Status         string // failed or requires_action
	FailureCode    string
	FailureMessage string
	PaymentMethod  string
	Attempt        int
}

// RecordAttempt stores an unsuccessful charge once per gateway id.
func RecordAttempt(ctx context.Context, tx core.App, a Attempt) (*core.Record, error) {
	if a.GatewayID != "" {
		if existing, err := Find(tx, a.Gateway, a.GatewayID); err == nil {
			return existing, nil
		} else if !errors.Is(err, sql.ErrNoRows) {
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
		"customer": inv.CustomerID(), "invoice": inv.Id, "kind": "charge", "gateway": a.Gateway, "gateway_id": a.GatewayID,
		"status": a.Status, "amount": a.Amount.Minor, "currency": a.Amount.Currency, "failure_code": a.FailureCode,
		"failure_message": a.FailureMessage, "payment_method": a.PaymentMethod, "attempt": a.Attempt,
	})
	if err := tx.SaveWithContext(ctx, rec); err != nil {
		return nil, fmt.Errorf("payment attempt %s/%s: %w", a.Gateway, a.GatewayID, err)
	}
	return rec, nil
}
