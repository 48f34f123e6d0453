package bandwidth

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/ezscale/ezscale/integrations/elastiflow"
	"github.com/ezscale/ezscale/integrations/notify"
	"github.com/ezscale/ezscale/internal/settings"
)

// Result counts what a run did.
type Result struct {
	Services int              // services measured
	Days     int              // service-days written (new or changed numbers)
	Periods  int              // usage records written
	Alerts   int              // quota alerts queued
	Skipped  int              // address-days billed to no one: claimed by two services at once
	Source   elastiflow.Stats // the source's requests and pages
}

// ErrNoSource is returned when a run has nothing to read traffic from.
var ErrNoSource = errors.New("bandwidth: no traffic source configured")

// ErrNoRecords is returned when the source has no flow record at all for
// any address of SilentServices or more services: a wrong index or field
// names answer exactly like that, and it must not be stored as zero.
var ErrNoRecords = errors.New("bandwidth: the traffic source has no records for any service")

// SilentServices is how many services with addresses must all be silent
// for a run to distrust the source: one idle server is plausible, every
// server of the business without a single flow record is not.
const SilentServices = 2

// Run measures every active or suspended service with addresses: it asks
// src about the traffic of their current period (and of the previous one
// while it is inside its settle window) so far, address by address, once
// per group of addresses needed from the same day, gives each address's
// day to the service that held it then (service_addresses), stores it per
// day and per period, and queues the quota alerts that are due. An
// address two services claim at once is billed to neither for those days,
// and staff are told; the rest of the run goes on.
//
// Days are set, never added to: a re-run over the same window stores the
// same numbers, and a day that arrives late is picked up by the next run,
// which asks about the whole period again. When the source fails, or
// has no record at all for several services, nothing is written, staff
// are told on Discord and the error is returned: missing traffic must
// never look like no traffic.
func Run(ctx context.Context, app core.App, src Source, opts Options) (Result, error) {
	var res Result
	if src == nil {
		return res, ErrNoSource
	}
	opts = opts.withDefaults()
	s, err := settings.Load(app)
	if err != nil {
		return res, err
	}
	t, err := servedPeriods(app, opts.Now, time.Duration(s.BandwidthSettleHours)*time.Hour)
	if err != nil {
		return res, err
	}
	res.Services = len(t.services)
	if len(t.services) == 0 {
		fmt.Fprintln(opts.Progress, "bandwidth: no services to measure")
		return res, nil
	}

	at, err := loadHoldings(app, t, opts.Now)
	if err != nil {
		return res, err
	}
	fail := func(err error, dedupe string) error {
		err = fmt.Errorf("bandwidth run at %s: traffic source: %w", opts.Now.Format(time.RFC3339), err)
		if _, nerr := notify.Staff(ctx, app, notify.Alert{Key: "bandwidth_run_failed",
			Data: notify.Data{"Error": err.Error(), "Services": len(t.services)}, DedupeKey: dedupe}); nerr != nil {
			return errors.Join(err, fmt.Errorf("staff notice: %w", nerr))
		}
		return err
	}
	var days []elastiflow.DayUsage
	seen := map[[2]string]bool{}
	asked := map[string]bool{} // services with an address asked about
	earliest := opts.Now
	for _, q := range at.queries(t) {
		fmt.Fprintf(opts.Progress, "bandwidth: asking for %d addresses from %s to %s\n", len(q.services), q.from.Format(dayLayout), opts.Now.Format(time.RFC3339))
		answer, stats, err := src.Usage(ctx, q.services, q.from, opts.Now)
		res.Source.Requests += stats.Requests
		res.Source.Pages += stats.Pages
		if err == nil {
			err = check(q.services, answer, seen)
		}
		if err != nil {
			return res, fail(err, "bandwidth_run_failed:"+opts.Now.Truncate(time.Hour).Format(time.RFC3339))
		}
		days = append(days, answer...)
		for _, s := range q.services {
			for _, h := range at.held[s.ID] {
				asked[h.service] = true
			}
		}
		earliest = minTime(earliest, q.from)
	}
	if len(days) == 0 && len(asked) >= SilentServices && opts.Now.Sub(earliest) >= time.Hour {
		err := fmt.Errorf("%w: not one flow record from or to any address of %d services since %s; check ELASTIFLOW_INDEX and ELASTIFLOW_SCHEMA",
			ErrNoRecords, len(asked), earliest.Format(dayLayout))
		return res, fail(err, "bandwidth_no_records:"+opts.Now.Format(dayLayout))
	}
	byService, skipped := at.attribute(t, days)
	res.Skipped = skipped
	fmt.Fprintf(opts.Progress, "bandwidth: %d address-days from %d requests, %d pages; %d skipped in %d address conflicts\n",
		len(days), res.Source.Requests, res.Source.Pages, skipped, len(at.conflicts))
	if err := at.alertConflicts(ctx, app); err != nil {
		return res, err
	}
	w, err := newWriter(app, opts.Now)
	if err != nil {
		return res, err
	}
	for i := 0; i < len(t.services); i += opts.ServicesPerTx {
		batch := t.services[i:min(i+opts.ServicesPerTx, len(t.services))]
		err := app.RunInTransaction(func(tx core.App) error {
			return w.writeBatch(ctx, tx, t, batch, byService, &res)
		})
		if err != nil {
			return res, err
		}
		fmt.Fprintf(opts.Progress, "bandwidth: %d/%d services written\n", i+len(batch), len(t.services))
	}
	fmt.Fprintf(opts.Progress, "bandwidth: %d services, %d days changed, %d periods, %d alerts\n", res.Services, res.Days, res.Periods, res.Alerts)
	return res, nil
}

// check refuses an answer that cannot be stored as it is: an unknown
// service, a malformed day, negative bytes, or a service-day twice (which
// would mean the pages overlap, and adding them would bill traffic twice).
func check(asked []elastiflow.Service, days []elastiflow.DayUsage, seen map[[2]string]bool) error {
	ids := make(map[string]bool, len(asked))
	for _, s := range asked {
		ids[s.ID] = true
	}
	for _, d := range days {
		if !ids[d.ServiceID] {
			return fmt.Errorf("answer names service %q, which was not asked about", d.ServiceID)
		}
		if _, err := time.Parse(dayLayout, d.Day); err != nil {
			return fmt.Errorf("service %s: day %q is not YYYY-MM-DD", d.ServiceID, d.Day)
		}
		if d.BytesIn < 0 || d.BytesOut < 0 {
			return fmt.Errorf("service %s on %s: negative byte count", d.ServiceID, d.Day)
		}
		k := [2]string{d.ServiceID, d.Day}
		if seen[k] {
			return fmt.Errorf("service %s on %s: the day is in the answer twice", d.ServiceID, d.Day)
		}
		seen[k] = true
	}
	return nil
}

// writer stores a run's numbers with prepared statements, parsed once per
// transaction and executed per row.
type writer struct {
	now   time.Time
	stamp string
	usage *core.Collection
}

func newWriter(app core.App, now time.Time) (*writer, error) {
	usage, err := app.FindCachedCollectionByNameOrId(UsageCollection)
	if err != nil {
		return nil, err
	}
	return &writer{now: now, stamp: now.Format(types.DefaultDateLayout), usage: usage}, nil
}

// writeBatch sets the days of a batch of services, recomputes the totals
// of their periods from the stored days, and queues their alerts.
func (w *writer) writeBatch(ctx context.Context, tx core.App, t *tracked, services []elastiflow.Service, days map[string][]elastiflow.DayUsage, res *Result) error {
	// Only a changed day is touched, so a re-run with the same numbers writes nothing.
	upsertDay := tx.DB().NewQuery(`INSERT INTO {{bandwidth_daily}} ([[id]], [[customer]], [[service]], [[day]], [[bytes_in]], [[bytes_out]], [[created]], [[updated]])
		VALUES ({:id}, {:customer}, {:service}, {:day}, {:in}, {:out}, {:now}, {:now})
		ON CONFLICT ([[service]], [[day]]) DO UPDATE SET [[bytes_in]] = excluded.[[bytes_in]], [[bytes_out]] = excluded.[[bytes_out]], [[updated]] = excluded.[[updated]]
		WHERE [[bytes_in]] != excluded.[[bytes_in]] OR [[bytes_out]] != excluded.[[bytes_out]]`).Prepare()
	defer upsertDay.Close()
	sumDays := tx.DB().NewQuery(`SELECT COALESCE(SUM([[bytes_in]]), 0) AS [[in]], COALESCE(SUM([[bytes_out]]), 0) AS [[out]]
		FROM {{bandwidth_daily}} WHERE [[service]] = {:service} AND [[day]] >= {:first} AND [[day]] < {:last}`).Prepare()
	defer sumDays.Close()
	// A final period is settled (and maybe billed): it never changes again.
	upsertUsage := tx.DB().NewQuery(`INSERT INTO {{bandwidth_usage}} ([[id]], [[customer]], [[service]], [[period_start]], [[period_end]],
			[[bytes_in]], [[bytes_out]], [[bytes_total]], [[quota_bytes]], [[overage_bytes]], [[final]], [[measured_at]], [[created]], [[updated]])
		VALUES ({:id}, {:customer}, {:service}, {:start}, {:end}, {:in}, {:out}, {:total}, {:quota}, {:over}, FALSE, {:now}, {:now}, {:now})
		ON CONFLICT ([[service]], [[period_start]]) DO UPDATE SET [[period_end]] = excluded.[[period_end]],
			[[bytes_in]] = excluded.[[bytes_in]], [[bytes_out]] = excluded.[[bytes_out]], [[bytes_total]] = excluded.[[bytes_total]],
			[[quota_bytes]] = excluded.[[quota_bytes]], [[overage_bytes]] = excluded.[[overage_bytes]],
			[[measured_at]] = excluded.[[measured_at]], [[updated]] = excluded.[[updated]]
		WHERE [[final]] = FALSE`).Prepare()
	defer upsertUsage.Close()

	ids := make([]any, 0, len(services))
	for _, s := range services {
		ids = append(ids, s.ID)
		list := days[s.ID]
		sort.Slice(list, func(i, j int) bool { return list[i].Day < list[j].Day })
		for _, d := range list {
			p, _ := t.periodOf(s.ID, d.Day)
			r, err := upsertDay.Bind(dbx.Params{"id": core.GenerateDefaultRandomId(), "customer": p.customer, "service": s.ID,
				"day": d.Day, "in": d.BytesIn, "out": d.BytesOut, "now": w.stamp}).Execute()
			if err != nil {
				return fmt.Errorf("bandwidth_daily of service %s on %s: %w", s.ID, d.Day, err)
			}
			if n, _ := r.RowsAffected(); n > 0 {
				res.Days++
			}
		}
		for _, p := range t.periods[s.ID] {
			first, last := p.days()
			var sum struct {
				In  int64 `db:"in"`
				Out int64 `db:"out"`
			}
			if err := sumDays.Bind(dbx.Params{"service": s.ID, "first": first, "last": last}).One(&sum); err != nil {
				return fmt.Errorf("bandwidth of service %s from %s: %w", s.ID, first, err)
			}
			total := sum.In + sum.Out
			_, err := upsertUsage.Bind(dbx.Params{"id": core.GenerateDefaultRandomId(), "customer": p.customer, "service": s.ID,
				"start": p.start.Format(types.DefaultDateLayout), "end": p.end.Format(types.DefaultDateLayout), "in": sum.In, "out": sum.Out, "total": total,
				"quota": p.quota, "over": Overage(total, p.quota), "now": w.stamp}).Execute()
			if err != nil {
				return fmt.Errorf("bandwidth_usage of service %s from %s: %w", s.ID, p.start.Format(time.RFC3339), err)
			}
			res.Periods++
		}
	}
	n, err := queueAlerts(ctx, tx, ids, w.now)
	res.Alerts += n
	return err
}

// Overage is what exceeds the quota; an unmetered service (quota 0) has none.
func Overage(total, quota int64) int64 {
	if quota <= 0 || total <= quota {
		return 0
	}
	return total - quota
}
