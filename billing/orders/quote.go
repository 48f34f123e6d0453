package orders

import (
	"context"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledger"
)

// Quoted is the first invoice an order would create, with its lines.
type Quoted struct {
	Invoice *core.Record
	Items   []*core.Record
	// Renews is how the plan's price recurs after this invoice, as every
	// page says it: "then $5.95 monthly plus 19% VAT"; "" for hourly plans.
	Renews string
	// TrialDays and TrialEnd describe the free trial a trial coupon gives:
	// nothing is charged until TrialEnd, when the first renewal bills the
	// price; 0 and nil without one.
	TrialDays int
	TrialEnd  *time.Time
	// Missing names the billing fields the customer has yet to fill in.
	// Such a quote is not final: its tax assumes no country, and Place
	// refuses the order until the fields are set.
	Missing []string
}

// Quote is what Place would invoice for req, computed without writing
// anything and outside any transaction, so a quote never waits for (or
// holds) the single write lock that orders, renewals and payments share.
// It prices the order with the code Place uses, then issues the invoice in
// memory with the ledger's own issuing (rounding to the payable step,
// account credit, number): the total shown is the total invoiced. The
// number is the one the next invoice would take now. The customer need not
// be verified yet to see a price, nor to have given a country; but without
// one the quote names it in Missing and is not final (see Quoted).
func Quote(ctx context.Context, app core.App, customer *core.Record, req Request, by By, now time.Time) (*Quoted, error) {
	if req.PlanPrice == "" {
		return nil, badRequest("plan_price", "required", "choose a plan price")
	}
	p, err := price(app, customer, req, by, now)
	if err != nil {
		return nil, err
	}
	inv, items := p.invoice, p.items
	q := &Quoted{
		Renews:  ledger.RenewalLabel(inv, p.subscription.Amount(), p.subscription.Cycle()),
		Missing: missingAddress(customer),
	}
	if p.trialDays > 0 {
		end := p.subscription.TrialEnd().Time()
		q.TrialDays, q.TrialEnd = p.trialDays, &end
		q.Renews = ledger.TrialLabel(inv, p.trialDays, p.subscription.Amount(), p.subscription.Cycle())
	}
	// A wait-listed order's invoice stays a draft until staff approve it.
	if p.status != StatusPending {
		ledger.RecomputeFrom(inv, items)
		q.Invoice, q.Items = inv.Record, items
		return q, nil
	}
	credit, err := ledger.Balance(app, customer.Id, inv.Currency())
	if err != nil {
		return nil, err
	}
	itemsCol, err := app.FindCachedCollectionByNameOrId(ledger.ItemsCollection)
	if err != nil {
		return nil, err
	}
	if items, err = ledger.WithRounding(itemsCol, inv, items, credit); err != nil {
		return nil, err
	}
	// The batch is never flushed: it reads the counters and takes nothing.
	numbers := ledger.NewBatchNumbers(ctx, app)
	if _, err := ledger.Issue(inv, items, ledger.IssueContext{Settings: p.settings, Customer: customer, Credit: credit, Numbers: numbers, Now: now}); err != nil {
		return nil, err
	}
	q.Invoice, q.Items = inv.Record, items
	return q, nil
}
