// Package renewals bills subscriptions for their next period: each period
// exactly once, however often or concurrently the run happens, and after a
// crash a re-run completes what was left.
package renewals

import (
	"context"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/ezscale/ezscale/billing/cycle"
	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/parallelrun"
	"github.com/ezscale/ezscale/billing/subscriptions"
	"github.com/ezscale/ezscale/billing/tax"
	"github.com/ezscale/ezscale/integrations/notify"
	"github.com/ezscale/ezscale/integrations/outbox"
	"github.com/ezscale/ezscale/internal/audit"
	"github.com/ezscale/ezscale/internal/settings"
)

// Options of one run.
type Options struct {
	Now time.Time
	// GroupsPerTx is how many customer invoices commit together: larger is
	// faster, smaller loses less work to a crash (nothing is ever billed twice).
	GroupsPerTx int
	Progress    io.Writer
}

// Result counts what a run did.
type Result struct {
	Due         int // subscriptions due for a period
	Invoices    int // invoices issued
	Lines       int // periods billed
	AlreadyDone int // periods found billed already (a concurrent or earlier run)
	Rolled      int // subscriptions moved into their new current period
	Cancelled   int // subscriptions ended at period end
}

// dueRow is the little a run needs to group due subscriptions.
type dueRow struct {
	ID       string `db:"id"`
	Customer string `db:"customer"`
	Currency string `db:"currency"`
}

// Run bills every active subscription whose next period starts within its
// cycle's lead time, grouping one customer's renewals in one currency on
// one invoice when the settings say so, then rolls periods over.
func Run(app core.App, opts Options) (Result, error) {
	var res Result
	if opts.Now.IsZero() {
		opts.Now = time.Now().UTC()
	}
	if opts.GroupsPerTx <= 0 {
		opts.GroupsPerTx = 1000
	}
	if opts.Progress == nil {
		opts.Progress = io.Discard
	}
	s, err := settings.Load(app)
	if err != nil {
		return res, err
	}
	rates, err := ledger.Rates(app)
	if err != nil {
		return res, err
	}

	rows, err := dueSubscriptions(app, s, opts.Now)
	if err != nil {
		return res, err
	}
	res.Due = len(rows)
	groups := group(rows, s.CombineRenewals)
	fmt.Fprintf(opts.Progress, "renewals: %d subscriptions due, %d invoices to issue\n", len(rows), len(groups))

	ctx := audit.WithActor(context.Background(), Actor)
	b, err := newBiller(app, s, rates, opts.Now)
	if err != nil {
		return res, err
	}
	started := time.Now()
	for i := 0; i < len(groups); i += opts.GroupsPerTx {
		batch := groups[i:min(i+opts.GroupsPerTx, len(groups))]
		batchNo := i / opts.GroupsPerTx
		err := app.RunInTransaction(func(tx core.App) error {
			if err := b.billBatch(ctx, tx, batch, &res); err != nil {
				return err
			}
			if beforeCommit != nil {
				return beforeCommit(batchNo)
			}
			return nil
		})
		if err != nil {
			return res, err
		}
		if done := i + len(batch); done%(opts.GroupsPerTx*20) < opts.GroupsPerTx || done == len(groups) {
			fmt.Fprintf(opts.Progress, "renewals: %d/%d invoices (%.0f/s)\n", done, len(groups), float64(done)/time.Since(started).Seconds())
		}
	}

	if err := rollOver(ctx, app, opts.Now, &res); err != nil {
		return res, err
	}
	fmt.Fprintf(opts.Progress, "renewals: %d invoices, %d periods billed, %d already billed, %d rolled over, %d cancelled at period end\n",
		res.Invoices, res.Lines, res.AlreadyDone, res.Rolled, res.Cancelled)
	return res, nil
}

// dueSubscriptions lists the subscriptions whose next unbilled period
// starts within the lead time of their cycle, leaving the customers WHMCS
// still renews (parallelrun) to it. Hourly subscriptions are
// billed in arrears, once their period has ended.
func dueSubscriptions(app core.App, s *settings.Settings, now time.Time) ([]dueRow, error) {
	var out []dueRow
	for _, c := range []cycle.Cycle{cycle.Hourly, cycle.Monthly, cycle.Quarterly, cycle.SemiAnnual, cycle.Annual, cycle.Biennial, cycle.Triennial} {
		horizon := now.AddDate(0, 0, s.RenewalLeadDays[string(c)])
		if c == cycle.Hourly {
			horizon = now
		}
		var rows []dueRow
		err := app.DB().Select("id", "customer", "currency").From(subscriptions.Collection).
			Where(dbx.HashExp{"status": []any{string(subscriptions.StatusActive), string(subscriptions.StatusPastDue)},
				"cycle": string(c), "cancel_at_period_end": false}).
			AndWhere(dbx.NewExp("billed_until != '' AND billed_until <= {:h}", dbx.Params{"h": horizon.Format(types.DefaultDateLayout)})).
			AndWhere(parallelrun.NotHeld("customer")).
			OrderBy("customer", "currency", "id").All(&rows)
		if err != nil {
			return nil, fmt.Errorf("due %s subscriptions: %w", c, err)
		}
		out = append(out, rows...)
	}
	// One customer's renewals of every cycle share an invoice.
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Customer != b.Customer {
			return a.Customer < b.Customer
		}
		if a.Currency != b.Currency {
			return a.Currency < b.Currency
		}
		return a.ID < b.ID
	})
	return out, nil
}

// invoiceGroup is the subscriptions that go on one invoice.
type invoiceGroup struct {
	customer, currency string
	subscriptions      []string
}

func group(rows []dueRow, combine bool) []invoiceGroup {
	var out []invoiceGroup
	for _, r := range rows {
		if n := len(out); combine && n > 0 && out[n-1].customer == r.Customer && out[n-1].currency == r.Currency {
			out[n-1].subscriptions = append(out[n-1].subscriptions, r.ID)
			continue
		}
		out = append(out, invoiceGroup{customer: r.Customer, currency: r.Currency, subscriptions: []string{r.ID}})
	}
	return out
}

// biller issues renewal invoices with what is the same for the whole run.
type biller struct {
	settings        *settings.Settings
	rates           []tax.Rate
	now             time.Time
	planNames       map[string]string
	invoices, items *core.Collection
	outbox          *core.Collection
	notices         *notify.Batch // the issued invoices' emails, written with them
}

func newBiller(app core.App, s *settings.Settings, rates []tax.Rate, now time.Time) (*biller, error) {
	b, err := newPricer(app, s, rates)
	if err != nil {
		return nil, err
	}
	b.now = now
	if b.outbox, err = app.FindCachedCollectionByNameOrId(outbox.Collection); err != nil {
		return nil, err
	}
	if b.notices, err = notify.NewBatch(app); err != nil {
		return nil, err
	}
	return b, nil
}

// beforeCommit lets tests interrupt a run between batches, as a crash would.
var beforeCommit func(batch int) error

// Actor is who renewal invoices are attributed to in the audit log.
var Actor = audit.Job("renewals")
