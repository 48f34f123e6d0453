package support

import (
	"context"
	"strings"
	"time"

	"github.com/ezscale/ezscale/integrations/supportpal"
)

// Lookups are SupportPal's departments, priorities and statuses: what a new
// ticket may name and how a ticket's status reads.
type Lookups struct {
	Departments []supportpal.Named // public ones: what customers may open tickets in
	Priorities  []supportpal.Named
	Statuses    []supportpal.Status
}

// Option is a department or priority as the new-ticket form lists it.
type Option struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// Options are the choices of the new-ticket form.
type Options struct {
	Departments []Option `json:"departments"`
	Priorities  []Option `json:"priorities"`
	Helpdesk    bool     `json:"helpdesk"` // the "open in help desk" link works
}

// Options lists what a customer may choose when opening a ticket.
func (d *Desk) Options(ctx context.Context) (*Options, error) {
	l, err := d.Lookups(ctx)
	if err != nil {
		return nil, err
	}
	return &Options{Departments: options(l.Departments), Priorities: options(l.Priorities), Helpdesk: d.SSOEnabled()}, nil
}

func options(list []supportpal.Named) []Option {
	out := make([]Option, len(list))
	for i, n := range list {
		out[i] = Option{ID: n.ID, Name: n.Name}
	}
	return out
}

// lookupsTTL: staff rarely add a department; ten minutes of staleness
// saves three requests on every new-ticket form.
const lookupsTTL = 10 * time.Minute

// Lookups answers from a cache refreshed every ten minutes; when SupportPal
// is down a stale copy is better than none.
func (d *Desk) Lookups(ctx context.Context) (*Lookups, error) {
	d.mu.Lock()
	cached, at := d.lookups, d.lookupsAt
	d.mu.Unlock()
	if cached != nil && d.now().Sub(at) < lookupsTTL {
		return cached, nil
	}
	fresh, err := d.fetchLookups(ctx)
	if err != nil {
		if cached != nil {
			return cached, nil
		}
		return nil, remote(err)
	}
	d.mu.Lock()
	d.lookups, d.lookupsAt = fresh, d.now()
	d.mu.Unlock()
	return fresh, nil
}

func (d *Desk) fetchLookups(ctx context.Context) (*Lookups, error) {
	deps, err := d.api.PublicDepartments(ctx)
	if err != nil {
		return nil, err
	}
	prios, err := d.api.Priorities(ctx)
	if err != nil {
		return nil, err
	}
	statuses, err := d.api.Statuses(ctx)
	if err != nil {
		return nil, err
	}
	return &Lookups{Departments: deps, Priorities: prios, Statuses: statuses}, nil
}

// department, priority: the named entry with id, if customers may use it.
func (l *Lookups) department(id int64) (supportpal.Named, bool) { return findNamed(l.Departments, id) }
func (l *Lookups) priority(id int64) (supportpal.Named, bool)   { return findNamed(l.Priorities, id) }

func findNamed(list []supportpal.Named, id int64) (supportpal.Named, bool) {
	for _, n := range list {
		if n.ID == id {
			return n, true
		}
	}
	return supportpal.Named{}, false
}

// openStatus is the status a new ticket gets: "Open" on a default
// install, else the first in SupportPal's order.
func (l *Lookups) openStatus() int64 {
	for _, s := range l.Statuses {
		if strings.EqualFold(s.Name, "Open") {
			return s.ID
		}
	}
	if len(l.Statuses) > 0 {
		return l.Statuses[0].ID
	}
	return 1
}

// isClosed says whether a ticket's status is SupportPal's "Closed" (looked up
// by name: its id differs between installs).
func isClosed(t *supportpal.Ticket) bool {
	return strings.EqualFold(t.Status.Name, "Closed")
}
