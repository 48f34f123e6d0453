package bandwidth

import (
	"fmt"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/ezscale/ezscale/billing/cycle"
	"github.com/ezscale/ezscale/billing/subscriptions"
	"github.com/ezscale/ezscale/integrations/elastiflow"
	"github.com/ezscale/ezscale/integrations/provisioning"
)

// period is one billing period of one service that a run measures.
type period struct {
	service, customer string
	start, end        time.Time
	quota             int64 // bytes; 0 = unmetered
}

// days is the range of UTC days that count toward p, [first, last): a day
// counts toward the period in which it starts, except that the first day
// of a period counts whole, so traffic is measured at the granularity the
// flow records are summed at and no day counts twice.
func (p period) days() (first, last string) {
	return p.start.Truncate(24 * time.Hour).Format(dayLayout), p.end.Truncate(24 * time.Hour).Format(dayLayout)
}

func (p period) holds(day string) bool {
	first, last := p.days()
	return day >= first && day < last
}

// tracked is what a run measures: the services to ask about and their
// periods (the current one and, while it is not final, the previous one).
type tracked struct {
	services []elastiflow.Service // with their current addresses, canonical
	periods  map[string][]period  // by service
	since    map[string]time.Time // activated, by service; zero when unknown
	now      time.Time            // the run's
}

// firstDay is the first UTC day of service's earliest measured period.
func (t *tracked) firstDay(service string) time.Time {
	var first time.Time
	for _, p := range t.periods[service] {
		if d := p.start.Truncate(24 * time.Hour); first.IsZero() || d.Before(first) {
			first = d
		}
	}
	return first
}

// serviceRow is the little a run needs of a service and its subscription.
type serviceRow struct {
	ID          string         `db:"id"`
	Customer    string         `db:"customer"`
	Plan        string         `db:"plan"`
	IPs         types.JSONRaw  `db:"ip_addresses"`
	PeriodStart types.DateTime `db:"current_period_start"`
	PeriodEnd   types.DateTime `db:"current_period_end"`
	QuotaGB     int64          `db:"bandwidth_quota_gb"`
	Activated   types.DateTime `db:"activated_at"`
}

// usageRow is an open (not final) usage record.
type usageRow struct {
	ID          string         `db:"id"`
	Service     string         `db:"service"`
	Customer    string         `db:"customer"`
	PeriodStart types.DateTime `db:"period_start"`
	PeriodEnd   types.DateTime `db:"period_end"`
	Quota       int64          `db:"quota_bytes"`
}

// trackedPeriods lists every active or suspended service that has
// addresses and a subscription period, with the periods to measure at now:
// the current one and any earlier one not yet final, each only until settle
// after its end. A period past that is final by definition (late records
// no longer count), so a service with months of open history, or whose
// subscription was not rolled over, is never asked about them again.
func trackedPeriods(app core.App, now time.Time, settle time.Duration) (*tracked, error) {
	var rows []serviceRow
	err := app.DB().Select("s.id", "s.customer", "s.plan", "s.ip_addresses", "sub.current_period_start", "sub.current_period_end",
		"p.bandwidth_quota_gb", "s.activated_at").
		From(provisioning.ServicesCollection+" s").
		InnerJoin(subscriptions.Collection+" sub", dbx.NewExp("sub.id = s.subscription")).
		InnerJoin("plans p", dbx.NewExp("p.id = s.plan")).
		Where(dbx.In("s.status", string(provisioning.ServiceActive), string(provisioning.ServiceSuspended))).
		AndWhere(dbx.NewExp("sub.current_period_start != '' AND sub.current_period_end != ''")).
		OrderBy("s.id").All(&rows)
	if err != nil {
		return nil, fmt.Errorf("services to measure: %w", err)
	}
	var open []usageRow
	err = app.DB().Select("id", "service", "customer", "period_start", "period_end", "quota_bytes").From(UsageCollection).
		Where(dbx.HashExp{"final": false}).All(&open)
	if err != nil {
		return nil, fmt.Errorf("open bandwidth usage: %w", err)
	}
	previous := map[string][]usageRow{}
	for _, u := range open {
		previous[u.Service] = append(previous[u.Service], u)
	}

	t := &tracked{periods: map[string][]period{}, since: map[string]time.Time{}, now: now}
	for _, r := range rows {
		ips := Addresses([]byte(r.IPs))
		if len(ips) == 0 {
			continue
		}
		start, end := monthWindow(r.PeriodStart.Time().UTC(), r.PeriodEnd.Time().UTC(), now)
		cur := period{service: r.ID, customer: r.Customer, start: start, end: end, quota: r.QuotaGB * BytesPerGB}
		var ps []period
		if cur.end.Add(settle).After(now) {
			ps = append(ps, cur)
		}
		for _, u := range previous[r.ID] {
			start, end := u.PeriodStart.Time().UTC(), u.PeriodEnd.Time().UTC()
			if start.Equal(cur.start) || end.After(cur.start) || !end.Add(settle).After(now) {
				continue // the current period itself, one that overlaps it, or one settled
			}
			ps = append(ps, period{service: r.ID, customer: u.Customer, start: start, end: end, quota: u.Quota})
		}
		if len(ps) == 0 {
			continue
		}
		t.services = append(t.services, elastiflow.Service{ID: r.ID, IPs: ips})
		t.periods[r.ID] = ps
		t.since[r.ID] = r.Activated.Time().UTC()
	}
	return t, nil
}

// monthWindow is the month of the subscription period [start, end) that
// at falls in: a traffic allowance is monthly whatever the billing cycle,
// so a quarterly or annual period is measured, alerted and billed month by
// month from its start (the last month ending with the period), and a
// monthly period is its own window. An at outside the period gives its
// nearest month: the last one while the period has not been rolled over.
func monthWindow(start, end, at time.Time) (time.Time, time.Time) {
	switch {
	case !at.Before(end):
		at = end.Add(-time.Nanosecond)
	case at.Before(start):
		at = start
	}
	w, _ := cycle.PeriodContaining(start, cycle.Monthly, at)
	if w.End.After(end) {
		return w.Start, end
	}
	return w.Start, w.End
}

// query is one request to the source: services whose measured periods
// all start on or after from's day.
type query struct {
	from     time.Time
	services []elastiflow.Service
}

// periodOf finds the measured period of service that day counts toward.
func (t *tracked) periodOf(service, day string) (period, bool) {
	for _, p := range t.periods[service] {
		if p.holds(day) {
			return p, true
		}
	}
	return period{}, false
}
