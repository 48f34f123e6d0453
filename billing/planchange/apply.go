package planchange

import (
	"context"
	"fmt"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/internal/settings"
)

// Pending is what a plan-change invoice stores about the change it pays for.
type Pending struct {
	Subscription string    `json:"subscription"`
	Service      string    `json:"service"`
	FromPrice    string    `json:"from_plan_price"`
	ToPrice      string    `json:"to_plan_price"`
	QuotedAt     time.Time `json:"quoted_at"`
}

// Outcome is what applying a quote did.
type Outcome struct {
	Quote   *Quote
	Applied bool            // the service has the new plan now
	Invoice *ledger.Invoice // the upgrade invoice, when one was issued
	Credit  int64           // account credit given for a downgrade
}

// Apply carries out a quote in one transaction. An upgrade issues an
// invoice for the difference, due now, and changes the plan once it is
// paid (at once when credit covers it); it is voided, and the change
// dropped, if unpaid after the configured days. A downgrade credits the
// difference and changes the plan now. The new price is what renews.
func Apply(ctx context.Context, app core.App, q *Quote) (*Outcome, error) {
	out := &Outcome{Quote: q}
	err := app.RunInTransaction(func(tx core.App) error {
		customer, err := tx.FindRecordById("customers", q.sub.GetString("customer"))
		if err != nil {
			return err
		}
		switch q.Kind {
		case KindUpgrade:
			s, err := settings.Load(tx)
			if err != nil {
				return err
			}
			inv, err := ledger.NewDraft(ctx, tx, s, q.treatment, customer, ledger.PurposePlanChange)
			if err != nil {
				return err
			}
			_, err = ledger.AddLine(ctx, tx, inv, ledger.Line{
				Kind: ledger.KindProration, Quantity: 1, UnitAmount: q.Net,
				Description:  fmt.Sprintf("Plan change to %s, prorated for the rest of the period", q.toPlan.GetString("name")),
				Subscription: q.sub.Id, Service: q.svc.Id, PeriodStart: q.At, PeriodEnd: q.PeriodEnd,
			})
			if err != nil {
				return err
			}
			inv.Set("plan_change", Pending{Subscription: q.sub.Id, Service: q.svc.Id, FromPrice: q.FromPrice, ToPrice: q.ToPrice, QuotedAt: q.At})
			inv.Set("void_at", q.At.AddDate(0, 0, s.UpgradeInvoiceVoidDays))
			if err := tx.SaveWithContext(ctx, inv); err != nil {
				return err
			}
			// Issuing may pay it from credit, which applies the change (see ApplyPaid).
			if err := ledger.Finalize(ctx, tx, inv, q.At); err != nil {
				return err
			}
			if out.Invoice, err = ledger.FindInvoice(tx, inv.Id); err != nil {
				return err
			}
			out.Applied = out.Invoice.Status() == ledger.StatusPaid
			return nil
		case KindDowngrade:
			out.Credit = -q.Net
			if _, err := ledger.AddCredit(ctx, tx, ledger.CreditEntry{
				CustomerID: customer.Id, Currency: q.Currency, Amount: out.Credit, Reason: ledger.CreditDowngrade,
				Description: "Plan change to " + q.toPlan.GetString("name") + ", unused time credited",
			}); err != nil {
				return err
			}
		}
		out.Applied = true
		return change(ctx, tx, q.sub.Id, q.svc.Id, q.ToPrice, "planchange:"+q.sub.Id+":"+q.At.Format(time.RFC3339Nano))
	})
	return out, err
}

// ApplyPaid applies the change an upgrade invoice paid for. Called in the
// transaction that marks the invoice paid, whatever marked it.
func ApplyPaid(ctx context.Context, app core.App, inv *ledger.Invoice) error {
	if inv.GetString("purpose") != ledger.PurposePlanChange {
		return nil
	}
	var p Pending
	if err := inv.UnmarshalJSONField("plan_change", &p); err != nil || p.Subscription == "" {
		return fmt.Errorf("plan change invoice %s: no change recorded", inv.Id)
	}
	return change(ctx, app, p.Subscription, p.Service, p.ToPrice, "invoice:"+inv.Id+":change_plan")
}

// change moves the subscription and service to the new price and queues
// the change on the platform.
func change(ctx context.Context, tx core.App, subID, svcID, toPriceID, cause string) error {
	sub, err := tx.FindRecordById("subscriptions", subID)
	if err != nil {
		return err
	}
	price, err := tx.FindRecordById("plan_prices", toPriceID)
	if err != nil {
		return err
	}
	sub.Set("plan_price", price.Id)
	sub.Set("plan", price.GetString("plan"))
	sub.Set("amount", price.GetInt64("amount"))
	if err := tx.SaveWithContext(ctx, sub); err != nil {
		return err
	}
	svc, err := tx.FindRecordById("services", svcID)
	if err != nil {
		return err
	}
	svc.Set("plan", price.GetString("plan"))
	if err := tx.SaveWithContext(ctx, svc); err != nil {
		return err
	}
	_, err = provisioning.Enqueue(ctx, tx, provisioning.Job{
		ServiceID: svc.Id, Action: provisioning.ActionChangePlan, DedupeKey: cause,
		Payload: map[string]any{"plan": price.GetString("plan"), "plan_price": price.Id}, RequestedBy: "billing",
	})
	return err
}

// VoidExpired voids upgrade invoices still unpaid after their void date;
// the changes they would have paid for are dropped with them.
func VoidExpired(ctx context.Context, app core.App, now time.Time) (int, error) {
	recs, err := app.FindRecordsByFilter(ledger.InvoicesCollection,
		"purpose = 'plan_change' && status = 'open' && void_at != '' && void_at <= {:now}", "", 0, 0,
		dbx.Params{"now": now.UTC().Format("2006-01-02 15:04:05.000Z")})
	if err != nil {
		return 0, err
	}
	for _, rec := range recs {
		rec.Set("status", ledger.StatusVoid)
		rec.Set("staff_notes", rec.GetString("staff_notes")+"\nVoided unpaid: the plan change was dropped.")
		if err := app.SaveWithContext(ctx, rec); err != nil {
			return 0, fmt.Errorf("void plan change invoice %s: %w", rec.Id, err)
		}
	}
	return len(recs), nil
}
