package backoffice_test

import (
	"context"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/dunning"
	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/billing/orders"
	"github.com/ezscale/ezscale/billing/payments"
	"github.com/ezscale/ezscale/integrations/outbox"
	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/internal/audit"
	"github.com/ezscale/ezscale/internal/backoffice"
	"github.com/ezscale/ezscale/internal/settings"
	"github.com/ezscale/ezscale/internal/testutil"
)

var staffActor = audit.Actor{Kind: audit.KindSuperuser, ID: "staff1"}

// queueOf loads the whole queue at now, ten items of each kind.
func queueOf(t *testing.T, app core.App, now time.Time) *backoffice.Queue {
	t.Helper()
	q, err := backoffice.LoadQueue(app, backoffice.QueueOptions{Now: now, Limit: 10, HelpDeskURL: "https://help.example.net"})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, kind := range backoffice.QueueKinds {
		total += q.Counts[kind]
		if len(q.Items[kind]) != q.Counts[kind] {
			t.Fatalf("%s: %d items listed for a count of %d", kind, len(q.Items[kind]), q.Counts[kind])
		}
	}
	if total != q.Total {
		t.Fatalf("total %d, counts add up to %d", q.Total, total)
	}
	return q
}

// onlyItem asserts that kind holds exactly the item with id.
func onlyItem(t *testing.T, q *backoffice.Queue, kind, id string) backoffice.QueueItem {
	t.Helper()
	if q.Counts[kind] != 1 || len(q.Items[kind]) != 1 || q.Items[kind][0].ID != id {
		t.Fatalf("%s: want only %s, got %d: %+v", kind, id, q.Counts[kind], q.Items[kind])
	}
	return q.Items[kind][0]
}

// Each kind of work appears in the queue when it arises and leaves it
// when the action that clears it is taken.
func TestQueueKindsAppearAndClear(t *testing.T) {
	app := testutil.NewApp(t)
	now := time.Now().UTC()
	c := testutil.Customer(t, app, "queue@example.com", "USD")
	svc := testutil.Service(t, app, c)
	_, price := testutil.Plan(t, app, "wait", "USD", 5000)

	if q := queueOf(t, app, now); q.Total != 0 {
		t.Fatalf("an empty platform has work: %+v", q.Counts)
	}

	failedJob, err := provisioning.Enqueue(context.Background(), app, provisioning.Job{ServiceID: svc.Id, Action: provisioning.ActionSuspend})
	if err != nil {
		t.Fatal(err)
	}
	failedJob.Set("status", "failed")
	failedJob.Set("last_error", "panel said no")
	queueSave(t, app, failedJob)

	stuckJob, err := provisioning.Enqueue(context.Background(), app, provisioning.Job{ServiceID: svc.Id, Action: provisioning.ActionUnsuspend})
	if err != nil {
		t.Fatal(err)
	}
	queueAge(t, app, "provisioning_jobs", stuckJob.Id, now.Add(-2*time.Hour))

	order := testutil.Create(t, app, "orders", map[string]any{"customer": c.Id, "plan_price": price.Id, "status": "pending_approval"})
	event := testutil.Create(t, app, "webhook_events", map[string]any{"gateway": "stripe", "event_id": "evt_1", "type": "charge.succeeded", "status": "unmatched"})
	msg, err := outbox.Queue(context.Background(), app, outbox.Message{Channel: "email", Recipient: c.Email(), CustomerID: c.Id, Template: "welcome", Subject: "Welcome", BodyText: "hi"})
	if err != nil {
		t.Fatal(err)
	}
	msg.Set("status", outbox.StatusFailed)
	msg.Set("last_error", "mailbox full")
	queueSave(t, app, msg)
	ticket := testutil.Create(t, app, "support_tickets", map[string]any{"customer": c.Id, "supportpal_id": 1503, "number": "T-1503",
		"subject": "Server down", "status": "Open", "closed": false, "last_reply_by": "customer", "last_reply_at": now.Add(-time.Hour)})
	answered := testutil.Create(t, app, "support_tickets", map[string]any{"customer": c.Id, "supportpal_id": 1504, "number": "T-1504",
		"subject": "Thanks", "status": "Open", "closed": false, "last_reply_by": "staff", "last_reply_at": now})

	q := queueOf(t, app, now)
	onlyItem(t, q, backoffice.KindFailedJobs, failedJob.Id)
	if got := onlyItem(t, q, backoffice.KindStuckJobs, stuckJob.Id); got.Customer != c.Id || got.Service != svc.Id || got.CustomerEmail != c.Email() {
		t.Errorf("stuck job item does not name its service and customer: %+v", got)
	}
	if got := onlyItem(t, q, backoffice.KindApprovals, order.Id); got.Amount != 5000 || got.Currency != "USD" {
		t.Errorf("approval item without the order's price: %+v", got)
	}
	onlyItem(t, q, backoffice.KindWebhooks, event.Id)
	if got := onlyItem(t, q, backoffice.KindOutbox, msg.Id); got.Detail != "mailbox full" {
		t.Errorf("outbox item without its error: %+v", got)
	}
	if got := onlyItem(t, q, backoffice.KindTickets, ticket.Id); got.URL != "https://help.example.net/admin/ticket/view/1503" {
		t.Errorf("ticket link %q", got.URL)
	}
	if q.Total != 6 {
		t.Fatalf("total %d, want 6: %+v", q.Total, q.Counts)
	}
	_ = answered

	// One kind, paged.
	page, err := backoffice.LoadQueue(app, backoffice.QueueOptions{Now: now, Kind: backoffice.KindTickets, Page: 2, PerPage: 1})
	if err != nil || len(page.Items[backoffice.KindTickets]) != 0 || len(page.Items) != 1 || page.Total != 6 {
		t.Fatalf("page 2 of one ticket: %+v, %v", page, err)
	}

	// Clearing each one.
	if _, err := provisioning.RetryJob(context.Background(), app, svc.Id, failedJob.Id, staffActor); err != nil {
		t.Fatal(err)
	}
	stuckJob.Set("status", "succeeded") // the worker got to it at last
	queueSave(t, app, stuckJob)
	order.Set("status", "cancelled")
	queueSave(t, app, order)
	if _, err := backoffice.DismissEvent(app, staffActor, event.Id); err != nil {
		t.Fatal(err)
	}
	if _, err := backoffice.DiscardMessage(app, staffActor, msg.Id, now); err != nil {
		t.Fatal(err)
	}
	ticket.Set("last_reply_by", "staff")
	queueSave(t, app, ticket)

	if q := queueOf(t, app, now); q.Total != 0 {
		t.Fatalf("cleared queue still has work: %+v", q.Counts)
	}
	// The retried job is pending again, due now, with fresh attempts.
	job, _ := app.FindRecordById("provisioning_jobs", failedJob.Id)
	if job.GetString("status") != "pending" || job.GetInt("attempts") != 0 || !job.GetDateTime("finished_at").IsZero() {
		t.Errorf("retried job: %v", job)
	}
}

// An overdue invoice is in the queue until paid, and with it dunning's
// own schedule: the suspension of its service, then after the dunning run
// suspended it, the termination.
func TestQueueOverdueAndDunningSchedule(t *testing.T) {
	app := testutil.NewApp(t)
	s, err := settings.Load(app)
	if err != nil {
		t.Fatal(err)
	}
	_, price := testutil.Plan(t, app, "vps", "USD", 1200)
	c := testutil.Customer(t, app, "late@example.com", "USD")
	ordered := time.Now().UTC().AddDate(0, 0, -30).Truncate(time.Hour)
	res, err := orders.Place(context.Background(), app, c, orders.Request{PlanPrice: price.Id}, orders.By{}, ordered)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []*core.Record{res.Subscription, res.Service} {
		fresh, _ := app.FindRecordById(r.Collection().Name, r.Id)
		fresh.Set("status", "active")
		queueSave(t, app, fresh)
	}
	inv, err := ledger.FindInvoice(app, res.Invoice.Id)
	if err != nil {
		t.Fatal(err)
	}
	due := inv.GetDateTime("due_at").Time()
	suspendAt := due.AddDate(0, 0, s.DunningSuspendDays)

	// Before the due date: nothing; the day after, the invoice and, within
	// the week ahead, the suspension.
	if q := queueOf(t, app, due.Add(-time.Hour)); q.Counts[backoffice.KindOverdue] != 0 {
		t.Fatalf("invoice not yet due is overdue: %+v", q.Counts)
	}
	now := due.Add(24 * time.Hour)
	q := queueOf(t, app, now)
	if got := onlyItem(t, q, backoffice.KindOverdue, inv.Id); got.Amount != 1200 || got.Currency != "USD" || got.Customer != c.Id || !got.At.Equal(due) {
		t.Errorf("overdue item: %+v", got)
	}
	got := onlyItem(t, q, backoffice.KindDunning, res.Service.Id)
	if got.Step != dunning.StepSuspend || !got.At.Equal(suspendAt) || got.Invoice != inv.Id {
		t.Errorf("suspension item: %+v, want at %s", got, suspendAt)
	}
	if q := queueOf(t, app, suspendAt.AddDate(0, 0, -8)); q.Counts[backoffice.KindDunning] != 0 {
		t.Errorf("a suspension 8 days ahead is in a 7-day queue: %+v", q.Items[backoffice.KindDunning])
	}

	// The dunning run suspends it: the termination comes next.
	if _, err := dunning.Run(app, dunning.Options{Now: suspendAt}); err != nil {
		t.Fatal(err)
	}
	terminateAt := suspendAt.AddDate(0, 0, s.DunningTerminateDays)
	q = queueOf(t, app, terminateAt.Add(-time.Hour))
	got = onlyItem(t, q, backoffice.KindDunning, res.Service.Id)
	if got.Step != dunning.StepTerminate || !got.At.Equal(terminateAt) || got.Status != "suspended" {
		t.Errorf("termination item: %+v, want at %s", got, terminateAt)
	}
	// A service staff exempted is not terminated, so not in the queue.
	svc, _ := app.FindRecordById("services", res.Service.Id)
	svc.Set("terminate_exempt", true)
	queueSave(t, app, svc)
	if q := queueOf(t, app, terminateAt.Add(-time.Hour)); q.Counts[backoffice.KindDunning] != 0 {
		t.Errorf("exempt service scheduled: %+v", q.Items[backoffice.KindDunning])
	}
	svc.Set("terminate_exempt", false)
	queueSave(t, app, svc)

	// Paid: off the queue.
	err = app.RunInTransaction(func(tx core.App) error {
		_, _, err := payments.ApplyCharge(context.Background(), tx, payments.Charge{InvoiceID: inv.Id, Gateway: payments.GatewayManual,
			GatewayID: "bank-1", Amount: money.Amount{Minor: inv.AmountDue(), Currency: "USD"}, PaidAt: terminateAt.Add(-2 * time.Hour)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if q := queueOf(t, app, terminateAt.Add(-time.Hour)); q.Counts[backoffice.KindOverdue] != 0 || q.Counts[backoffice.KindDunning] != 0 {
		t.Errorf("paid invoice still in the queue: %+v", q.Items)
	}
}

// The actions refuse what they cannot do, change nothing then, and write
// down staff's hand in what they do.
func TestQueueActionRefusals(t *testing.T) {
	app := testutil.NewApp(t)
	now := time.Now().UTC()
	c := testutil.Customer(t, app, "r@example.com", "USD")
	msg, err := outbox.Queue(context.Background(), app, outbox.Message{Channel: "email", Recipient: c.Email(), CustomerID: c.Id, Template: "welcome", Subject: "Hi", BodyText: "hi"})
	if err != nil {
		t.Fatal(err)
	}
	event := testutil.Create(t, app, "webhook_events", map[string]any{"gateway": "paypal", "event_id": "WH-1", "type": "PAYMENT.CAPTURE.COMPLETED", "status": "processed"})

	set := func(rec *core.Record, status string) {
		rec.Set("status", status)
		queueSave(t, app, rec)
	}
	cases := []struct {
		name    string
		prepare func()
		do      func() (*core.Record, error)
		missing bool
	}{
		{"resend an unknown message", func() {}, func() (*core.Record, error) { return backoffice.ResendMessage(app, staffActor, "nosuchmessage12", now) }, true},
		{"resend a sent message", func() { set(msg, outbox.StatusSent) }, func() (*core.Record, error) { return backoffice.ResendMessage(app, staffActor, msg.Id, now) }, false},
		{"discard a message being sent", func() { set(msg, outbox.StatusSending) }, func() (*core.Record, error) { return backoffice.DiscardMessage(app, staffActor, msg.Id, now) }, false},
		{"discard a discarded message", func() { set(msg, outbox.StatusCancelled) }, func() (*core.Record, error) { return backoffice.DiscardMessage(app, staffActor, msg.Id, now) }, false},
		{"dismiss a processed event", func() {}, func() (*core.Record, error) { return backoffice.DismissEvent(app, staffActor, event.Id) }, false},
		{"dismiss an unknown event", func() {}, func() (*core.Record, error) { return backoffice.DismissEvent(app, staffActor, "nosuchevent1234") }, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.prepare()
			before := queueSnapshot(t, app)
			_, err := tc.do()
			refused, ok := err.(*backoffice.QueueActionError)
			if !ok || refused.Reason == "" || refused.Missing != tc.missing {
				t.Fatalf("want a refusal (missing %v), got %v", tc.missing, err)
			}
			if after := queueSnapshot(t, app); after != before {
				t.Errorf("a refused action changed something: %s → %s", before, after)
			}
		})
	}

	// Done: audited as the superuser's.
	set(msg, outbox.StatusFailed)
	if _, err := backoffice.ResendMessage(app, staffActor, msg.Id, now); err != nil {
		t.Fatal(err)
	}
	fresh, _ := app.FindRecordById(outbox.Collection, msg.Id)
	if fresh.GetString("status") != outbox.StatusPending || !fresh.GetDateTime("next_attempt_at").Time().Equal(now.Truncate(time.Millisecond)) {
		t.Errorf("resent message: %s due %s", fresh.GetString("status"), fresh.GetDateTime("next_attempt_at"))
	}
	entry, err := app.FindFirstRecordByFilter(audit.Collection, "action = {:a} && record_id = {:id}", dbx.Params{"a": backoffice.ActionMessageResend, "id": msg.Id})
	if err != nil || entry.GetString("actor_id") != staffActor.ID || entry.GetString("actor_kind") != audit.KindSuperuser {
		t.Fatalf("resend not audited as staff's: %v %v", entry, err)
	}
}

// queueSnapshot is the state the refusals must leave alone: statuses and the
// number of audit entries.
func queueSnapshot(t *testing.T, app core.App) string {
	t.Helper()
	var rows []struct {
		S string `db:"s"`
	}
	err := app.DB().NewQuery(`SELECT status || ':' || updated AS s FROM outbox UNION ALL SELECT status || ':' || updated FROM webhook_events
		UNION ALL SELECT count(*) FROM audit_logs`).All(&rows)
	if err != nil {
		t.Fatal(err)
	}
	out := ""
	for _, r := range rows {
		out += r.S + ";"
	}
	return out
}

func queueSave(t *testing.T, app core.App, rec *core.Record) {
	t.Helper()
	if err := app.Save(rec); err != nil {
		t.Fatal(err)
	}
}

// queueAge moves a record's creation back to at, as if it had waited since.
func queueAge(t *testing.T, app core.App, collection, id string, at time.Time) {
	t.Helper()
	if _, err := app.DB().Update(collection, dbx.Params{"created": at.Format("2006-01-02 15:04:05.000Z")}, dbx.HashExp{"id": id}).Execute(); err != nil {
		t.Fatal(err)
	}
}

// A create waiting for staff to assign hardware is listed as such, not as
// a stuck job, however long it waits, and leaves when it runs again.
func TestQueueHardwareWaiting(t *testing.T) {
	app := testutil.NewApp(t)
	now := time.Now().UTC()
	c := testutil.Customer(t, app, "metal@example.com", "USD")
	svc := testutil.Service(t, app, c)
	job, err := provisioning.Enqueue(context.Background(), app, provisioning.Job{ServiceID: svc.Id, Action: provisioning.ActionCreate,
		Payload: map[string]any{"waiting_for": provisioning.WaitingHardware}})
	if err != nil {
		t.Fatal(err)
	}
	job.Set("last_error", "no matching server in stock")
	queueSave(t, app, job)
	queueAge(t, app, "provisioning_jobs", job.Id, now.Add(-48*time.Hour))
	q := queueOf(t, app, now)
	if got := onlyItem(t, q, backoffice.KindHardware, job.Id); got.Service != svc.Id || got.Customer != c.Id {
		t.Errorf("hardware item does not name its service and customer: %+v", got)
	}
	if q.Total != 1 {
		t.Fatalf("counted elsewhere too: %+v", q.Counts)
	}
	job, _ = app.FindRecordById("provisioning_jobs", job.Id)
	job.Set("payload", map[string]any{"server_id": "300"}) // staff assigned one
	queueSave(t, app, job)
	if q := queueOf(t, app, now); q.Counts[backoffice.KindHardware] != 0 || q.Counts[backoffice.KindStuckJobs] != 1 {
		t.Fatalf("after the assignment: %+v", q.Counts)
	}
}
