package planchange

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/subscriptions"
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
	// PeriodEnd is the end of the period quoted: later periods still on
	// open invoices when the change applies are repriced from there.
	PeriodEnd time.Time `json:"period_end"`
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
// dropped, if unpaid after the configured days. A downgrade credits what
// was paid for the time given up and changes the plan now. The new price
// is what renews.
//
// The quote was priced outside the transaction: it is priced again inside,
// where changes are serialised, and refused (409, nothing written) when
// the subscription changed meanwhile or the price would differ, so two
// concurrent changes never both apply to the same period.
func Apply(ctx context.Context, app core.App, quoted *Quote) (*Outcome, error) {
	out := &Outcome{Quote: quoted}
	err := app.RunInTransaction(func(tx core.App) error {
		q, err := requote(tx, quoted)
		if err != nil {
			return err
		}
		out.Quote = q
		customer, err := tx.FindRecordById(customers.Collection, q.sub.CustomerID())
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
			for _, l := range q.lines {
				if _, err := ledger.AddLine(ctx, tx, inv, l); err != nil {
					return err
				}
			}
			inv.Set("plan_change", Pending{Subscription: q.sub.Id, Service: q.svc.Id, FromPrice: q.FromPrice, ToPrice: q.ToPrice,
				QuotedAt: q.At, PeriodEnd: q.PeriodEnd})
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
			for _, sp := range q.credits {
				if _, err := ledger.AddCredit(ctx, tx, ledger.CreditEntry{
					CustomerID: customer.Id, Currency: q.Currency, Amount: sp.amount, Reason: ledger.CreditDowngrade,
					Description:  "Plan change to " + q.toPlan.GetString("name") + ", unused time credited",
					Subscription: q.sub.Id, PeriodStart: sp.start, PeriodEnd: sp.end,
				}); err != nil {
					return err
				}
			}
			out.Credit = q.Credit
		}
		out.Applied = true
		return change(ctx, tx, q.sub.Id, q.svc.Id, q.ToPrice, q.PeriodEnd, "planchange:"+q.sub.Id+":"+q.At.Format(time.RFC3339Nano))
	})
	return out, err
}

// requote prices quoted again in the transaction tx. The subscription must
// be as it was when quoted: another change, a renewal billed or a
// cancellation since means the customer accepted a price that no longer
// holds.
func requote(tx core.App, quoted *Quote) (*Quote, error) {
	sub, err := subscriptions.Find(tx, quoted.sub.Id)
	if err != nil {
		return nil, err
	}
	if fingerprint(sub) != fingerprint(quoted.sub) {
		return nil, refuse(http.StatusConflict, "subscription_changed",
			"the subscription changed since this quote (another plan change or a renewal); ask for a new quote")
	}
	svc, err := tx.FindRecordById(provisioning.ServicesCollection, quoted.svc.Id)
	if err != nil {
		return nil, err
	}
	q, err := QuoteChange(tx, svc, quoted.ToPrice, quoted.At)
	if err != nil {
		return nil, err
	}
	if !q.sameAs(quoted) {
		return nil, refuse(http.StatusConflict, "quote_changed", "the price of this change is no longer the one quoted; ask for a new quote")
	}
	return q, nil
}

// fingerprint is what a quote depends on in a subscription record.
func fingerprint(sub *subscriptions.Subscription) string {
	return fmt.Sprint(sub.GetString("updated"), sub.Status(), sub.CancelAtPeriodEnd(),
		sub.PlanPriceID(), sub.Amount(), sub.CouponID(),
		sub.CurrentPeriodStart(), sub.CurrentPeriodEnd(), sub.BilledUntil())
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
	return change(ctx, app, p.Subscription, p.Service, p.ToPrice, p.PeriodEnd, "invoice:"+inv.Id+":change_plan")
}

// change moves the subscription and service to the new price and queues
// the change on the platform. The subscription's coupon stays only if it
// covers the new plan. Periods from repriceFrom on that are still on open
// invoices are repriced: the renewal run bills ahead, and the period it
// billed must cost what the service now is.
func change(ctx context.Context, tx core.App, subID, svcID, toPriceID string, repriceFrom time.Time, cause string) error {
	sub, err := subscriptions.Find(tx, subID)
	if err != nil {
		return err
	}
	price, err := tx.FindRecordById("plan_prices", toPriceID)
	if err != nil {
		return err
	}
	plan, err := tx.FindRecordById("plans", price.GetString("plan"))
	if err != nil {
		return err
	}
	cpn, err := subscriptionCoupon(tx, sub)
	if err != nil {
		return err
	}
	sub.SetPlanPriceID(price.Id)
	sub.SetPlanID(plan.Id)
	sub.SetAmount(price.GetInt64("amount"))
	if cpn != nil && !cpn.CoversPlan(plan.Id) {
		sub.SetCouponID("")
	}
	if err := tx.SaveWithContext(ctx, sub); err != nil {
		return err
	}
	if repriceFrom.IsZero() {
		repriceFrom = sub.CurrentPeriodEnd().Time()
	}
	if err := repriceLater(ctx, tx, sub, cpn, repriceFrom, plan.GetString("name")); err != nil {
		return err
	}
	svc, err := provisioning.FindService(tx, svcID)
	if err != nil {
		return err
	}
	svc.SetPlanID(plan.Id)
	if err := tx.SaveWithContext(ctx, svc); err != nil {
		return err
	}
	_, err = provisioning.Enqueue(ctx, tx, provisioning.Job{
		ServiceID: svc.Id, Action: provisioning.ActionChangePlan, DedupeKey: cause,
		Payload: map[string]any{"plan": plan.Id, "plan_price": price.Id}, RequestedBy: "billing",
	})
	return err
}

// VoidExpired voids upgrade invoices still unpaid after their void date;
// the changes they would have paid for are dropped with them.
func VoidExpired(ctx context.Context, app core.App, now time.Time) (int, error) {
	recs, err := app.FindRecordsByFilter(ledger.InvoicesCollection,
		"purpose = 'plan_change' && status = 'open' && void_at != '' && void_at <= {:now}", "", 0, 0,
		dbx.Params{"now": now.UTC().Format(types.DefaultDateLayout)})
	if err != nil {
		return 0, err
	}
	voided := 0
	for _, rec := range recs {
		// Each in its own transaction, on the invoice as it is now: one paid
		// since the list was read is left alone, and the credit a void
		// returns commits with the void.
		err := app.RunInTransaction(func(tx core.App) error {
			inv, err := ledger.FindInvoice(tx, rec.Id)
			if err != nil || inv.Status() != ledger.StatusOpen {
				return err
			}
			voided++
			return ledger.Void(ctx, tx, inv, "Voided unpaid: the plan change was dropped.")
		})
		if err != nil {
			return voided, fmt.Errorf("void plan change invoice %s: %w", rec.Id, err)
		}
	}
	return voided, nil
}
