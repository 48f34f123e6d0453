package renewals_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/orders"
	"github.com/ezscale/ezscale/billing/renewals"
	"github.com/ezscale/ezscale/internal/settings"
	"github.com/ezscale/ezscale/internal/testutil"
)

var (
	ctx     = context.Background()
	ordered = time.Date(2026, 1, 31, 10, 0, 0, 0, time.UTC)
)

type world struct {
	app   core.App
	price *core.Record
}

func newWorld(t *testing.T) *world {
	t.Helper()
	app := testutil.NewApp(t)
	plan := testutil.Create(t, app, "plans", map[string]any{"name": "VPS", "slug": "vps", "service_type": "vps", "platform": "virtfusion", "status": "active"})
	price := testutil.Create(t, app, "plan_prices", map[string]any{"plan": plan.Id, "currency": "USD", "cycle": "monthly", "amount": 1000, "active": true})
	return &world{app: app, price: price}
}

// subscribe orders for customer at ordered, pays the invoice and activates
// the subscription, as payment will.
func (w *world) subscribe(t *testing.T, customer *core.Record, coupon string) *core.Record {
	t.Helper()
	res, err := orders.Place(ctx, w.app, customer, orders.Request{PlanPrice: w.price.Id, Coupon: coupon}, orders.By{}, ordered)
	if err != nil {
		t.Fatal(err)
	}
	inv, _ := ledger.FindInvoice(w.app, res.Invoice.Id)
	if inv.Status() == ledger.StatusOpen {
		inv.Set("status", ledger.StatusPaid)
		if err := w.app.Save(inv); err != nil {
			t.Fatal(err)
		}
	}
	sub, _ := w.app.FindRecordById("subscriptions", res.Subscription.Id)
	sub.Set("status", "active")
	if err := w.app.Save(sub); err != nil {
		t.Fatal(err)
	}
	return sub
}

func run(t *testing.T, app core.App, now time.Time) renewals.Result {
	t.Helper()
	res, err := renewals.Run(app, renewals.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func renewalInvoices(t *testing.T, app core.App) []*core.Record {
	t.Helper()
	recs, err := app.FindRecordsByFilter("invoices", "purpose = 'renewal'", "number", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestRenewalBillsEachPeriodOnce(t *testing.T) {
	w := newWorld(t)
	c := testutil.Customer(t, w.app, "a@example.com", "USD")
	w.subscribe(t, c, "")
	w.subscribe(t, c, "")

	// Next period starts Feb 28 (Jan 31 clamped); with 7 lead days it is due from Feb 21.
	if res := run(t, w.app, time.Date(2026, 2, 20, 0, 0, 0, 0, time.UTC)); res.Invoices != 0 {
		t.Fatalf("billed before the lead time: %+v", res)
	}
	res := run(t, w.app, time.Date(2026, 2, 22, 6, 0, 0, 0, time.UTC))
	if res.Invoices != 1 || res.Lines != 2 {
		t.Fatalf("want one invoice with both renewals, got %+v", res)
	}
	invs := renewalInvoices(t, w.app)
	if len(invs) != 1 || invs[0].GetInt64("total") != 2000 || invs[0].GetString("status") != ledger.StatusOpen {
		t.Fatalf("renewal invoice: %v", invs)
	}
	items, _ := ledger.Items(w.app, invs[0].Id)
	for _, it := range items {
		if got := it.GetDateTime("period_start").Time(); !got.Equal(time.Date(2026, 2, 28, 10, 0, 0, 0, time.UTC)) {
			t.Errorf("period starts %v, want Feb 28 (clamped from Jan 31)", got)
		}
		if got := it.GetDateTime("period_end").Time(); !got.Equal(time.Date(2026, 3, 31, 10, 0, 0, 0, time.UTC)) {
			t.Errorf("period ends %v, want Mar 31", got)
		}
	}

	// Again, the same day and the next: nothing new.
	for _, day := range []int{22, 23} {
		if res := run(t, w.app, time.Date(2026, 2, day, 7, 0, 0, 0, time.UTC)); res.Invoices != 0 || res.Lines != 0 {
			t.Errorf("re-run on Feb %d billed again: %+v", day, res)
		}
	}
	// The period after: due from Mar 24 (Mar 31 − 7 days).
	if res := run(t, w.app, time.Date(2026, 3, 25, 0, 0, 0, 0, time.UTC)); res.Invoices != 1 || res.Lines != 2 || res.Rolled != 2 {
		t.Errorf("March renewal: %+v", res)
	}
}

func TestConcurrentRunsBillOnce(t *testing.T) {
	w := newWorld(t)
	for i := 0; i < 20; i++ {
		w.subscribe(t, testutil.Customer(t, w.app, fmt.Sprintf("c%d@example.com", i), "USD"), "")
	}
	now := time.Date(2026, 2, 25, 0, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := renewals.Run(w.app, renewals.Options{Now: now, GroupsPerTx: 3}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got := len(renewalInvoices(t, w.app)); got != 20 {
		t.Errorf("4 concurrent runs for 20 customers made %d invoices", got)
	}
	assertGapless(t, w.app)
}

func TestCrashedRunCompletesOnRerun(t *testing.T) {
	w := newWorld(t)
	for i := 0; i < 12; i++ {
		w.subscribe(t, testutil.Customer(t, w.app, fmt.Sprintf("c%d@example.com", i), "USD"), "")
	}
	// The second batch fails before it commits, as a crash would interrupt it.
	crash := errors.New("simulated crash")
	renewals.SetBeforeCommit(func(batch int) error {
		if batch == 1 {
			return crash
		}
		return nil
	})
	t.Cleanup(func() { renewals.SetBeforeCommit(nil) })
	now := time.Date(2026, 2, 25, 0, 0, 0, 0, time.UTC)
	if _, err := renewals.Run(w.app, renewals.Options{Now: now, GroupsPerTx: 5}); !errors.Is(err, crash) {
		t.Fatalf("want the crash, got %v", err)
	}
	// Whole batches commit or roll back: the first batch of 5 is in.
	if got := len(renewalInvoices(t, w.app)); got != 5 {
		t.Fatalf("after the crash: %d invoices, want 5", got)
	}
	renewals.SetBeforeCommit(nil)
	res := run(t, w.app, now)
	if res.Invoices != 7 || len(renewalInvoices(t, w.app)) != 12 {
		t.Errorf("re-run: %+v, %d invoices in all", res, len(renewalInvoices(t, w.app)))
	}
	assertGapless(t, w.app)
}

func TestRepeatingCouponStaysInForce(t *testing.T) {
	w := newWorld(t)
	testutil.Create(t, w.app, "coupons", map[string]any{"code": "TWO", "kind": "percent", "percent_off": 20, "duration": "repeating", "duration_cycles": 2, "active": true})
	w.subscribe(t, testutil.Customer(t, w.app, "a@example.com", "USD"), "TWO")
	totals := []int64{}
	for _, now := range []time.Time{
		time.Date(2026, 2, 25, 0, 0, 0, 0, time.UTC), // 2nd cycle: still discounted
		time.Date(2026, 3, 25, 0, 0, 0, 0, time.UTC), // 3rd cycle: full price
	} {
		run(t, w.app, now)
	}
	for _, inv := range renewalInvoices(t, w.app) {
		totals = append(totals, inv.GetInt64("total"))
	}
	sort.Slice(totals, func(i, j int) bool { return totals[i] < totals[j] })
	if fmt.Sprint(totals) != "[800 1000]" {
		t.Errorf("renewal totals %v, want [800 1000]", totals)
	}
}

func TestSeparateInvoicesWhenNotCombined(t *testing.T) {
	w := newWorld(t)
	rec, _ := settings.Record(w.app)
	rec.Set("combine_renewals", false)
	if err := w.app.Save(rec); err != nil {
		t.Fatal(err)
	}
	c := testutil.Customer(t, w.app, "a@example.com", "USD")
	w.subscribe(t, c, "")
	w.subscribe(t, c, "")
	if res := run(t, w.app, time.Date(2026, 2, 25, 0, 0, 0, 0, time.UTC)); res.Invoices != 2 {
		t.Errorf("uncombined renewals: %+v", res)
	}
}

func TestCancelAtPeriodEnd(t *testing.T) {
	w := newWorld(t)
	sub := w.subscribe(t, testutil.Customer(t, w.app, "a@example.com", "USD"), "")
	sub.Set("cancel_at_period_end", true)
	if err := w.app.Save(sub); err != nil {
		t.Fatal(err)
	}
	res := run(t, w.app, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	if res.Invoices != 0 || res.Cancelled != 1 {
		t.Errorf("cancelled subscription: %+v", res)
	}
	sub, _ = w.app.FindRecordById("subscriptions", sub.Id)
	if sub.GetString("status") != "cancelled" {
		t.Errorf("status %s", sub.GetString("status"))
	}
}

func TestHourlyIsMeteredInArrears(t *testing.T) {
	w := newWorld(t)
	plan := testutil.Create(t, w.app, "plans", map[string]any{"name": "Cloud", "slug": "cloud", "service_type": "vps", "platform": "virtfusion", "status": "active"})
	w.price = testutil.Create(t, w.app, "plan_prices", map[string]any{"plan": plan.Id, "currency": "USD", "cycle": "hourly", "amount": 2, "active": true})
	sub := w.subscribe(t, testutil.Customer(t, w.app, "a@example.com", "USD"), "")
	svc, _ := w.app.FindFirstRecordByFilter("services", "subscription = {:s}", map[string]any{"s": sub.Id})
	svc.Set("activated_at", ordered.Add(30*time.Minute))
	svc.Set("terminated_at", ordered.Add(100*time.Hour+30*time.Minute+time.Second)) // 100 h and 1 s: 101 started hours
	if err := w.app.Save(svc); err != nil {
		t.Fatal(err)
	}
	if res := run(t, w.app, time.Date(2026, 2, 20, 0, 0, 0, 0, time.UTC)); res.Invoices != 0 {
		t.Fatalf("hourly billed before its month ended: %+v", res)
	}
	run(t, w.app, time.Date(2026, 2, 28, 11, 0, 0, 0, time.UTC))
	invs := renewalInvoices(t, w.app)
	if len(invs) != 1 || invs[0].GetInt64("total") != 202 {
		t.Fatalf("hourly invoice: %v", invs)
	}
}

// assertGapless checks that the invoice numbers of the year run 1..n.
func assertGapless(t *testing.T, app core.App) {
	t.Helper()
	recs, _ := app.FindRecordsByFilter("invoices", "number != ''", "number", 0, 0)
	for i, r := range recs {
		if want := fmt.Sprintf("-%06d", i+1); !strings.HasSuffix(r.GetString("number"), want) {
			t.Fatalf("numbering has a gap or duplicate at %d: %s", i+1, r.GetString("number"))
		}
	}
}

func TestCreditPaidRenewalsShareTheNumbering(t *testing.T) {
	w := newWorld(t)
	for i := 0; i < 9; i++ {
		c := testutil.Customer(t, w.app, fmt.Sprintf("c%d@example.com", i), "USD")
		w.subscribe(t, c, "")
		if i%3 == 1 { // every third customer has credit for the whole renewal
			if _, err := ledger.AddCredit(ctx, w.app, ledger.CreditEntry{CustomerID: c.Id, Currency: "USD", Amount: 5000, Reason: ledger.CreditManual}); err != nil {
				t.Fatal(err)
			}
		}
	}
	res := run(t, w.app, time.Date(2026, 2, 25, 0, 0, 0, 0, time.UTC))
	if res.Invoices != 9 {
		t.Fatalf("%+v", res)
	}
	paid, open := 0, 0
	for _, inv := range renewalInvoices(t, w.app) {
		switch inv.GetString("status") {
		case ledger.StatusPaid:
			paid++
			if inv.GetInt64("credit_applied") != 1000 {
				t.Errorf("credit applied %d", inv.GetInt64("credit_applied"))
			}
		case ledger.StatusOpen:
			open++
		}
		// Bulk or one by one, every renewal invoice is audited as the job's.
		entry, err := w.app.FindFirstRecordByFilter("audit_logs", "collection = 'invoices' && record_id = {:id}", map[string]any{"id": inv.Id})
		if err != nil || entry.GetString("actor_id") != "renewals" || entry.GetString("customer") != inv.GetString("customer") {
			t.Errorf("audit of invoice %s: %v", inv.Id, err)
		}
	}
	if paid != 3 || open != 6 {
		t.Errorf("paid %d open %d", paid, open)
	}
	assertGapless(t, w.app)
}

// Each renewal invoice is emailed once, in the batch that issues it, on
// the bulk path and on the one-by-one path (credit) alike.
func TestRenewalInvoicesAreEmailedOnce(t *testing.T) {
	w := newWorld(t)
	bulk := testutil.Customer(t, w.app, "bulk@example.com", "USD")
	credited := testutil.Customer(t, w.app, "credit@example.com", "USD")
	w.subscribe(t, bulk, "")
	w.subscribe(t, credited, "")
	if _, err := ledger.AddCredit(ctx, w.app, ledger.CreditEntry{CustomerID: credited.Id, Currency: "USD", Amount: 300,
		Reason: ledger.CreditManual, Description: "goodwill"}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		run(t, w.app, time.Date(2026, 2, 22, 6, 0, 0, 0, time.UTC))
	}
	for _, inv := range renewalInvoices(t, w.app) {
		customer, _ := w.app.FindRecordById("customers", inv.GetString("customer"))
		msgs, err := w.app.FindAllRecords("outbox", dbx.HashExp{"template": "invoice_issued", "dedupe_key": "invoice:" + inv.Id + ":issued"})
		if err != nil || len(msgs) != 1 {
			t.Fatalf("invoice %s: %d emails, %v", inv.Id, len(msgs), err)
		}
		m := msgs[0]
		if m.GetString("recipient") != customer.Email() || m.GetString("status") != "pending" ||
			!strings.Contains(m.GetString("subject"), inv.GetString("number")) || !strings.Contains(m.GetString("attachments"), inv.Id) {
			t.Errorf("email %v", m.FieldsData())
		}
	}
	if n := len(renewalInvoices(t, w.app)); n != 2 {
		t.Errorf("%d renewal invoices", n)
	}
}
