package orders_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/ledgercheck"
	"github.com/ezscale/ezscale/billing/orders"
	"github.com/ezscale/ezscale/internal/audit"
	"github.com/ezscale/ezscale/internal/clock"
	"github.com/ezscale/ezscale/internal/testutil"
)

var staff = audit.Actor{Kind: audit.KindSuperuser, ID: "staff1"}

// waitlisted places an order of a dedicated plan out of stock that allows a
// wait list: the order waits for approval with a draft invoice.
func waitlisted(t *testing.T, app core.App, slug string) (plan *core.Record, res *orders.Result) {
	t.Helper()
	plan, price := testutil.Plan(t, app, "dedi-"+slug, "USD", 9900)
	plan.Load(map[string]any{"track_stock": true, "stock": 0, "allow_waitlist": true})
	if err := app.Save(plan); err != nil {
		t.Fatal(err)
	}
	c := testutil.Customer(t, app, slug+"@example.com", "USD")
	res, err := orders.Place(context.Background(), app, c, orders.Request{PlanPrice: price.Id}, orders.By{}, time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	if res.Order.GetString("status") != orders.StatusPendingApproval || res.Invoice.Status() != ledger.StatusDraft {
		t.Fatalf("order %s, invoice %s: not wait-listed", res.Order.GetString("status"), res.Invoice.Status())
	}
	return plan, res
}

func setStock(t *testing.T, app core.App, plan *core.Record, n int) {
	t.Helper()
	plan, err := app.FindRecordById("plans", plan.Id)
	if err != nil {
		t.Fatal(err)
	}
	plan.Set("stock", n)
	if err := app.Save(plan); err != nil {
		t.Fatal(err)
	}
}

func refusal(t *testing.T, err error, status int) {
	t.Helper()
	var oe *orders.Error
	if !errors.As(err, &oe) || oe.Status != status {
		t.Fatalf("got %v, want a refusal with status %d", err, status)
	}
}

func outboxCount(t *testing.T, app core.App, template, customer string) int {
	t.Helper()
	n, err := app.CountRecords("outbox", dbx.HashExp{"template": template, "customer": customer})
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func checkLedger(t *testing.T, app core.App) {
	t.Helper()
	rep, err := ledgercheck.RunAt(app, time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range rep.Violations {
		t.Errorf("ledger check: %+v", v)
	}
}

// Approving issues the draft (emailed), takes the unit of stock staff
// added, audits it; a second approval, sequential or concurrent, changes
// nothing more.
func TestApproveWaitlistedOrder(t *testing.T) {
	app := testutil.NewApp(t)
	plan, res := waitlisted(t, app, "wait")
	customer := res.Order.GetString("customer")

	// Out of stock still: nothing to approve with.
	_, err := orders.Approve(context.Background(), app, res.Order.Id, staff)
	refusal(t, err, http.StatusConflict)
	if inv, _ := ledger.FindInvoice(app, res.Invoice.Id); inv.Status() != ledger.StatusDraft {
		t.Fatalf("refused approval issued the invoice: %s", inv.Status())
	}

	setStock(t, app, plan, 2)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = orders.Approve(context.Background(), app, res.Order.Id, staff)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("approve: %v", err)
		}
	}
	if _, err := orders.Approve(context.Background(), app, res.Order.Id, staff); err != nil {
		t.Fatalf("approve again: %v", err)
	}

	order, _ := app.FindRecordById("orders", res.Order.Id)
	inv, _ := ledger.FindInvoice(app, res.Invoice.Id)
	p, _ := app.FindRecordById("plans", plan.Id)
	if order.GetString("status") != orders.StatusPending || inv.Status() != ledger.StatusOpen || inv.GetString("number") == "" {
		t.Errorf("order %s, invoice %s %q: want pending and an issued invoice", order.GetString("status"), inv.Status(), inv.GetString("number"))
	}
	if p.GetInt("stock") != 1 {
		t.Errorf("stock %d, want 1: one unit taken once", p.GetInt("stock"))
	}
	if n := outboxCount(t, app, "invoice_issued", customer); n != 1 {
		t.Errorf("%d invoice emails, want 1", n)
	}
	if n, _ := app.CountRecords("audit_logs", dbx.HashExp{"action": "order.approve", "record_id": order.Id, "actor_id": staff.ID}); n < 1 {
		t.Error("approval not audited")
	}

	// An approved order cannot be declined.
	_, err = orders.Decline(context.Background(), app, order.Id, "changed our mind", staff)
	refusal(t, err, http.StatusConflict)
	checkLedger(t, app)
}

// An order approved days after it was placed bills its first period from
// the approval: the customer joined a wait list, not the server's lease.
func TestApprovalStartsTheFirstPeriod(t *testing.T) {
	app := testutil.NewApp(t)
	plan, res := waitlisted(t, app, "later")
	setStock(t, app, plan, 1)
	approvedAt := time.Now().UTC().AddDate(0, 0, 12).Truncate(time.Millisecond)
	clock.Set(app, func() time.Time { return approvedAt })
	if _, err := orders.Approve(context.Background(), app, res.Order.Id, staff); err != nil {
		t.Fatal(err)
	}
	sub, _ := app.FindRecordById("subscriptions", res.Subscription.Id)
	line, err := app.FindFirstRecordByFilter(ledger.ItemsCollection, "invoice = {:i} && kind = 'period'", dbx.Params{"i": res.Invoice.Id})
	if err != nil {
		t.Fatal(err)
	}
	wantEnd := approvedAt.AddDate(0, 1, 0)
	for what, got := range map[string]time.Time{
		"subscription period start": sub.GetDateTime("current_period_start").Time(), "line period start": line.GetDateTime("period_start").Time(),
	} {
		if !got.Equal(approvedAt) {
			t.Errorf("%s %v, want the approval %v", what, got, approvedAt)
		}
	}
	for what, got := range map[string]time.Time{
		"billed until": sub.GetDateTime("billed_until").Time(), "line period end": line.GetDateTime("period_end").Time(),
	} {
		if !got.Equal(wantEnd) {
			t.Errorf("%s %v, want %v", what, got, wantEnd)
		}
	}
	if line.GetInt64("unit_amount") != 9900 {
		t.Errorf("the first period costs %d, want the whole 9900", line.GetInt64("unit_amount"))
	}
	checkLedger(t, app)
}

// Declining voids the draft, cancels the order, its subscription and
// service, and emails the customer the reason, once.
func TestDeclineWaitlistedOrder(t *testing.T) {
	app := testutil.NewApp(t)
	plan, res := waitlisted(t, app, "nope")
	customer := res.Order.GetString("customer")

	_, err := orders.Decline(context.Background(), app, res.Order.Id, "  ", staff)
	refusal(t, err, http.StatusBadRequest)

	for range 2 {
		if _, err := orders.Decline(context.Background(), app, res.Order.Id, "That model is discontinued", staff); err != nil {
			t.Fatalf("decline: %v", err)
		}
	}
	order, _ := app.FindRecordById("orders", res.Order.Id)
	inv, _ := ledger.FindInvoice(app, res.Invoice.Id)
	sub, _ := app.FindRecordById("subscriptions", res.Subscription.Id)
	svc, _ := app.FindRecordById("services", res.Service.Id)
	for what, got := range map[string]string{
		"order": order.GetString("status"), "invoice": inv.Status(), "subscription": sub.GetString("status"), "service": svc.GetString("status"),
	} {
		want := map[string]string{"invoice": ledger.StatusVoid}[what]
		if want == "" {
			want = "cancelled"
		}
		if got != want {
			t.Errorf("%s %s, want %s", what, got, want)
		}
	}
	if n := outboxCount(t, app, "order_declined", customer); n != 1 {
		t.Errorf("%d decline emails, want 1", n)
	}
	msg, err := app.FindFirstRecordByFilter("outbox", "template = 'order_declined'")
	if err != nil || !strings.Contains(msg.GetString("body_text"), "That model is discontinued") {
		t.Errorf("the email does not give the reason: %v", err)
	}
	if n, _ := app.CountRecords("audit_logs", dbx.HashExp{"action": "order.decline", "record_id": order.Id, "message": "That model is discontinued"}); n != 1 {
		t.Errorf("%d decline audit entries, want 1", n)
	}

	// A declined order cannot be approved, even with stock back.
	setStock(t, app, plan, 1)
	_, err = orders.Approve(context.Background(), app, order.Id, staff)
	refusal(t, err, http.StatusConflict)
	checkLedger(t, app)
}

// A declined order gives back its coupon use: a once-per-customer coupon
// can be used on the customer's next order.
func TestDeclineReleasesTheCoupon(t *testing.T) {
	app := testutil.NewApp(t)
	plan, price := testutil.Plan(t, app, "dedi-coupon", "USD", 9900)
	plan.Load(map[string]any{"track_stock": true, "stock": 0, "allow_waitlist": true})
	if err := app.Save(plan); err != nil {
		t.Fatal(err)
	}
	testutil.Create(t, app, "coupons", map[string]any{"code": "WELCOME", "kind": "percent", "percent_off": 10, "duration": "once",
		"once_per_customer": true, "active": true})
	c := testutil.Customer(t, app, "coupon@example.com", "USD")
	order := func() (*orders.Result, error) {
		return orders.Place(context.Background(), app, c, orders.Request{PlanPrice: price.Id, Coupon: "WELCOME"}, orders.By{}, time.Now().UTC())
	}
	res, err := order()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := orders.Decline(context.Background(), app, res.Order.Id, "No server in that location", staff); err != nil {
		t.Fatal(err)
	}
	if _, err := order(); err != nil {
		t.Errorf("the coupon of a declined order cannot be used again: %v", err)
	}
	checkLedger(t, app)
}

// Only a wait-listed order is approved or declined.
func TestApproveRefusesOrdersNotWaiting(t *testing.T) {
	app := testutil.NewApp(t)
	_, price := testutil.Plan(t, app, "vps", "USD", 1000)
	c := testutil.Customer(t, app, "instock@example.com", "USD")
	res, err := orders.Place(context.Background(), app, c, orders.Request{PlanPrice: price.Id}, orders.By{}, time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	_, err = orders.Decline(context.Background(), app, res.Order.Id, "no", staff)
	refusal(t, err, http.StatusConflict)
	_, err = orders.Approve(context.Background(), app, res.Order.Id, staff)
	refusal(t, err, http.StatusConflict)
	_, err = orders.Approve(context.Background(), app, "missing", staff)
	refusal(t, err, http.StatusNotFound)
	if inv, _ := ledger.FindInvoice(app, res.Invoice.Id); inv.Status() != ledger.StatusOpen {
		t.Errorf("refused decline changed the invoice to %s", inv.Status())
	}
}
