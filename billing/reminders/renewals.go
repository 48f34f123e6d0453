// Package reminders tells customers ahead of time what is about to happen
// to their account, so a renewal charge is never a surprise.
package reminders

import (
	"context"
	"fmt"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/billing/parallelrun"
	"github.com/ezscale/ezscale/billing/subscriptions"
	"github.com/ezscale/ezscale/integrations/notify"
	"github.com/ezscale/ezscale/integrations/outbox"
	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/internal/bulk"
	"github.com/ezscale/ezscale/internal/settings"
)

const page = 500

// Renewals queues a renewal reminder for every active subscription whose
// current period ends (and next one is billed) within settings'
// renewal_reminder_days of now, once per subscription and period: a daily
// run, or several, send each reminder once. Subscriptions cancelled at
// period end and hourly ones (billed in arrears) get none. A page of
// subscriptions is loaded in a few queries and its reminders written in
// bulk, so a run over many thousands stays quick. It answers how many
// reminders it queued.
func Renewals(ctx context.Context, app core.App, now time.Time) (int, error) {
	s, err := settings.Load(app)
	if err != nil {
		return 0, err
	}
	if s.RenewalReminderDays <= 0 {
		return 0, nil
	}
	r, err := newReminder(app, now)
	if err != nil {
		return 0, err
	}
	ids, err := unreminded(app, now, s.RenewalReminderDays)
	if err != nil {
		return 0, fmt.Errorf("renewal reminders: %w", err)
	}
	for start := 0; start < len(ids); start += page {
		pageIDs := ids[start:min(start+page, len(ids))]
		if err := app.RunInTransaction(func(tx core.App) error { return r.page(tx, pageIDs) }); err != nil {
			return r.queued, err
		}
	}
	return r.queued, nil
}

// unreminded lists, in one query, the subscriptions in the reminder window
// whose reminder for this period is not queued yet. The outbox's dedupe
// index answers that per subscription, so a re-run the same day loads no
// subscription at all instead of every one in the window. The key is
// built as dedupeKey builds it (dates are stored in UTC as text); page
// checks it again in its transaction, so this only narrows the list.
func unreminded(app core.App, now time.Time, days int) ([]string, error) {
	var ids []string
	err := app.DB().Select("s.id").From(subscriptions.Collection + " s").
		Where(dbx.NewExp("s.[[status]] = 'active' AND s.[[current_period_end]] > {:now} AND s.[[current_period_end]] <= {:until} "+
			"AND s.[[cancel_at_period_end]] = FALSE AND s.[[cycle]] != 'hourly'",
			dbx.Params{"now": now.UTC().Format(types.DefaultDateLayout), "until": now.UTC().AddDate(0, 0, days).Format(types.DefaultDateLayout)})).
		// "!= ''" lets SQLite use the partial unique index on dedupe_key.
		AndWhere(dbx.NewExp("NOT EXISTS (SELECT 1 FROM {{" + outbox.Collection + "}} o WHERE o.[[dedupe_key]] != '' AND " +
			"o.[[dedupe_key]] = 'renewal_reminder:' || s.[[id]] || ':' || substr(s.[[current_period_end]], 1, 10))")).
		// WHMCS reminds its customers until the cutover.
		AndWhere(parallelrun.NotHeld("s.[[customer]]")).
		OrderBy("s.id").Column(&ids)
	return ids, err
}

type reminder struct {
	now     time.Time
	notices *notify.Batch
	outbox  *core.Collection
	plans   map[string]string // names by id
	queued  int
}

func newReminder(app core.App, now time.Time) (*reminder, error) {
	r := &reminder{now: now, plans: map[string]string{}}
	var err error
	if r.notices, err = notify.NewBatch(app); err != nil {
		return nil, err
	}
	if r.outbox, err = app.FindCachedCollectionByNameOrId(outbox.Collection); err != nil {
		return nil, err
	}
	plans, err := app.FindAllRecords("plans")
	if err != nil {
		return nil, err
	}
	for _, p := range plans {
		r.plans[p.Id] = p.GetString("name")
	}
	return r, nil
}

// page writes the reminders of the subscriptions ids not reminded yet for
// their period. Everything is read through the transaction's connection:
// only what a reminder shows, and no read pool's page cache is filled.
func (r *reminder) page(tx core.App, ids []string) error {
	var recs []*core.Record
	err := tx.RecordQuery(subscriptions.Collection).Select("id", "customer", "amount", "currency", "current_period_end").
		Where(dbx.In("id", anyIDs(ids)...)).All(&recs)
	if err != nil {
		return fmt.Errorf("renewal reminders: %w", err)
	}
	subs := make([]*subscriptions.Subscription, len(recs))
	keys := make([]any, len(recs))
	for i, rec := range recs {
		subs[i] = subscriptions.As(rec)
		keys[i] = dedupeKey(subs[i])
	}
	var sent []string
	// "!= ''" lets SQLite use the partial unique index on dedupe_key.
	if err := tx.DB().Select("dedupe_key").From(outbox.Collection).
		Where(dbx.And(dbx.NewExp("[[dedupe_key]] != ''"), dbx.In("dedupe_key", keys...))).Column(&sent); err != nil {
		return err
	}
	done := map[string]bool{}
	for _, k := range sent {
		done[k] = true
	}
	var due []*subscriptions.Subscription
	var dueIDs []any
	var customerIDs []string
	for _, sub := range subs {
		if !done[dedupeKey(sub)] {
			due = append(due, sub)
			dueIDs = append(dueIDs, sub.Id)
			customerIDs = append(customerIDs, sub.CustomerID())
		}
	}
	if len(due) == 0 {
		return nil
	}
	custs, err := tx.FindRecordsByIds(customers.Collection, customerIDs)
	if err != nil {
		return err
	}
	byID := map[string]*core.Record{}
	for _, c := range custs {
		byID[c.Id] = c
	}
	// Only what the reminder shows: the full rows would cost more to turn
	// into records than the rest of the page's loading.
	var services []*core.Record
	err = tx.RecordQuery(provisioning.ServicesCollection).Select("id", "subscription", "label", "hostname", "plan").
		Where(dbx.In("subscription", dueIDs...)).All(&services)
	if err != nil {
		return err
	}
	bySub := map[string]*provisioning.Service{}
	for _, rec := range services {
		svc := provisioning.AsService(rec)
		bySub[svc.SubscriptionID()] = svc
	}

	var msgs []*core.Record
	for _, sub := range due {
		key := dedupeKey(sub)
		customer, svc := byID[sub.CustomerID()], bySub[sub.Id]
		if customer == nil || svc == nil {
			continue
		}
		m, err := r.notices.Message(notify.Email{Key: "renewal_reminder", Customer: customer, DedupeKey: key,
			Data: notify.Data{
				"Service":  notify.Data{"ID": svc.Id, "Label": notify.ServiceLabel(svc.ProxyRecord()), "Plan": r.plans[svc.PlanID()]},
				"Amount":   money.Amount{Minor: sub.Amount(), Currency: sub.Currency()},
				"RenewsAt": sub.CurrentPeriodEnd().Time(), "Link": notify.ServiceLink(tx, svc.Id)}})
		if err != nil {
			return fmt.Errorf("renewal reminder of subscription %s: %w", sub.Id, err)
		}
		msgs = append(msgs, outbox.NewRecord(r.outbox, m))
	}
	bulk.Prepare(msgs, r.now)
	if err := bulk.Insert(tx, msgs); err != nil {
		return err
	}
	r.queued += len(msgs)
	return nil
}

// dedupeKey names a subscription's reminder for its coming renewal.
func dedupeKey(sub *subscriptions.Subscription) string {
	return "renewal_reminder:" + sub.Id + ":" + sub.CurrentPeriodEnd().Time().UTC().Format("2006-01-02")
}

func anyIDs(ids []string) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}
