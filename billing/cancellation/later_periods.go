package cancellation

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/subscriptions"
)

// withdrawLaterPeriods stops a cancelled subscription's time after from
// from being charged: on each draft or open invoice, its lines for periods
// starting at or after from (and an unpaid upgrade's proration running past
// it) are taken off, with the coupon discount of the service; an invoice
// that billed nothing else is voided. Renewals are issued ahead of their
// period, so one is often open already when the subscription ends.
func withdrawLaterPeriods(ctx context.Context, tx core.App, sub *subscriptions.Subscription, from time.Time) error {
	var rows []struct {
		ID      string `db:"id"`
		Invoice string `db:"invoice"`
	}
	at := from.UTC().Format(types.DefaultDateLayout)
	err := tx.DB().NewQuery(`SELECT it.id, it.invoice FROM invoice_items it JOIN invoices inv ON inv.id = it.invoice
		WHERE it.subscription = {:sub} AND inv.status IN ('draft', 'open') AND it.period_start != ''
			AND (it.period_start >= {:from} OR (it.kind = 'proration' AND it.period_end > {:from}))
		ORDER BY inv.created, inv.id`).
		Bind(dbx.Params{"sub": sub.Id, "from": at}).All(&rows)
	if err != nil {
		return fmt.Errorf("later periods of subscription %s: %w", sub.Id, err)
	}
	later := map[string][]string{}
	var invoices []string
	for _, r := range rows {
		if _, ok := later[r.Invoice]; !ok {
			invoices = append(invoices, r.Invoice)
		}
		later[r.Invoice] = append(later[r.Invoice], r.ID)
	}
	why := fmt.Sprintf("Subscription %s cancelled: its time from %s is not billed.", sub.Id, from.UTC().Format(time.DateOnly))
	for _, id := range invoices {
		inv, err := ledger.FindInvoice(tx, id)
		if err != nil {
			return err
		}
		lines, err := withDiscounts(tx, inv, later[id])
		if err != nil {
			return err
		}
		if err := ledger.WithdrawLines(ctx, tx, inv, lines, why); err != nil {
			return err
		}
	}
	return nil
}

// withDiscounts adds to the lines being withdrawn the coupon discounts of
// their services that no line left on the invoice would still carry.
func withDiscounts(tx core.App, inv *ledger.Invoice, lineIDs []string) ([]string, error) {
	items, err := ledger.Items(tx, inv.Id)
	if err != nil {
		return nil, err
	}
	billed := map[string]bool{} // services with a line that stays
	for _, it := range items {
		if it.GetString("kind") != ledger.KindDiscount && !slices.Contains(lineIDs, it.Id) {
			billed[it.GetString("service")] = true
		}
	}
	withdrawn := map[string]bool{}
	for _, it := range items {
		if slices.Contains(lineIDs, it.Id) && it.GetString("service") != "" {
			withdrawn[it.GetString("service")] = true
		}
	}
	out := slices.Clone(lineIDs)
	for _, it := range items {
		if svc := it.GetString("service"); it.GetString("kind") == ledger.KindDiscount && withdrawn[svc] && !billed[svc] {
			out = append(out, it.Id)
		}
	}
	return out, nil
}

// creditLaterTime returns as account credit what the customer actually
// paid for the subscription's time from from on, tax included and net of
// coupons, refunds and credit already returned for it (ledger.PaidValue),
// recorded against that span so it is never returned twice.
func creditLaterTime(ctx context.Context, tx core.App, sub *subscriptions.Subscription, from time.Time) (int64, error) {
	through, err := billedThrough(tx, sub)
	if err != nil || !through.After(from) {
		return 0, err
	}
	credit, err := ledger.PaidValue(tx, sub.Id, from, through)
	if err != nil || credit <= 0 {
		return 0, err
	}
	// The credit names the time it returns: up to where payment reached,
	// not a later period billed and withdrawn unpaid.
	if through, err = ledger.PaidUntil(tx, sub.Id, from, through); err != nil {
		return 0, err
	}
	_, err = ledger.AddCredit(ctx, tx, ledger.CreditEntry{
		CustomerID: sub.CustomerID(), Currency: sub.Currency(), Amount: credit,
		Reason: ledger.CreditCancellation, Description: "Unused time of a cancelled service",
		Subscription: sub.Id, PeriodStart: from, PeriodEnd: through,
	})
	return credit, err
}

// billedThrough is the end of the last period billed to the subscription:
// read from its invoice lines as well as billed_until, so a period issued
// is found whatever billed_until says.
func billedThrough(tx core.App, sub *subscriptions.Subscription) (time.Time, error) {
	through := sub.BilledUntil().Time()
	var row struct {
		End string `db:"end"`
	}
	err := tx.DB().NewQuery(`SELECT COALESCE(MAX(period_end), '') AS end FROM invoice_items
		WHERE subscription = {:sub} AND period_end != ''`).Bind(dbx.Params{"sub": sub.Id}).One(&row)
	if err != nil {
		return through, fmt.Errorf("periods billed to subscription %s: %w", sub.Id, err)
	}
	if row.End != "" {
		end, err := time.Parse(types.DefaultDateLayout, row.End)
		if err != nil {
			return through, fmt.Errorf("periods billed to subscription %s: %w", sub.Id, err)
		}
		if end.After(through) {
			through = end
		}
	}
	return through, nil
}
