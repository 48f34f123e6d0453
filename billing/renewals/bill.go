package renewals

import (
	"context"
	"fmt"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/ezscale/ezscale/billing/coupon"
	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/billing/cycle"
	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/billing/subscriptions"
	"github.com/ezscale/ezscale/integrations/notify"
	"github.com/ezscale/ezscale/integrations/outbox"
	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/internal/audit"
	"github.com/ezscale/ezscale/internal/bulk"
)

// batch is one transaction's worth of invoice groups with everything they
// need loaded in a few queries. It re-reads the subscriptions inside the
// transaction, so a period a concurrent run billed meanwhile is skipped.
type batch struct {
	subs      map[string]*subscriptions.Subscription
	customers map[string]*core.Record
	services  map[string]*provisioning.Service // by subscription
	coupons   map[string]*core.Record
	credit    map[string]int64 // by customer and currency
}

func (b *biller) load(tx core.App, groups []invoiceGroup) (*batch, error) {
	var subIDs, customerIDs []string
	for _, g := range groups {
		subIDs = append(subIDs, g.subscriptions...)
		customerIDs = append(customerIDs, g.customer)
	}
	bt := &batch{subs: map[string]*subscriptions.Subscription{}, customers: map[string]*core.Record{},
		services: map[string]*provisioning.Service{}, coupons: map[string]*core.Record{}, credit: map[string]int64{}}
	subs, err := tx.FindRecordsByIds(subscriptions.Collection, subIDs)
	if err != nil {
		return nil, fmt.Errorf("subscriptions: %w", err)
	}
	var couponIDs []any
	for _, rec := range subs {
		s := subscriptions.As(rec)
		bt.subs[s.Id] = s
		if c := s.CouponID(); c != "" {
			couponIDs = append(couponIDs, c)
		}
	}
	custs, err := tx.FindRecordsByIds(customers.Collection, customerIDs)
	if err != nil {
		return nil, fmt.Errorf("customers: %w", err)
	}
	for _, c := range custs {
		bt.customers[c.Id] = c
	}
	// Only what a period line shows or counts: the full rows would cost more
	// to turn into records than the rest of the batch's loading.
	var services []*core.Record
	err = tx.RecordQuery(provisioning.ServicesCollection).Select("id", "subscription", "label", "activated_at", "terminated_at").
		Where(dbx.In("subscription", anySlice(subIDs)...)).All(&services)
	if err != nil {
		return nil, fmt.Errorf("services: %w", err)
	}
	for _, rec := range services {
		s := provisioning.AsService(rec)
		bt.services[s.SubscriptionID()] = s
	}
	if len(couponIDs) > 0 {
		coupons, err := tx.FindAllRecords("coupons", dbx.In("id", couponIDs...))
		if err != nil {
			return nil, fmt.Errorf("coupons: %w", err)
		}
		for _, c := range coupons {
			bt.coupons[c.Id] = c
		}
	}
	var balances []struct {
		Customer string `db:"customer"`
		Currency string `db:"currency"`
		Sum      int64  `db:"total"`
	}
	err = tx.DB().Select("customer", "currency", "SUM(amount) AS total").From(ledger.CreditCollection).
		Where(dbx.In("customer", anySlice(customerIDs)...)).GroupBy("customer", "currency").All(&balances)
	if err != nil {
		return nil, fmt.Errorf("credit balances: %w", err)
	}
	for _, bal := range balances {
		bt.credit[bal.Customer+"/"+bal.Currency] = bal.Sum
	}
	return bt, nil
}

// writes collects what a batch creates, to store with few statements.
type writes struct {
	invoices, items, audits []*core.Record
	subs                    []*subscriptions.Subscription
	messages                []*core.Record // outbox (not audited)
}

// billBatch issues the invoices of groups in the transaction tx. Invoices
// that credit would pay, or that cost nothing, take the one-by-one path
// through the ledger's hooks, since paying has effects of its own.
func (b *biller) billBatch(ctx context.Context, tx core.App, groups []invoiceGroup, res *Result) error {
	bt, err := b.load(tx, groups)
	if err != nil {
		return err
	}
	numbers := ledger.NewBatchNumbers(ctx, tx)
	w := &writes{}
	for _, g := range groups {
		if err := b.billGroup(ctx, tx, bt, g, numbers, w, res); err != nil {
			return fmt.Errorf("customer %s: %w", g.customer, err)
		}
	}
	return b.store(ctx, tx, numbers, w)
}

func (b *biller) billGroup(ctx context.Context, tx core.App, bt *batch, g invoiceGroup, numbers *ledger.BatchNumbers, w *writes, res *Result) error {
	customer := bt.customers[g.customer]
	if customer == nil {
		return fmt.Errorf("customer not found")
	}
	var lines []ledger.Line
	var billed []*subscriptions.Subscription
	for _, id := range g.subscriptions {
		sub := bt.subs[id]
		if sub == nil {
			continue
		}
		subLines, ok, err := b.periodLines(bt, sub)
		if err != nil {
			return fmt.Errorf("subscription %s: %w", id, err)
		}
		if !ok {
			res.AlreadyDone++
			continue
		}
		lines = append(lines, subLines...)
		billed = append(billed, sub)
		for _, l := range subLines {
			if l.Kind != ledger.KindDiscount {
				res.Lines++
			}
		}
	}
	for _, sub := range billed {
		w.subs = append(w.subs, sub)
	}
	if len(lines) == 0 {
		return nil
	}
	res.Invoices++

	treatment := ledger.Decide(b.settings, b.rates, customer)
	inv := ledger.NewDraftRecord(b.invoices, treatment, customer, ledger.PurposeRenewal)
	bulk.Prepare([]*core.Record{inv.ProxyRecord()}, b.now)
	items := make([]*core.Record, 0, len(lines))
	for i, l := range lines {
		item, err := ledger.NewLine(b.items, inv, l)
		if err != nil {
			return err
		}
		item.Set("sort_order", i)
		items = append(items, item)
	}
	items, err := ledger.WithRounding(b.items, inv, items, 0)
	if err != nil {
		return err
	}

	if bt.credit[customer.Id+"/"+inv.Currency()] > 0 || inv.AmountDue() == 0 {
		return b.issueOneByOne(ctx, tx, customer, treatment, lines, numbers)
	}
	if _, err := ledger.Issue(inv, items, ledger.IssueContext{Settings: b.settings, Customer: customer, Numbers: numbers, Now: b.now}); err != nil {
		return err
	}
	bulk.Prepare(items, b.now)
	msg, err := b.notices.Message(notify.InvoiceIssuedEmail(tx, inv, customer))
	if err != nil {
		return err
	}
	w.messages = append(w.messages, outbox.NewRecord(b.outbox, msg))
	w.invoices = append(w.invoices, inv.ProxyRecord())
	w.items = append(w.items, items...)
	for _, r := range append([]*core.Record{inv.ProxyRecord()}, items...) {
		a, err := audit.ForRecord(ctx, tx, "create", r).NewRecord(tx)
		if err != nil {
			return err
		}
		w.audits = append(w.audits, a)
	}
	return nil
}

// issueOneByOne issues an invoice through the ledger's normal path, whose
// hooks apply credit and carry out what a paid invoice pays for. The
// batch's numbers are written first so both paths share one sequence.
func (b *biller) issueOneByOne(ctx context.Context, tx core.App, customer *core.Record, t ledger.Treatment, lines []ledger.Line, numbers *ledger.BatchNumbers) error {
	if err := numbers.Flush(); err != nil {
		return err
	}
	inv, err := ledger.NewDraft(ctx, tx, b.settings, t, customer, ledger.PurposeRenewal)
	if err != nil {
		return err
	}
	for _, l := range lines {
		if _, err := ledger.AddLine(ctx, tx, inv, l); err != nil {
			return err
		}
	}
	return ledger.Finalize(ctx, tx, inv, b.now)
}

// store writes a batch: the invoices, lines, audit entries and invoice
// emails in bulk, the subscriptions' new billed-until, and the number
// sequences.
func (b *biller) store(ctx context.Context, tx core.App, numbers *ledger.BatchNumbers, w *writes) error {
	if err := numbers.Flush(); err != nil {
		return err
	}
	// One prepared statement for every subscription: parsed once.
	update := tx.DB().NewQuery("UPDATE {{" + subscriptions.Collection + "}} SET [[billed_until]] = {:until}, [[coupon_cycles_used]] = {:cycles}, [[updated]] = {:now} WHERE [[id]] = {:id}").Prepare()
	defer update.Close()
	for _, sub := range w.subs {
		a, err := audit.ForRecord(ctx, tx, "update", sub.ProxyRecord()).NewRecord(tx)
		if err != nil {
			return err
		}
		w.audits = append(w.audits, a)
		_, err = update.Bind(dbx.Params{
			"until": sub.BilledUntil().String(), "cycles": sub.CouponCyclesUsed(),
			"now": b.now.UTC().Format(types.DefaultDateLayout), "id": sub.Id,
		}).Execute()
		if err != nil {
			return fmt.Errorf("subscription %s: %w", sub.Id, err)
		}
	}
	bulk.Prepare(w.audits, b.now)
	bulk.Prepare(w.messages, b.now)
	for _, recs := range [][]*core.Record{w.invoices, w.items, w.audits, w.messages} {
		if err := bulk.Insert(tx, recs); err != nil {
			return err
		}
	}
	return nil
}

// periodLines are the lines of a subscription's next unbilled period, its
// coupon discount included, with the subscription advanced past it.
// ok=false when the period is not due: a concurrent run billed it, or an
// hourly month has not ended. No lines with ok=true means the period had
// nothing to charge (no metered hours) but counts as billed.
func (b *biller) periodLines(bt *batch, sub *subscriptions.Subscription) ([]ledger.Line, bool, error) {
	// Re-read in this transaction: a cancellation that committed after the
	// run listed the subscription is not billed.
	if st := sub.Status(); (st != subscriptions.StatusActive && st != subscriptions.StatusPastDue) || sub.CancelAtPeriodEnd() {
		return nil, false, nil
	}
	c, err := cycle.Parse(string(sub.Cycle()))
	if err != nil {
		return nil, false, err
	}
	anchor := Anchor(sub)
	from := sub.BilledUntil().Time()
	if anchor.IsZero() || from.IsZero() {
		return nil, false, fmt.Errorf("no billing anchor")
	}
	period, n := cycle.PeriodContaining(anchor, c, from)
	scheduled := period
	// Paid until a date off its schedule (moved by hand, or data made
	// elsewhere): the next bill starts there, never before it, so no time is
	// billed twice; the rest of the scheduled period is charged pro rata and
	// the one after is back on the schedule.
	period.Start = from
	if c == cycle.Hourly {
		if b.now.Before(period.End) { // hourly usage is metered in arrears
			return nil, false, nil
		}
	} else if period.Start.After(b.now.AddDate(0, 0, b.settings.RenewalLeadDays[string(c)])) {
		return nil, false, nil
	}
	sub.SetBilledUntil(period.End)

	svc := bt.services[sub.Id]
	line := ledger.Line{
		Kind: ledger.KindPeriod, Quantity: 1, UnitAmount: sub.Amount(), Subscription: sub.Id,
		PeriodStart: period.Start, PeriodEnd: period.End,
	}
	if c != cycle.Hourly && period.Start.After(scheduled.Start) {
		line.UnitAmount = money.MulRatioFloor(line.UnitAmount, period.Seconds(), scheduled.Seconds())
	}
	label := ""
	if svc != nil {
		line.Service, label = svc.Id, svc.Label()
	}
	line.Description = ledger.PeriodDescription(b.planNames[sub.PlanID()], label, c)
	if c == cycle.Hourly {
		hours := activeHours(svc, period)
		if hours == 0 {
			return nil, true, nil
		}
		line.Kind, line.Quantity = ledger.KindHourly, hours
	}
	lines := []ledger.Line{line}

	// The coupon of the subscription, while it is still in force and covers
	// the plan the subscription has now (a plan change may have left it).
	if rec := bt.coupons[sub.CouponID()]; rec != nil {
		cpn, err := ledger.CouponFromRecord(rec)
		if err != nil {
			return nil, false, err
		}
		if cpn.AppliesToCycle(n) && cpn.CoversPlan(sub.PlanID()) {
			off, err := cpn.Discount(sub.Currency(), line.Quantity*line.UnitAmount)
			if err != nil {
				return nil, false, err
			}
			if off > 0 {
				lines = append(lines, discountLine(cpn, off, line.Service))
				sub.SetCouponCyclesUsed(sub.CouponCyclesUsed() + 1)
			}
		}
	}
	return lines, true, nil
}

func discountLine(cpn coupon.Coupon, off int64, service string) ledger.Line {
	return ledger.Line{Kind: ledger.KindDiscount, Description: "Coupon " + cpn.Code, Quantity: 1, UnitAmount: -off, Service: service}
}

// activeHours is how many started hours a service was active within p.
func activeHours(svc *provisioning.Service, p cycle.Period) int64 {
	if svc == nil {
		return 0
	}
	from, to := p.Start, p.End
	if a := svc.ActivatedAt().Time(); a.IsZero() {
		return 0
	} else if a.After(from) {
		from = a
	}
	if t := svc.TerminatedAt().Time(); !t.IsZero() && t.Before(to) {
		to = t
	}
	if !to.After(from) {
		return 0
	}
	return int64((to.Sub(from) + time.Hour - time.Second) / time.Hour)
}

func anySlice(ids []string) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}
