package bandwidth

import (
	"context"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/billing/subscriptions"
	"github.com/ezscale/ezscale/billing/tax"
	"github.com/ezscale/ezscale/integrations/notify"
	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/internal/settings"
)

// SettleResult counts what a settle pass did.
type SettleResult struct {
	Settled  int // periods made final
	Charged  int // overage lines added to draft invoices
	Invoices int // overage invoices issued
	Voided   int // draft overage invoices voided because staff waived every line
}

// Settle bills the overage of ended periods, as part of the daily billing
// run. A period becomes final bandwidth_settle_hours after its end, when
// late flow records have arrived; its overage, if the plan price has an
// overage_per_gb, becomes a line on a draft invoice of purpose "overage"
// for the customer (one draft per customer collects every service's
// line). The draft waits bandwidth_overage_review_hours more, during which
// staff may waive a line (invoice_items.waived) in the dashboard; then it
// is issued and the customer told.
//
// Overage has its own invoice because the renewal invoice of the next
// period is issued in advance (the renewal lead days), so it is always out
// before the period it would charge for has settled; a cancelled or
// terminated service has no renewal at all.
func Settle(ctx context.Context, app core.App, opts Options) (SettleResult, error) {
	var res SettleResult
	opts = opts.withDefaults()
	s, err := settings.Load(app)
	if err != nil {
		return res, err
	}
	settle := time.Duration(s.BandwidthSettleHours) * time.Hour
	var due []string
	err = app.DB().Select("id").From(UsageCollection).
		Where(dbx.HashExp{"final": false}).
		AndWhere(dbx.NewExp("period_end <= {:cut}", dbx.Params{"cut": opts.Now.Add(-settle).Format(types.DefaultDateLayout)})).
		OrderBy("customer", "period_end", "id").Column(&due)
	if err != nil {
		return res, fmt.Errorf("settled bandwidth usage: %w", err)
	}
	rates, err := ledger.Rates(app)
	if err != nil {
		return res, err
	}
	for i := 0; i < len(due); i += opts.ServicesPerTx {
		batch := due[i:min(i+opts.ServicesPerTx, len(due))]
		err := app.RunInTransaction(func(tx core.App) error {
			drafts := map[string]*ledger.Invoice{}
			for _, id := range batch {
				if err := settleOne(ctx, tx, s, rates, id, drafts, &res); err != nil {
					return err
				}
			}
			for _, inv := range drafts {
				if err := ledger.RecomputeAndSave(ctx, tx, inv.Id); err != nil {
					return fmt.Errorf("overage invoice %s: %w", inv.Id, err)
				}
			}
			return nil
		})
		if err != nil {
			return res, err
		}
	}
	err = issueDue(ctx, app, s, opts.Now, &res)
	fmt.Fprintf(opts.Progress, "bandwidth: %d periods settled, %d overage lines, %d overage invoices issued, %d waived entirely\n",
		res.Settled, res.Charged, res.Invoices, res.Voided)
	return res, err
}

// settleOne makes one usage record final, adding its overage to the
// customer's draft overage invoice when there is something to charge.
func settleOne(ctx context.Context, tx core.App, s *settings.Settings, rates []tax.Rate, id string, drafts map[string]*ledger.Invoice, res *SettleResult) error {
	u, err := tx.FindRecordById(UsageCollection, id)
	if err != nil {
		return fmt.Errorf("bandwidth_usage %s: %w", id, err)
	}
	if u.GetBool("final") {
		return nil // a concurrent pass settled it
	}
	line, customer, err := overageLine(tx, u)
	if err != nil {
		return fmt.Errorf("bandwidth_usage %s: %w", id, err)
	}
	if line != nil {
		inv := drafts[customer.Id]
		if inv == nil {
			if inv, err = draftFor(ctx, tx, s, rates, customer); err != nil {
				return fmt.Errorf("bandwidth_usage %s: %w", id, err)
			}
			drafts[customer.Id] = inv
		}
		if _, err := ledger.AddLine(ctx, tx, inv, *line); err != nil {
			return fmt.Errorf("bandwidth_usage %s: overage line: %w", id, err)
		}
		u.Set("invoice", inv.Id)
		res.Charged++
	}
	u.Set("final", true)
	if err := tx.SaveWithContext(ctx, u); err != nil {
		return fmt.Errorf("bandwidth_usage %s: %w", id, err)
	}
	res.Settled++
	return nil
}

// overageLine is the invoice line of u's overage, or nil when there is
// nothing to charge: no overage, no overage price, or an amount that
// rounds to zero.
func overageLine(tx core.App, u *core.Record) (*ledger.Line, *core.Record, error) {
	over := u.GetInt64("overage_bytes")
	if over <= 0 || u.GetInt64("quota_bytes") <= 0 {
		return nil, nil, nil
	}
	svc, err := provisioning.FindService(tx, u.GetString("service"))
	if err != nil {
		return nil, nil, fmt.Errorf("service %s: %w", u.GetString("service"), err)
	}
	sub, err := subscriptions.Find(tx, svc.SubscriptionID())
	if err != nil {
		return nil, nil, fmt.Errorf("service %s: subscription %q: %w", svc.Id, svc.SubscriptionID(), err)
	}
	price, err := tx.FindRecordById("plan_prices", sub.PlanPriceID())
	if err != nil {
		return nil, nil, fmt.Errorf("subscription %s: plan price %q: %w", sub.Id, sub.PlanPriceID(), err)
	}
	perGB := price.GetInt64("overage_per_gb")
	amount := OverageAmount(over, perGB)
	if amount == 0 {
		return nil, nil, nil
	}
	customer, err := tx.FindRecordById(customers.Collection, u.GetString("customer"))
	if err != nil {
		return nil, nil, fmt.Errorf("customer %s: %w", u.GetString("customer"), err)
	}
	currency := price.GetString("currency")
	if c := customers.As(customer).Currency(); c != currency {
		return nil, nil, fmt.Errorf("plan price %s is in %s but customer %s pays in %s", price.Id, currency, customer.Id, c)
	}
	start, end := u.GetDateTime("period_start").Time(), u.GetDateTime("period_end").Time()
	return &ledger.Line{
		Kind: ledger.KindOverage, Quantity: 1, UnitAmount: amount, Subscription: sub.Id, Service: svc.Id,
		PeriodStart: start, PeriodEnd: end,
		Description: Describe(notify.ServiceLabel(svc.ProxyRecord()), over, u.GetInt64("quota_bytes"), money.Amount{Minor: perGB, Currency: currency}, start, end),
	}, customer, nil
}

// OverageAmount is the charge for over bytes at perGB minor units per
// decimal GB: over × perGB / 10^9, rounded half to even to the minor unit,
// as the ledger rounds tax per line. It is computed exactly (no floats, no
// overflow) from the bytes, not from a rounded number of GB.
func OverageAmount(over, perGB int64) int64 {
	if over <= 0 || perGB <= 0 {
		return 0
	}
	q, r := new(big.Int).QuoRem(new(big.Int).Mul(big.NewInt(over), big.NewInt(perGB)), big.NewInt(BytesPerGB), new(big.Int))
	switch c := new(big.Int).Mul(r, big.NewInt(2)).Cmp(big.NewInt(BytesPerGB)); {
	case c > 0, c == 0 && q.Bit(0) == 1:
		q.Add(q, big.NewInt(1))
	}
	return q.Int64()
}

// Describe is the invoice line's text: the service, the exact decimal GB
// over the quota, the price per GB and the period.
func Describe(label string, over, quota int64, perGB money.Amount, start, end time.Time) string {
	return fmt.Sprintf("Bandwidth overage %s: %s GB over the %s GB quota at %s per GB (%s – %s)",
		label, GB(over), GB(quota), perGB, start.UTC().Format("2 Jan 2006"), end.UTC().Format("2 Jan 2006"))
}

// GB writes bytes as exact decimal GB: 12_345_000_000 is "12.345".
func GB(bytes int64) string {
	s := fmt.Sprintf("%d.%09d", bytes/BytesPerGB, bytes%BytesPerGB)
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
}

// draftFor finds the customer's draft overage invoice, or starts one.
func draftFor(ctx context.Context, tx core.App, s *settings.Settings, rates []tax.Rate, customer *core.Record) (*ledger.Invoice, error) {
	recs, err := tx.FindRecordsByFilter(ledger.InvoicesCollection, "customer = {:c} && purpose = {:p} && status = {:s} && currency = {:cur}",
		"created", 1, 0, dbx.Params{"c": customer.Id, "p": ledger.PurposeOverage, "s": ledger.StatusDraft, "cur": customers.As(customer).Currency()})
	if err != nil {
		return nil, fmt.Errorf("draft overage invoice of customer %s: %w", customer.Id, err)
	}
	if len(recs) > 0 {
		return ledger.AsInvoice(recs[0]), nil
	}
	return ledger.NewDraft(ctx, tx, s, ledger.Decide(s, rates, customer), customer, ledger.PurposeOverage)
}

// issueDue issues the draft overage invoices whose review time is over:
// bandwidth_overage_review_hours after the latest period on them settled.
// Each is issued in its own transaction through the ledger's normal path
// (number, credit, the invoice email), with the overage emails of its
// lines that were not waived; one whose every line was waived is voided
// instead, unnumbered, and nobody is told.
func issueDue(ctx context.Context, app core.App, s *settings.Settings, now time.Time, res *SettleResult) error {
	wait := time.Duration(s.BandwidthSettleHours+s.BandwidthOverageReviewHours) * time.Hour
	var ids []string
	err := app.DB().Select("i.id").From("invoices i").
		InnerJoin(UsageCollection+" u", dbx.NewExp("u.invoice = i.id")).
		Where(dbx.HashExp{"i.status": ledger.StatusDraft, "i.purpose": ledger.PurposeOverage}).
		GroupBy("i.id").
		Having(dbx.NewExp("MAX(u.period_end) <= {:cut}", dbx.Params{"cut": now.Add(-wait).Format(types.DefaultDateLayout)})).
		OrderBy("i.id").Column(&ids)
	if err != nil {
		return fmt.Errorf("overage invoices to issue: %w", err)
	}
	for _, id := range ids {
		err := app.RunInTransaction(func(tx core.App) error {
			inv, err := ledger.FindInvoice(tx, id)
			if err != nil {
				return err
			}
			if inv.Status() != ledger.StatusDraft {
				return nil
			}
			if waived, err := allWaived(tx, inv.Id); err != nil || waived {
				if err != nil {
					return err
				}
				// Nothing to charge: void rather than issue a numbered zero
				// invoice, which would be "paid" at once with a receipt.
				inv.Set("status", ledger.StatusVoid)
				inv.Set("staff_notes", strings.TrimSpace(inv.GetString("staff_notes")+"\nEvery overage line was waived; not issued."))
				res.Voided++
				return tx.SaveWithContext(ctx, inv)
			}
			if err := ledger.Finalize(ctx, tx, inv, now); err != nil {
				return err
			}
			if inv, err = ledger.FindInvoice(tx, id); err != nil {
				return err
			}
			res.Invoices++
			return chargedNotices(ctx, tx, inv)
		})
		if err != nil {
			return fmt.Errorf("overage invoice %s: %w", id, err)
		}
	}
	return nil
}

// allWaived says whether staff waived every line of an invoice.
func allWaived(tx core.App, invoiceID string) (bool, error) {
	items, err := ledger.Items(tx, invoiceID)
	if err != nil {
		return false, fmt.Errorf("invoice %s lines: %w", invoiceID, err)
	}
	for _, it := range items {
		if !it.GetBool("waived") {
			return false, nil
		}
	}
	return true, nil
}

// chargedNotices tells the customer of each overage line of inv that was
// not waived what it charges for.
func chargedNotices(ctx context.Context, tx core.App, inv *ledger.Invoice) error {
	items, err := ledger.Items(tx, inv.Id)
	if err != nil {
		return err
	}
	customer, err := tx.FindRecordById(customers.Collection, inv.CustomerID())
	if err != nil {
		return fmt.Errorf("customer %s: %w", inv.CustomerID(), err)
	}
	for _, it := range items {
		if it.GetString("kind") != ledger.KindOverage || it.GetBool("waived") {
			continue
		}
		svc, err := tx.FindRecordById(provisioning.ServicesCollection, it.GetString("service"))
		if err != nil {
			return fmt.Errorf("line %s: service %q: %w", it.Id, it.GetString("service"), err)
		}
		u, err := tx.FindFirstRecordByFilter(UsageCollection, "invoice = {:i} && service = {:s} && period_start = {:p}",
			dbx.Params{"i": inv.Id, "s": svc.Id, "p": it.GetDateTime("period_start").String()})
		if err != nil {
			return fmt.Errorf("line %s: usage of service %s: %w", it.Id, svc.Id, err)
		}
		_, err = notify.Customer(ctx, tx, notify.Email{Key: "bandwidth_overage_charged", Customer: customer,
			DedupeKey: "bandwidth_usage:" + u.Id + ":overage_charged",
			Data: notify.Data{"Service": notify.ServiceFacts(tx, svc), "Over": u.GetInt64("overage_bytes"),
				"Amount":  money.Amount{Minor: it.GetInt64("amount") + grossTax(it), Currency: inv.Currency()},
				"Invoice": notify.InvoiceFacts(inv), "Link": notify.InvoiceLink(tx, inv.Id)}})
		if err != nil {
			return fmt.Errorf("overage notice of service %s: %w", svc.Id, err)
		}
	}
	return nil
}

// grossTax is the tax a line adds on top of its amount: none when the
// amount already includes it.
func grossTax(item *core.Record) int64 {
	if item.GetBool("tax_inclusive") {
		return 0
	}
	return item.GetInt64("tax_amount")
}
