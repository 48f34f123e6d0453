package orders

import (
	"context"
	"errors"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// Quoted is the first invoice an order would create, with its lines.
type Quoted struct {
	Invoice *core.Record
	Items   []*core.Record
}

// errQuoted rolls back the transaction a quote ran in.
var errQuoted = errors.New("quote: rolled back")

// Quote is what Place would create for req, without keeping anything: the
// order is placed in a transaction that is then rolled back. Quoting
// through the same code means the total shown is the total invoiced:
// coupon, tax, setup fee and account credit included. The customer need
// not be verified yet to see a price.
func Quote(ctx context.Context, app core.App, customer *core.Record, req Request, by By, now time.Time) (*Quoted, error) {
	if req.PlanPrice == "" {
		return nil, badRequest("plan_price", "required", "choose a plan price")
	}
	var q *Quoted
	err := app.RunInTransaction(func(tx core.App) error {
		res, err := place(ctx, tx, customer, req, by, now)
		if err != nil {
			return err
		}
		items, err := tx.FindRecordsByFilter("invoice_items", "invoice = {:id}", "sort_order,created", 0, 0,
			dbx.Params{"id": res.Invoice.Id})
		if err != nil {
			return err
		}
		q = &Quoted{Invoice: res.Invoice.ProxyRecord(), Items: items}
		return errQuoted
	})
	if errors.Is(err, errQuoted) {
		return q, nil
	}
	return nil, err
}
