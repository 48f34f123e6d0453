package backoffice

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/billing/dunning"
	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/parallelrun"
	"github.com/ezscale/ezscale/integrations/notify"
	"github.com/ezscale/ezscale/integrations/provisioning"
)

// The kinds of work in the staff queue, in the order the console shows them.
const (
	KindOverdue    = "overdue"     // open invoices past their due date
	KindDunning    = "dunning"     // suspensions and terminations dunning will take soon
	KindApprovals  = "approvals"   // wait-listed orders waiting for staff
	KindHardware   = "hardware"    // dedicated orders waiting for staff to assign a server
	KindStuckJobs  = "stuck_jobs"  // provisioning jobs unfinished for too long
	KindFailedJobs = "failed_jobs" // provisioning jobs that gave up
	KindWebhooks   = "webhooks"    // gateway events that matched nothing or failed
	KindOutbox     = "outbox"      // messages that could not be sent
	KindTickets    = "tickets"     // help-desk tickets whose last word is the customer's
)

const (
	defaultWithin   = 7 * 24 * time.Hour
	defaultStuck    = time.Hour
	maxQueuePerPage = 100
)

// QueueKinds lists every kind of work, in the console's order.
var QueueKinds = []string{KindOverdue, KindDunning, KindApprovals, KindHardware, KindStuckJobs, KindFailedJobs, KindWebhooks, KindOutbox, KindTickets}

// QueueItem is one thing staff must act on. ID is the record the item's
// action acts on (the invoice, the service, the order, the job, the event,
// the message, the ticket); the other ids are what the console links to.
type QueueItem struct {
	Kind          string    `json:"kind"`
	ID            string    `json:"id"`
	Customer      string    `json:"customer,omitempty"`
	CustomerName  string    `json:"customerName,omitempty"`
	CustomerEmail string    `json:"customerEmail,omitempty"`
	Title         string    `json:"title"`
	Detail        string    `json:"detail,omitempty"`
	Status        string    `json:"status,omitempty"`
	Amount        int64     `json:"amount,omitempty"` // minor units of Currency
	Currency      string    `json:"currency,omitempty"`
	At            time.Time `json:"at"` // when it fell due, will happen, failed or was last answered
	Invoice       string    `json:"invoice,omitempty"`
	Service       string    `json:"service,omitempty"`
	Step          string    `json:"step,omitempty"`   // dunning's step: suspended or terminated
	Action        string    `json:"action,omitempty"` // a job's: create, suspend…
	URL           string    `json:"url,omitempty"`    // outside the console: the help desk's ticket
}

// QueueOptions choose what LoadQueue loads.
type QueueOptions struct {
	Now time.Time
	// Kind, when set, pages through that kind alone (Page from 1, PerPage);
	// otherwise Limit items of every kind are loaded (0: counts only).
	Kind          string
	Page, PerPage int
	Limit         int
	// Within is how far ahead dunning's suspensions and terminations are
	// shown; StuckAfter how long a job may stay unfinished.
	Within, StuckAfter time.Duration
	// HelpDeskURL is SupportPal's address, for links to its tickets.
	HelpDeskURL string
}

// Queue is the staff's work: how many items of each kind and the items
// loaded.
type Queue struct {
	Total  int                    `json:"total"`
	Counts map[string]int         `json:"counts"`
	Items  map[string][]QueueItem `json:"items"`
}

// LoadQueue counts every kind of work and loads the items opts ask for.
// Unknown kinds are the caller's to refuse (QueueKinds).
func LoadQueue(app core.App, opts QueueOptions) (*Queue, error) {
	if opts.Now.IsZero() {
		opts.Now = time.Now().UTC()
	}
	if opts.Within <= 0 {
		opts.Within = defaultWithin
	}
	if opts.StuckAfter <= 0 {
		opts.StuckAfter = defaultStuck
	}
	opts.PerPage = min(max(opts.PerPage, 1), maxQueuePerPage)
	opts.Page = max(opts.Page, 1)
	q := &Queue{Counts: map[string]int{}, Items: map[string][]QueueItem{}}
	kinds := queueSources(app, opts)
	for _, kind := range QueueKinds {
		src := kinds[kind]
		n, err := src.count()
		if err != nil {
			return nil, fmt.Errorf("queue %s: %w", kind, err)
		}
		q.Counts[kind], q.Total = n, q.Total+n
		offset, limit := 0, opts.Limit
		if opts.Kind != "" {
			if kind != opts.Kind {
				continue
			}
			offset, limit = (opts.Page-1)*opts.PerPage, opts.PerPage
		}
		if limit <= 0 {
			continue
		}
		items, err := src.list(offset, limit)
		if err != nil {
			return nil, fmt.Errorf("queue %s: %w", kind, err)
		}
		if err := nameCustomers(app, items); err != nil {
			return nil, err
		}
		q.Items[kind] = items
	}
	return q, nil
}

// queueSource counts and lists one kind of work.
type queueSource struct {
	count func() (int, error)
	list  func(offset, limit int) ([]QueueItem, error)
}

// queueSources are the queries of every kind. Customers WHMCS still serves
// are left out where this platform does not act for them (dunning, the
// provisioning workers): their work is WHMCS's until the cutover.
func queueSources(app core.App, opts QueueOptions) map[string]queueSource {
	now := opts.Now.UTC().Format(types.DefaultDateLayout)
	stuck := opts.Now.Add(-opts.StuckAfter).UTC().Format(types.DefaultDateLayout)
	// A create parked until staff assign a server waits on a person: it is
	// their work, not a stuck job.
	waitingForHardware := provisioning.WaitingForHardwareSQL(provisioning.Collection)
	table := func(collection string, where dbx.Expression, order string, item func(*core.Record) QueueItem) queueSource {
		return queueSource{
			count: func() (int, error) {
				var n int
				err := app.DB().Select("count(*)").From(collection).Where(where).Row(&n)
				return n, err
			},
			list: func(offset, limit int) ([]QueueItem, error) {
				var recs []*core.Record
				if err := app.RecordQuery(collection).AndWhere(where).OrderBy(order, "id").Offset(int64(offset)).Limit(int64(limit)).All(&recs); err != nil {
					return nil, err
				}
				items := make([]QueueItem, len(recs))
				for i, r := range recs {
					items[i] = item(r)
				}
				return items, nil
			},
		}
	}
	jobs := func(kind string, where dbx.Expression, order string) queueSource {
		src := table(provisioning.Collection, where, order, func(r *core.Record) QueueItem {
			job := provisioning.AsQueuedJob(r)
			at := job.FinishedAt().Time()
			if at.IsZero() {
				at = job.Created().Time()
			}
			detail := job.LastError()
			if kind == KindStuckJobs {
				detail = fmt.Sprintf("%s since %s, %d attempts", job.Status(), job.Created().Time().Format(time.DateTime), job.Attempts())
				if e := job.LastError(); e != "" {
					detail += ": " + e
				}
			}
			return QueueItem{Kind: kind, ID: r.Id, Title: string(job.Action()), Detail: detail, Status: string(job.Status()),
				At: at, Service: job.ServiceID(), Action: string(job.Action())}
		})
		list := src.list
		src.list = func(offset, limit int) ([]QueueItem, error) {
			items, err := list(offset, limit)
			if err != nil {
				return nil, err
			}
			return items, labelServices(app, items)
		}
		return src
	}
	return map[string]queueSource{
		KindOverdue: table(ledger.InvoicesCollection,
			dbx.And(dbx.NewExp("status = 'open' AND due_at != '' AND due_at < {:now}", dbx.Params{"now": now}), parallelrun.NotHeld("customer")),
			"due_at", func(r *core.Record) QueueItem {
				inv := ledger.AsInvoice(r)
				return QueueItem{Kind: KindOverdue, ID: r.Id, Customer: inv.CustomerID(), Title: ledger.Label(inv), Status: inv.Status(),
					Amount: inv.AmountDue(), Currency: inv.Currency(), At: r.GetDateTime("due_at").Time(), Invoice: r.Id}
			}),
		KindDunning: dunningSource(app, opts),
		KindApprovals: table("orders", dbx.HashExp{"status": "pending_approval"}, "created", func(r *core.Record) QueueItem {
			it := QueueItem{Kind: KindApprovals, ID: r.Id, Customer: r.GetString("customer"), Title: "Order " + r.Id,
				Status: r.GetString("status"), At: r.GetDateTime("created").Time(), Invoice: r.GetString("invoice"), Service: r.GetString("service")}
			if price, err := app.FindRecordById("plan_prices", r.GetString("plan_price")); err == nil {
				it.Amount, it.Currency = price.GetInt64("amount"), price.GetString("currency")
				if plan, err := app.FindRecordById("plans", price.GetString("plan")); err == nil {
					it.Title += ": " + plan.GetString("name") + ", " + price.GetString("cycle")
				}
			}
			return it
		}),
		KindHardware: jobs(KindHardware, dbx.NewExp("status = 'pending' AND action = 'create' AND "+waitingForHardware), "created"),
		KindStuckJobs: jobs(KindStuckJobs, dbx.And(
			dbx.NewExp("status IN ('pending', 'running') AND created < {:stuck} AND NOT ("+waitingForHardware+")", dbx.Params{"stuck": stuck}),
			dbx.NewExp("service IN (SELECT id FROM services WHERE "+parallelrun.NotHeldSQL("customer")+")")), "created"),
		KindFailedJobs: jobs(KindFailedJobs, dbx.HashExp{"status": string(provisioning.JobFailed)}, "finished_at DESC"),
		KindWebhooks: table("webhook_events", dbx.In("status", "unmatched", "failed"), "created DESC", func(r *core.Record) QueueItem {
			return QueueItem{Kind: KindWebhooks, ID: r.Id, Title: r.GetString("gateway") + " " + r.GetString("type"),
				Detail: r.GetString("error"), Status: r.GetString("status"), At: r.GetDateTime("created").Time()}
		}),
		KindOutbox: table("outbox", dbx.HashExp{"status": "failed"}, "updated DESC", func(r *core.Record) QueueItem {
			title := r.GetString("subject")
			if title == "" {
				title = r.GetString("template")
			}
			return QueueItem{Kind: KindOutbox, ID: r.Id, Customer: r.GetString("customer"),
				Title:  r.GetString("channel") + " to " + r.GetString("recipient") + ": " + title,
				Detail: r.GetString("last_error"), Status: r.GetString("status"), At: r.GetDateTime("updated").Time()}
		}),
		KindTickets: table("support_tickets", dbx.HashExp{"closed": false, "last_reply_by": "customer"}, "last_reply_at", func(r *core.Record) QueueItem {
			it := QueueItem{Kind: KindTickets, ID: r.Id, Customer: r.GetString("customer"), Title: "#" + r.GetString("number") + " " + r.GetString("subject"),
				Detail: r.GetString("department"), Status: r.GetString("status"), At: r.GetDateTime("last_reply_at").Time(), Service: r.GetString("service")}
			if opts.HelpDeskURL != "" {
				it.URL = opts.HelpDeskURL + "/admin/ticket/view/" + strconv.Itoa(r.GetInt("supportpal_id"))
			}
			return it
		}),
	}
}

// dunningSource lists dunning's own schedule (billing/dunning.Schedule):
// the services its run will suspend or terminate by the horizon.
func dunningSource(app core.App, opts QueueOptions) queueSource {
	var loaded []dunning.Scheduled
	var done bool
	load := func() ([]dunning.Scheduled, error) {
		if done {
			return loaded, nil
		}
		var err error
		loaded, err = dunning.Schedule(app, opts.Now.Add(opts.Within))
		done = err == nil
		return loaded, err
	}
	return queueSource{
		count: func() (int, error) {
			s, err := load()
			return len(s), err
		},
		list: func(offset, limit int) ([]QueueItem, error) {
			s, err := load()
			if err != nil {
				return nil, err
			}
			s = s[min(offset, len(s)):min(offset+limit, len(s))]
			items := make([]QueueItem, len(s))
			for i, sc := range s {
				verb := "Suspension"
				if sc.Step == dunning.StepTerminate {
					verb = "Termination"
				}
				items[i] = QueueItem{Kind: KindDunning, ID: sc.Service.Id, Customer: sc.Invoice.CustomerID(),
					Title: notify.ServiceLabel(sc.Service), Detail: verb + " for unpaid invoice " + ledger.Label(sc.Invoice),
					Status: string(provisioning.AsService(sc.Service).Status()), Amount: sc.Invoice.AmountDue(), Currency: sc.Invoice.Currency(),
					At: sc.At, Invoice: sc.Invoice.Id, Service: sc.Service.Id, Step: sc.Step}
			}
			return items, nil
		},
	}
}

// labelServices names the jobs' services and fills in their customers.
func labelServices(app core.App, items []QueueItem) error {
	ids := make([]any, 0, len(items))
	for _, it := range items {
		ids = append(ids, it.Service)
	}
	if len(ids) == 0 {
		return nil
	}
	recs, err := app.FindAllRecords(provisioning.ServicesCollection, dbx.In("id", ids...))
	if err != nil {
		return err
	}
	byID := map[string]*provisioning.Service{}
	for _, r := range recs {
		byID[r.Id] = provisioning.AsService(r)
	}
	for i := range items {
		if s := byID[items[i].Service]; s != nil {
			items[i].Customer = s.CustomerID()
			items[i].Title = items[i].Title + " job for " + notify.ServiceLabel(s.ProxyRecord()) + " (" + s.Platform() + ")"
		}
	}
	return nil
}

// nameCustomers adds the name and email of each item's customer.
func nameCustomers(app core.App, items []QueueItem) error {
	var ids []any
	for _, it := range items {
		if it.Customer != "" && !slices.Contains(ids, any(it.Customer)) {
			ids = append(ids, it.Customer)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	recs, err := app.FindAllRecords(customers.Collection, dbx.In("id", ids...))
	if err != nil {
		return err
	}
	byID := map[string]*customers.Customer{}
	for _, r := range recs {
		byID[r.Id] = customers.As(r)
	}
	for i := range items {
		if c := byID[items[i].Customer]; c != nil {
			items[i].CustomerName, items[i].CustomerEmail = c.Name(), c.Email()
		}
	}
	return nil
}
