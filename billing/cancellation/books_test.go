package cancellation_test

import (
	"context"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/cancellation"
	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/billing/orders"
	"github.com/ezscale/ezscale/billing/payments"
	"github.com/ezscale/ezscale/billing/renewals"
	"github.com/ezscale/ezscale/internal/settings"
	"github.com/ezscale/ezscale/internal/testutil"
)

var (
	ctx = context.Background()
	// The first period runs Jan 31 – Feb 28, 28 days; its renewal is
	// issued from Feb 21 (7 lead days) for Feb 28 – Mar 31.
	ordered  = time.Date(2026, 1, 31, 10, 0, 0, 0, time.UTC)
	halfway  = ordered.AddDate(0, 0, 14)
	renewing = time.Date(2026, 2, 22, 6, 0, 0, 0, time.UTC)
)

type world struct {
	app      core.App
	customer *core.Record
	price    *core.Record
}

func newWorld(t *testing.T) *world {
	t.Helper()
	app := testutil.NewApp(t)
	_, price := testutil.Plan(t, app, "vps", "USD", 1000)
	return &world{app: app, customer: testutil.Customer(t, app, "a@example.com", "USD"), price: price}
}

// subscribe orders at ordered with coupon, pays what is due and activates
// the subscription and service, as payment does.
func (w *world) subscribe(t *testing.T, coupon string) (sub, svc *core.Record) {
	t.Helper()
	res, err := orders.Place(ctx, w.app, w.customer, orders.Request{PlanPrice: w.price.Id, Coupon: coupon}, orders.By{}, ordered)
	if err != nil {
		t.Fatal(err)
	}
	w.pay(t, res.Invoice.Id)
	for _, r := range []*core.Record{res.Subscription, res.Service} {
		fresh, _ := w.app.FindRecordById(r.Collection().Name, r.Id)
		fresh.Set("status", "active")
		if err := w.app.Save(fresh); err != nil {
			t.Fatal(err)
		}
	}
	sub, _ = w.app.FindRecordById("subscriptions", res.Subscription.Id)
	svc, _ = w.app.FindRecordById("services", res.Service.Id)
	return sub, svc
}

// pay pays what an open invoice asks by bank transfer.
func (w *world) pay(t *testing.T, invoiceID string) {
	t.Helper()
	inv, err := ledger.FindInvoice(w.app, invoiceID)
	if err != nil {
		t.Fatal(err)
	}
	if inv.Status() != ledger.StatusOpen {
		return
	}
	err = w.app.RunInTransaction(func(tx core.App) error {
		_, _, err := payments.ApplyCharge(ctx, tx, payments.Charge{InvoiceID: inv.Id, Gateway: payments.GatewayManual,
			Amount: money.Amount{Minor: inv.AmountDue(), Currency: inv.Currency()}, PaidAt: inv.GetDateTime("issued_at").Time()})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// renewal runs the renewals in the lead window and returns the renewal invoice.
func (w *world) renewal(t *testing.T) *ledger.Invoice {
	t.Helper()
	if _, err := renewals.Run(w.app, renewals.Options{Now: renewing}); err != nil {
		t.Fatal(err)
	}
	recs, err := w.app.FindRecordsByFilter("invoices", "purpose = 'renewal'", "", 0, 0)
	if err != nil || len(recs) != 1 {
		t.Fatalf("renewal invoices: %d %v", len(recs), err)
	}
	return ledger.AsInvoice(recs[0])
}

func (w *world) cancel(t *testing.T, svc *core.Record, req cancellation.Request, at time.Time) *cancellation.Result {
	t.Helper()
	res, err := cancellation.Cancel(ctx, w.app, svc, req, true, at)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func (w *world) balance(t *testing.T) int64 {
	t.Helper()
	b, err := ledger.Balance(w.app, w.customer.Id, "USD")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (w *world) status(t *testing.T, inv *ledger.Invoice) string {
	t.Helper()
	fresh, err := ledger.FindInvoice(w.app, inv.Id)
	if err != nil {
		t.Fatal(err)
	}
	return fresh.Status()
}

// Cancelling now with credit returns what was paid for the unused time,
// tax included, never the list price of it.
func TestCancelNowCreditsWhatWasPaid(t *testing.T) {
	cases := []struct {
		name   string
		setup  func(t *testing.T, w *world) string // the coupon code
		credit int64
	}{
		{"no coupon, no tax: half the price", func(*testing.T, *world) string { return "" }, 500},
		{"100 % coupon: nothing was paid", func(t *testing.T, w *world) string {
			testutil.Create(t, w.app, "coupons", map[string]any{"code": "FREE", "kind": "percent", "percent_off": 100, "duration": "once", "active": true})
			return "FREE"
		}, 0},
		{"20 % VAT paid: half the gross", func(t *testing.T, w *world) string {
			s, err := settings.Record(w.app)
			if err != nil {
				t.Fatal(err)
			}
			s.Set("company_country", "GB")
			if err := w.app.Save(s); err != nil {
				t.Fatal(err)
			}
			testutil.Create(t, w.app, "tax_rates", map[string]any{"name": "VAT", "country": "GB", "rate": 20000, "active": true})
			c, _ := w.app.FindRecordById("customers", w.customer.Id)
			c.Set("country", "GB")
			if err := w.app.Save(c); err != nil {
				t.Fatal(err)
			}
			w.customer = c
			return ""
		}, 600},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			sub, svc := w.subscribe(t, tc.setup(t, w))
			res := w.cancel(t, svc, cancellation.Request{When: cancellation.Immediately, Credit: true}, halfway)
			if res.Credit != tc.credit || w.balance(t) != tc.credit {
				t.Errorf("credit %d, balance %d, want %d", res.Credit, w.balance(t), tc.credit)
			}
			if tc.credit == 0 {
				return
			}
			entry, err := w.app.FindFirstRecordByFilter("credit_entries", "reason = 'cancellation'")
			if err != nil {
				t.Fatal(err)
			}
			if entry.GetString("subscription") != sub.Id || !entry.GetDateTime("period_start").Time().Equal(halfway) ||
				!entry.GetDateTime("period_end").Time().Equal(sub.GetDateTime("current_period_end").Time()) {
				t.Errorf("credit entry does not name the time it returns: %v", entry.FieldsData())
			}
			// Asking again returns nothing more: that time was returned.
			sub, _ = w.app.FindRecordById("subscriptions", sub.Id)
			sub.Set("status", "active")
			if err := w.app.Save(sub); err != nil {
				t.Fatal(err)
			}
			if res := w.cancel(t, svc, cancellation.Request{When: cancellation.Immediately, Credit: true}, halfway); res.Credit != 0 {
				t.Errorf("the same time credited twice: %d", res.Credit)
			}
		})
	}
}

// Staff cancelling now leave nothing to charge for later periods: the
// renewal issued ahead is voided, and its paid value is credited.
func TestCancelNowEndsTheIssuedRenewal(t *testing.T) {
	t.Run("open renewal is voided", func(t *testing.T) {
		w := newWorld(t)
		_, svc := w.subscribe(t, "")
		inv := w.renewal(t)
		w.cancel(t, svc, cancellation.Request{When: cancellation.Immediately}, renewing.Add(time.Hour))
		if st := w.status(t, inv); st != ledger.StatusVoid {
			t.Errorf("renewal of a cancelled service is %s, want void", st)
		}
		if n, _ := w.app.CountRecords("provisioning_jobs"); n == 0 {
			t.Error("no termination queued")
		}
	})
	t.Run("credit names only the paid time, not the open renewal voided", func(t *testing.T) {
		w := newWorld(t)
		sub, svc := w.subscribe(t, "")
		w.renewal(t)
		at := time.Date(2026, 2, 27, 10, 0, 0, 0, time.UTC)
		w.cancel(t, svc, cancellation.Request{When: cancellation.Immediately, Credit: true}, at)
		entry, err := w.app.FindFirstRecordByFilter("credit_entries", "reason = 'cancellation'")
		if err != nil {
			t.Fatal(err)
		}
		paidEnd := sub.GetDateTime("current_period_end").Time()
		if got := entry.GetDateTime("period_end").Time(); !got.Equal(paidEnd) {
			t.Errorf("credit returns time up to %s, want the end of the paid period %s", got, paidEnd)
		}
	})
	t.Run("paid renewal is credited with the unused time", func(t *testing.T) {
		w := newWorld(t)
		_, svc := w.subscribe(t, "")
		inv := w.renewal(t)
		w.pay(t, inv.Id)
		at := time.Date(2026, 2, 27, 10, 0, 0, 0, time.UTC) // one day of the first period left
		res := w.cancel(t, svc, cancellation.Request{When: cancellation.Immediately, Credit: true}, at)
		if want := int64(1000/28 + 1000); res.Credit != want || w.balance(t) != want {
			t.Errorf("credit %d, balance %d, want %d (a day of the first period and the whole paid renewal)", res.Credit, w.balance(t), want)
		}
	})
}

// A customer cancelling at period end once the renewal is issued is not
// charged for it; one already paid is credited.
func TestCancelAtPeriodEndAfterTheRenewalWasIssued(t *testing.T) {
	t.Run("open", func(t *testing.T) {
		w := newWorld(t)
		sub, svc := w.subscribe(t, "")
		inv := w.renewal(t)
		res, err := cancellation.Cancel(ctx, w.app, svc, cancellation.Request{Reason: "not_needed"}, false, renewing.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if st := w.status(t, inv); st != ledger.StatusVoid || res.Credit != 0 {
			t.Errorf("renewal %s, credit %d; want void and nothing credited", st, res.Credit)
		}
		if sub, _ = w.app.FindRecordById("subscriptions", sub.Id); sub.GetString("status") != "active" {
			t.Errorf("the service ends at period end, not now: subscription %s", sub.GetString("status"))
		}
	})
	t.Run("paid", func(t *testing.T) {
		w := newWorld(t)
		_, svc := w.subscribe(t, "")
		inv := w.renewal(t)
		w.pay(t, inv.Id)
		res, err := cancellation.Cancel(ctx, w.app, svc, cancellation.Request{}, false, renewing.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if res.Credit != 1000 || w.balance(t) != 1000 {
			t.Errorf("credit %d, balance %d; want the paid renewal, 1000", res.Credit, w.balance(t))
		}
	})
}
