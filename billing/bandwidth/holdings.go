package bandwidth

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/ezscale/ezscale/integrations/elastiflow"
	"github.com/ezscale/ezscale/integrations/notify"
)

// holding is one address held by one measured service over [from, to);
// a zero to means it still holds it.
type holding struct {
	service, address string
	from, to         time.Time
}

// overlap is how long h held its address within [a, b).
func (h holding) overlap(a, b time.Time) time.Duration {
	start, end := a, b
	if h.from.After(start) {
		start = h.from
	}
	if !h.to.IsZero() && h.to.Before(end) {
		end = h.to
	}
	return max(end.Sub(start), 0)
}

// conflict is an address two or more measured services claim over the
// same time: its traffic in that window cannot be told apart, so it is
// billed to none of them and staff are told.
type conflict struct {
	address  string
	services []string
	from     time.Time
}

// attribution is who held each address a run asks about, and when.
type attribution struct {
	held      map[string][]holding // by address
	skipped   map[[2]string]bool   // address, day in a conflict
	conflicts []conflict
}

// loadHoldings reads the address history of the measured services. A
// current address with no open holding (a service written around the hooks,
// e.g. by the bulk seeder) counts as held since the service was activated.
// Conflicts are looked for from the earliest day the run measures.
func loadHoldings(app core.App, t *tracked, now time.Time) (*attribution, error) {
	at := &attribution{held: map[string][]holding{}, skipped: map[[2]string]bool{}}
	open := map[[2]string]bool{}
	for i := 0; i < len(t.services); i += 500 {
		ids := make([]any, 0, 500)
		for _, s := range t.services[i:min(i+500, len(t.services))] {
			ids = append(ids, s.ID)
		}
		var rows []struct {
			Service string         `db:"service"`
			Address string         `db:"address"`
			From    types.DateTime `db:"from"`
			To      types.DateTime `db:"to"`
		}
		err := app.DB().Select("service", "address", "from", "to").From(AddressesCollection).
			Where(dbx.In("service", ids...)).All(&rows)
		if err != nil {
			return nil, fmt.Errorf("address history: %w", err)
		}
		for _, r := range rows {
			h := holding{service: r.Service, address: r.Address, from: r.From.Time().UTC(), to: r.To.Time().UTC()}
			if !h.to.IsZero() && !h.to.After(h.from) {
				continue // released the moment it was given: held nothing
			}
			if h.to.IsZero() {
				open[[2]string{h.service, h.address}] = true
			}
			at.held[h.address] = append(at.held[h.address], h)
		}
	}
	for _, s := range t.services {
		for _, a := range s.IPs {
			if !open[[2]string{s.ID, a}] {
				at.held[a] = append(at.held[a], holding{service: s.ID, address: a, from: t.since[s.ID]})
			}
		}
	}
	floor := now
	for _, s := range t.services {
		floor = minTime(floor, t.firstDay(s.ID))
	}
	for a, hs := range at.held {
		slices.SortFunc(hs, func(x, y holding) int { return cmp.Or(x.from.Compare(y.from), cmp.Compare(x.service, y.service)) })
		at.findConflicts(a, hs, floor, now)
	}
	slices.SortFunc(at.conflicts, func(x, y conflict) int { return cmp.Compare(x.address, y.address) })
	return at, nil
}

// findConflicts marks the days of a, from floor on, that two different
// services held it at once.
func (at *attribution) findConflicts(a string, hs []holding, floor, now time.Time) {
	var found *conflict
	for i, x := range hs {
		for _, y := range hs[i+1:] {
			if x.service == y.service {
				continue
			}
			start, end := y.from, now
			if start.Before(floor) {
				start = floor
			}
			if !x.to.IsZero() && x.to.Before(end) {
				end = x.to
			}
			if !y.to.IsZero() && y.to.Before(end) {
				end = y.to
			}
			if !end.After(start) {
				continue
			}
			for d := start.Truncate(24 * time.Hour); d.Before(end); d = d.Add(24 * time.Hour) {
				at.skipped[[2]string{a, d.Format(dayLayout)}] = true
			}
			if found == nil {
				at.conflicts = append(at.conflicts, conflict{address: a, from: start})
				found = &at.conflicts[len(at.conflicts)-1]
			}
			for _, s := range []string{x.service, y.service} {
				if !slices.Contains(found.services, s) {
					found.services = append(found.services, s)
				}
			}
			found.from = minTime(found.from, start)
		}
	}
	if found != nil {
		slices.Sort(found.services)
	}
}

// queries groups the addresses to ask about by the first day any of
// their holders needs: the earliest day of the holder's measured periods,
// or the day it got the address if later. Each address is asked once per
// run, under its own name, and its days are then attributed by holding.
func (at *attribution) queries(t *tracked) []query {
	need := map[string]time.Time{}
	for a, hs := range at.held {
		for _, h := range hs {
			from := t.firstDay(h.service)
			if d := h.from.Truncate(24 * time.Hour); d.After(from) {
				from = d
			}
			if (!h.to.IsZero() && !h.to.After(from)) || !from.Before(t.now) {
				continue // released before anything measured, or given after now
			}
			if cur, ok := need[a]; !ok || from.Before(cur) {
				need[a] = from
			}
		}
	}
	var qs []query
	index := map[time.Time]int{}
	for a, from := range need {
		i, ok := index[from]
		if !ok {
			i = len(qs)
			index[from] = i
			qs = append(qs, query{from: from})
		}
		qs[i].services = append(qs[i].services, elastiflow.Service{ID: a, IPs: []string{a}})
	}
	for _, q := range qs {
		slices.SortFunc(q.services, func(x, y elastiflow.Service) int { return cmp.Compare(x.ID, y.ID) })
	}
	slices.SortFunc(qs, func(x, y query) int { return x.from.Compare(y.from) })
	return qs
}

// holder is the service an address's day is billed to: the one that held
// it longest that day (the later one on a tie). ok is false for a day in
// a conflict, or one no measured service held.
func (at *attribution) holder(address, day string) (string, bool) {
	if at.skipped[[2]string{address, day}] {
		return "", false
	}
	start, err := time.Parse(dayLayout, day)
	if err != nil {
		return "", false
	}
	end := start.Add(24 * time.Hour)
	best, longest := "", time.Duration(0)
	for _, h := range at.held[address] {
		if d := h.overlap(start, end); d > 0 && d >= longest {
			best, longest = h.service, d
		}
	}
	return best, best != ""
}

// attribute turns the source's answer per address into days per service.
func (at *attribution) attribute(t *tracked, answer []elastiflow.DayUsage) (map[string][]elastiflow.DayUsage, int) {
	sum := map[[2]string]*elastiflow.DayUsage{}
	skipped := 0
	for _, d := range answer {
		svc, ok := at.holder(d.ServiceID, d.Day)
		if !ok {
			if at.skipped[[2]string{d.ServiceID, d.Day}] {
				skipped++
			}
			continue
		}
		if _, ok := t.periodOf(svc, d.Day); !ok {
			continue
		}
		k := [2]string{svc, d.Day}
		u := sum[k]
		if u == nil {
			u = &elastiflow.DayUsage{ServiceID: svc, Day: d.Day}
			sum[k] = u
		}
		u.BytesIn += d.BytesIn
		u.BytesOut += d.BytesOut
	}
	byService := map[string][]elastiflow.DayUsage{}
	for _, u := range sum {
		byService[u.ServiceID] = append(byService[u.ServiceID], *u)
	}
	return byService, skipped
}

// alertConflicts tells staff about each address claimed twice, once per
// address and set of services.
func (at *attribution) alertConflicts(ctx context.Context, app core.App) error {
	for _, c := range at.conflicts {
		_, err := notify.Staff(ctx, app, notify.Alert{Key: "bandwidth_address_conflict",
			Data: notify.Data{"Address": c.address, "Services": strings.Join(c.services, ", "),
				"Since": c.from.Format(dayLayout)},
			DedupeKey: "bandwidth_address_conflict:" + c.address + ":" + strings.Join(c.services, ",")})
		if err != nil {
			return fmt.Errorf("address conflict notice of %s: %w", c.address, err)
		}
	}
	return nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
