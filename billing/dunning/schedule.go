package dunning

import (
	"fmt"
	"sort"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/parallelrun"
	"github.com/ezscale/ezscale/internal/settings"
)

// Scheduled is a suspension or termination the dunning run will take on a
// service unless its invoice is paid first.
type Scheduled struct {
	Step    string // StepSuspend or StepTerminate
	At      time.Time
	Invoice *ledger.Invoice
	Service *core.Record
}

// Schedule lists, earliest first, the suspensions and terminations due by
// until on the open invoices the run chases, by the run's own policy and
// rules (a step already late is listed at its time, before now). It
// changes nothing. A charge pending at the gateway may hold a step past
// its time; staff see it as due.
func Schedule(app core.App, until time.Time) ([]Scheduled, error) {
	s, err := settings.Load(app)
	if err != nil {
		return nil, err
	}
	p := PolicyFrom(s)
	var invoices []*core.Record
	err = app.RecordQuery(ledger.InvoicesCollection).
		AndWhere(dbx.NewExp("status = 'open' AND due_at != '' AND due_at <= {:until}", dbx.Params{"until": until.UTC().Format(types.DefaultDateLayout)})).
		AndWhere(parallelrun.NotHeld("customer")).
		OrderBy("due_at", "id").All(&invoices)
	if err != nil {
		return nil, fmt.Errorf("open invoices: %w", err)
	}
	var out []Scheduled
	for _, rec := range invoices {
		inv := ledger.AsInvoice(rec)
		taken := map[string]time.Time{}
		_ = inv.UnmarshalJSONField("dunning", &taken)
		if _, done := taken[StepTerminate]; done {
			continue
		}
		step, at := StepSuspend, p.SuspendAt(inv.GetDateTime("due_at").Time())
		if suspended, ok := taken[StepSuspend]; ok {
			step, at = StepTerminate, p.TerminateAt(suspended)
		}
		if at.After(until) {
			continue
		}
		svcs, err := invoiceServices(app, inv.Id)
		if err != nil {
			return nil, err
		}
		var customer *customers.Customer
		for _, svc := range svcs {
			if step == StepSuspend && !suspends(svc) {
				continue
			}
			if step == StepTerminate {
				if customer == nil {
					if customer, err = customers.Find(app, inv.CustomerID()); err != nil {
						return nil, err
					}
				}
				if !terminates(customer, svc) {
					continue
				}
			}
			out = append(out, Scheduled{Step: step, At: at, Invoice: inv, Service: svc.ProxyRecord()})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out, nil
}
