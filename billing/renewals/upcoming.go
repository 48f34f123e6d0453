package renewals

import (
	"fmt"
	"sort"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/cycle"
	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/subscriptions"
	"github.com/ezscale/ezscale/billing/tax"
	"github.com/ezscale/ezscale/internal/settings"
)

// Kinds of upcoming charge.
const (
	UpcomingRenewal = "renewal" // the next period, billed ahead at the price below
	UpcomingHourly  = "hourly"  // metered hours, billed in arrears: no amount known yet
	UpcomingEnding  = "ending"  // cancelled at period end: nothing more is billed
)

// UpcomingCharge is what the renewal run will bill next for one service.
type UpcomingCharge struct {
	Service      string `json:"service"`
	Subscription string `json:"subscription"`
	Kind         string `json:"kind"`
	// Date is when the invoice is issued (the renewal run bills a period its
	// cycle's lead days ahead); for an ending service, when it ends.
	Date        time.Time  `json:"date"`
	PeriodStart *time.Time `json:"period_start,omitempty"`
	PeriodEnd   *time.Time `json:"period_end,omitempty"`
	// Amount is the invoice gross in minor units, tax included, after the
	// coupon; nil when nothing or an unknown amount will be billed.
	Amount      *int64 `json:"amount"`
	Tax         int64  `json:"tax"`
	Currency    string `json:"currency"`
	TaxIncluded bool   `json:"tax_included"`
	TaxName     string `json:"tax_name,omitempty"`
	Label       string `json:"label"`
	// TrialEnd is set while the subscription is in its free trial: the
	// charge is its first, for the period starting when the trial ends.
	TrialEnd *time.Time `json:"trial_end,omitempty"`
}

// UpcomingCharges is a customer's next charges and their sum per currency.
type UpcomingCharges struct {
	Charges []UpcomingCharge `json:"charges"`
	Totals  map[string]int64 `json:"totals"`
}

// Upcoming is what the renewal run will bill next for each of customerID's
// running subscriptions, priced by the run's own periodLines (price as
// stored, off-schedule proration, coupon while it lasts) and taxed with the
// customer's treatment as it is now, exactly as the run would bill it.
// Nothing is written.
func Upcoming(app core.App, customerID string, now time.Time) (*UpcomingCharges, error) {
	out := &UpcomingCharges{Charges: []UpcomingCharge{}, Totals: map[string]int64{}}
	subs, err := app.FindRecordsByFilter(subscriptions.Collection,
		"customer = {:c} && (status = 'active' || status = 'past_due')", "billed_until,id", 0, 0, map[string]any{"c": customerID})
	if err != nil {
		return nil, fmt.Errorf("subscriptions: %w", err)
	}
	if len(subs) == 0 {
		return out, nil
	}
	s, err := settings.Load(app)
	if err != nil {
		return nil, err
	}
	rates, err := ledger.Rates(app)
	if err != nil {
		return nil, err
	}
	b, err := newPricer(app, s, rates)
	if err != nil {
		return nil, err
	}
	g := invoiceGroup{customer: customerID}
	for _, sub := range subs {
		g.subscriptions = append(g.subscriptions, sub.Id)
	}
	bt, err := b.load(app, []invoiceGroup{g})
	if err != nil {
		return nil, err
	}
	customer := bt.customers[customerID]
	if customer == nil {
		return nil, fmt.Errorf("customer %s not found", customerID)
	}
	treatment := ledger.Decide(s, rates, customer)
	for _, sub := range subs {
		ch, err := b.upcoming(bt, bt.subs[sub.Id], customer, treatment, now)
		if err != nil {
			return nil, fmt.Errorf("subscription %s: %w", sub.Id, err)
		}
		if ch.Amount != nil {
			out.Totals[ch.Currency] += *ch.Amount
		}
		out.Charges = append(out.Charges, ch)
	}
	sort.SliceStable(out.Charges, func(i, j int) bool { return out.Charges[i].Date.Before(out.Charges[j].Date) })
	return out, nil
}

// newPricer is a biller that only prices: no outbox or notices.
func newPricer(app core.App, s *settings.Settings, rates []tax.Rate) (*biller, error) {
	b := &biller{settings: s, rates: rates, planNames: map[string]string{}}
	var err error
	if b.invoices, err = app.FindCachedCollectionByNameOrId(ledger.InvoicesCollection); err != nil {
		return nil, err
	}
	if b.items, err = app.FindCachedCollectionByNameOrId(ledger.ItemsCollection); err != nil {
		return nil, err
	}
	plans, err := app.FindAllRecords("plans")
	if err != nil {
		return nil, err
	}
	for _, p := range plans {
		b.planNames[p.Id] = p.GetString("name")
	}
	return b, nil
}

// upcoming prices one subscription's next unbilled period on an unsaved
// draft invoice, as billGroup would, with the run's clock set to when the
// period falls due. sub is changed in memory only.
func (b *biller) upcoming(bt *batch, sub *subscriptions.Subscription, customer *core.Record, t ledger.Treatment, now time.Time) (UpcomingCharge, error) {
	ch := UpcomingCharge{Subscription: sub.Id, Currency: sub.Currency()}
	if sub.InTrial(now) {
		end := sub.TrialEnd().Time()
		ch.TrialEnd = &end
	}
	if svc := bt.services[sub.Id]; svc != nil {
		ch.Service = svc.Id
	}
	c, err := cycle.Parse(string(sub.Cycle()))
	if err != nil {
		return ch, err
	}
	from := sub.BilledUntil().Time()
	if sub.CancelAtPeriodEnd() {
		ch.Kind, ch.Date = UpcomingEnding, sub.CurrentPeriodEnd().Time()
		ch.Label = "Cancelled at period end: no further charge"
		return ch, nil
	}
	if c == cycle.Hourly {
		ch.Kind = UpcomingHourly
		if !from.IsZero() {
			p, _ := cycle.PeriodContaining(Anchor(sub), c, from)
			ch.Date = p.End
		}
		ch.Label = "Billed by the hour for the hours used, after the month ends"
		return ch, nil
	}
	issue := from.AddDate(0, 0, -b.settings.RenewalLeadDays[string(c)])
	if issue.Before(now) {
		issue = now
	}
	b.now = issue
	lines, ok, err := b.periodLines(bt, sub)
	if err != nil || !ok {
		return ch, err
	}
	inv := ledger.NewDraftRecord(b.invoices, t, customer, ledger.PurposeRenewal)
	inv.Set("currency", ch.Currency)
	items := make([]*core.Record, 0, len(lines))
	for _, l := range lines {
		item, err := ledger.NewLine(b.items, inv, l)
		if err != nil {
			return ch, err
		}
		items = append(items, item)
	}
	ledger.RecomputeFrom(inv, items)
	total := inv.Total()
	start, end := lines[0].PeriodStart, lines[0].PeriodEnd
	ch.Kind, ch.Date, ch.PeriodStart, ch.PeriodEnd = UpcomingRenewal, issue, &start, &end
	ch.Amount, ch.Tax, ch.TaxIncluded = &total, inv.GetInt64("tax_total"), t.Charge
	if t.Charge {
		ch.TaxName = t.Name
	}
	ch.Label = lines[0].Description
	for _, l := range lines[1:] {
		if l.Kind == ledger.KindDiscount {
			ch.Label += ", " + l.Description
		}
	}
	return ch, nil
}
