package hooks_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/orders"
	"github.com/ezscale/ezscale/billing/renewals"
	"github.com/ezscale/ezscale/internal/testutil"
)

// changeWorld has VPS Start (12.00) and VPS Pro (32.00) a month, with no
// setup fee, and START50: 50 % off VPS Start only, for ever.
type changeWorld struct {
	*orderWorld
	start, startUSD, pro, proUSD *core.Record
}

func newChangeWorld(t *testing.T) *changeWorld {
	t.Helper()
	w := &changeWorld{orderWorld: newOrderWorld(t)}
	plan := func(name, slug string, amount int64) (*core.Record, *core.Record) {
		p := testutil.Create(t, w.app, "plans", map[string]any{"name": name, "slug": slug, "service_type": "vps", "platform": "virtfusion",
			"status": "active", "order_options": map[string]any{"hostname": true, "os": []string{"debian-12"}}})
		return p, testutil.Create(t, w.app, "plan_prices", map[string]any{"plan": p.Id, "currency": "USD", "cycle": "monthly", "amount": amount, "active": true})
	}
	w.start, w.startUSD = plan("VPS Start", "start", 1200)
	w.pro, w.proUSD = plan("VPS Pro", "pro", 3200)
	testutil.Create(t, w.app, "coupons", map[string]any{"code": "START50", "kind": "percent", "percent_off": 50, "duration": "forever",
		"plans": []string{w.start.Id}, "active": true})
	testutil.Create(t, w.app, "coupons", map[string]any{"code": "FREE", "kind": "percent", "percent_off": 100, "duration": "once", "active": true})
	testutil.Create(t, w.app, "coupons", map[string]any{"code": "HALF", "kind": "percent", "percent_off": 50, "duration": "forever", "active": true})
	return w
}

// subscribe orders price for customer an hour ago with coupon, pays the
// order and activates the service.
func (w *changeWorld) subscribe(t *testing.T, customer, price *core.Record, coupon string) *core.Record {
	t.Helper()
	res, err := orders.Place(context.Background(), w.app, customer, orders.Request{PlanPrice: price.Id, Coupon: coupon,
		Options: map[string]string{"hostname": "web1", "os": "debian-12"}}, orders.By{}, time.Now().UTC().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if inv, _ := ledger.FindInvoice(w.app, res.Invoice.Id); inv.Status() == ledger.StatusOpen {
		w.pay(t, inv.Id)
	}
	for _, r := range []*core.Record{res.Subscription, res.Service} {
		fresh, _ := w.app.FindRecordById(r.Collection().Name, r.Id)
		fresh.Set("status", "active")
		if err := w.app.Save(fresh); err != nil {
			t.Fatal(err)
		}
	}
	svc, _ := w.app.FindRecordById("services", res.Service.Id)
	return svc
}

func (w *changeWorld) pay(t *testing.T, invoiceID string) {
	t.Helper()
	inv, err := ledger.FindInvoice(w.app, invoiceID)
	if err != nil {
		t.Fatal(err)
	}
	inv.Set("status", ledger.StatusPaid)
	if err := w.app.Save(inv); err != nil {
		t.Fatal(err)
	}
}

func (w *changeWorld) sub(t *testing.T, svc *core.Record) *core.Record {
	t.Helper()
	sub, err := w.app.FindRecordById("subscriptions", svc.GetString("subscription"))
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

func (w *changeWorld) changePlan(t *testing.T, svc, price *core.Record) map[string]any {
	t.Helper()
	res := w.api.Do(http.MethodPost, "/api/services/"+svc.Id+"/change-plan", w.aliceTok, map[string]any{"plan_price": price.Id})
	if res.Status != http.StatusOK {
		t.Fatalf("change plan: %d %s", res.Status, res.Body)
	}
	return res.Object(t)
}

// renewAhead bills the next period of svc's subscription, as the daily run
// does within the lead days before the period ends.
func (w *changeWorld) renewAhead(t *testing.T, svc *core.Record) *ledger.Invoice {
	t.Helper()
	end := w.sub(t, svc).GetDateTime("current_period_end").Time()
	if _, err := renewals.Run(w.app, renewals.Options{Now: end.Add(-24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	sub := w.sub(t, svc)
	if !sub.GetDateTime("billed_until").Time().After(sub.GetDateTime("current_period_end").Time()) {
		t.Fatal("the next period was not billed ahead")
	}
	item, err := w.app.FindFirstRecordByFilter("invoice_items", "subscription = {:s} && kind = 'period' && period_start = {:p}",
		dbx.Params{"s": sub.Id, "p": sub.GetString("current_period_end")})
	if err != nil {
		t.Fatal(err)
	}
	inv, _ := ledger.FindInvoice(w.app, item.GetString("invoice"))
	return inv
}

func (w *changeWorld) downgradeCredits(t *testing.T, customer *core.Record) []*core.Record {
	t.Helper()
	recs, err := w.app.FindAllRecords("credit_entries", dbx.HashExp{"customer": customer.Id, "reason": "downgrade"})
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func balance(t *testing.T, app core.App, customer *core.Record) int64 {
	t.Helper()
	b, err := ledger.Balance(app, customer.Id, "USD")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Concurrent changes of one service: the first applies, the others are
// refused with 409 and write nothing.
func TestConcurrentPlanChanges(t *testing.T) {
	for name, tc := range map[string]struct {
		n        int
		from, to func(w *changeWorld) *core.Record
	}{
		"six downgrades": {6, func(w *changeWorld) *core.Record { return w.proUSD }, func(w *changeWorld) *core.Record { return w.startUSD }},
		"two upgrades":   {2, func(w *changeWorld) *core.Record { return w.startUSD }, func(w *changeWorld) *core.Record { return w.proUSD }},
	} {
		t.Run(name, func(t *testing.T) {
			w := newChangeWorld(t)
			svc := w.subscribe(t, w.alice, tc.from(w), "")
			statuses := make([]int, tc.n)
			var wg sync.WaitGroup
			for i := range tc.n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					statuses[i] = w.api.Do(http.MethodPost, "/api/services/"+svc.Id+"/change-plan", w.aliceTok,
						map[string]any{"plan_price": tc.to(w).Id}).Status
				}()
			}
			wg.Wait()
			ok, conflict := 0, 0
			for _, s := range statuses {
				switch s {
				case http.StatusOK:
					ok++
				case http.StatusConflict:
					conflict++
				}
			}
			if ok != 1 || conflict != tc.n-1 {
				t.Fatalf("statuses %v: want one 200 and %d × 409", statuses, tc.n-1)
			}
			credits := w.downgradeCredits(t, w.alice)
			upgrades, _ := w.app.FindAllRecords("invoices", dbx.HashExp{"purpose": "plan_change"})
			if tc.from(w).GetInt64("amount") > tc.to(w).GetInt64("amount") {
				if len(credits) != 1 || len(upgrades) != 0 || balance(t, w.app, w.alice) != credits[0].GetInt64("amount") {
					t.Errorf("%d downgrade credits, %d upgrade invoices, balance %d", len(credits), len(upgrades), balance(t, w.app, w.alice))
				}
			} else if len(credits) != 0 || len(upgrades) != 1 {
				t.Errorf("%d downgrade credits, %d upgrade invoices", len(credits), len(upgrades))
			}
		})
	}
}

// A downgrade credits at most what was paid for the time it gives up, tax
// included, and the quote shows that credit.
func TestDowngradeCreditsWhatWasPaid(t *testing.T) {
	for name, tc := range map[string]struct {
		coupon string
		vat    bool
		paid   int64 // what the period cost the customer
	}{
		"100 % once coupon":   {coupon: "FREE", paid: 0},
		"50 % forever":        {coupon: "HALF", paid: 1600},
		"no coupon, 20 % VAT": {vat: true, paid: 3840},
	} {
		t.Run(name, func(t *testing.T) {
			w := newChangeWorld(t)
			if tc.vat {
				w.alice.Set("country", "GB")
				if err := w.app.Save(w.alice); err != nil {
					t.Fatal(err)
				}
				testutil.Create(t, w.app, "tax_rates", map[string]any{"name": "VAT", "country": "GB", "rate": 20000, "active": true})
			}
			svc := w.subscribe(t, w.alice, w.proUSD, tc.coupon)
			sub := w.sub(t, svc)
			period := sub.GetDateTime("current_period_end").Time().Sub(sub.GetDateTime("current_period_start").Time())

			quote := w.api.Do(http.MethodGet, "/api/services/"+svc.Id+"/change-plan?plan_price="+w.startUSD.Id, w.aliceTok, nil)
			if quote.Status != http.StatusOK {
				t.Fatalf("quote: %d %s", quote.Status, quote.Body)
			}
			quoted := int64(quote.Object(t)["credit"].(float64))
			credit := int64(w.changePlan(t, svc, w.startUSD)["credit"].(float64))

			left := time.Until(sub.GetDateTime("current_period_end").Time())
			unusedPaid := tc.paid * int64(left/time.Second) / int64(period/time.Second)
			most := unusedPaid * (3200 - 1200) / 3200
			if credit > most || credit < most-2 {
				t.Errorf("credit %d: want what was paid for the unused time scaled by the plan given up, %d", credit, most)
			}
			if quoted < credit || quoted > credit+1 {
				t.Errorf("quoted credit %d, given %d", quoted, credit)
			}
			if got := balance(t, w.app, w.alice); got != credit {
				t.Errorf("balance %d, credit %d", got, credit)
			}
		})
	}
}

// A change made after the renewal run billed the next period ahead leaves
// that period at the new price: repriced on its invoice while open, the
// difference charged or credited once paid.
func TestPlanChangeAfterNextPeriodInvoiced(t *testing.T) {
	for name, tc := range map[string]struct {
		upgrade, renewalPaid bool
	}{
		"upgrade, renewal open":   {upgrade: true},
		"upgrade, renewal paid":   {upgrade: true, renewalPaid: true},
		"downgrade, renewal open": {},
		"downgrade, renewal paid": {renewalPaid: true},
	} {
		t.Run(name, func(t *testing.T) {
			w := newChangeWorld(t)
			from, to := w.proUSD, w.startUSD
			if tc.upgrade {
				from, to = w.startUSD, w.proUSD
			}
			svc := w.subscribe(t, w.alice, from, "")
			renewal := w.renewAhead(t, svc)
			if tc.renewalPaid {
				w.pay(t, renewal.Id)
			}
			out := w.changePlan(t, svc, to)
			if tc.upgrade {
				inv := out["invoice"].(map[string]any)
				w.pay(t, inv["id"].(string))
				lines, _ := ledger.Items(w.app, inv["id"].(string))
				nextStart := w.sub(t, svc).GetDateTime("current_period_end").Time()
				var next int64
				for _, l := range lines {
					if l.GetDateTime("period_start").Time().Equal(nextStart) {
						next += l.GetInt64("amount")
					}
				}
				if want := map[bool]int64{true: 2000, false: 0}[tc.renewalPaid]; next != want {
					t.Errorf("upgrade invoice charges %d for the next period, want %d", next, want)
				}
			}
			after, _ := ledger.FindInvoice(w.app, renewal.Id)
			if !tc.renewalPaid && after.Total() != to.GetInt64("amount") {
				t.Errorf("open renewal total %d, want the new price %d", after.Total(), to.GetInt64("amount"))
			}
			if tc.renewalPaid && after.Total() != from.GetInt64("amount") {
				t.Errorf("paid renewal changed: total %d", after.Total())
			}
			if tc.upgrade {
				return
			}
			// The downgrade credits the current period's unused time, and
			// the whole next period's difference only when it was paid.
			credit := int64(out["credit"].(float64))
			current := int64(2000) // at most the whole current period's difference
			if tc.renewalPaid && (credit <= 2000 || credit > current+2000) {
				t.Errorf("credit %d with the next period paid: want the next period's 2000 and most of this one's", credit)
			}
			if !tc.renewalPaid && (credit <= 0 || credit > current) {
				t.Errorf("credit %d with the next period open: want this period's unused time only", credit)
			}
		})
	}
}

// START50 covers VPS Start only: an upgrade to VPS Pro drops it (the quote
// says so) and no renewal of VPS Pro is discounted by it.
func TestPlanCouponDroppedOnUpgrade(t *testing.T) {
	w := newChangeWorld(t)
	svc := w.subscribe(t, w.alice, w.startUSD, "START50")
	quote := w.api.Do(http.MethodGet, "/api/services/"+svc.Id+"/change-plan?plan_price="+w.proUSD.Id, w.aliceTok, nil)
	if quote.Status != http.StatusOK || quote.Object(t)["coupon_dropped"] != "START50" {
		t.Fatalf("quote: %d %s", quote.Status, quote.Body)
	}
	out := w.changePlan(t, svc, w.proUSD)
	w.pay(t, out["invoice"].(map[string]any)["id"].(string))
	sub := w.sub(t, svc)
	if sub.GetString("plan_price") != w.proUSD.Id || sub.GetString("coupon") != "" {
		t.Fatalf("after the upgrade: plan price %s, coupon %q", sub.GetString("plan_price"), sub.GetString("coupon"))
	}
	renewal := w.renewAhead(t, svc)
	if renewal.Total() != 3200 || renewal.GetInt64("discount_total") != 0 {
		t.Errorf("VPS Pro renewal: total %d, discount %d", renewal.Total(), renewal.GetInt64("discount_total"))
	}
}

// A subscription whose coupon does not cover its plan (changed before
// plan changes checked coupons) renews without the discount.
func TestRenewalIgnoresCouponForOtherPlan(t *testing.T) {
	w := newChangeWorld(t)
	svc := w.subscribe(t, w.alice, w.startUSD, "START50")
	sub := w.sub(t, svc)
	sub.Set("plan", w.pro.Id)
	sub.Set("plan_price", w.proUSD.Id)
	sub.Set("amount", 3200)
	if err := w.app.Save(sub); err != nil {
		t.Fatal(err)
	}
	if renewal := w.renewAhead(t, svc); renewal.Total() != 3200 {
		t.Errorf("renewal of VPS Pro with START50: total %d, want 3200", renewal.Total())
	}
	// Still on VPS Start, START50 keeps discounting.
	other := w.subscribe(t, w.bob, w.startUSD, "START50")
	if renewal := w.renewAhead(t, other); renewal.Total() != 600 {
		t.Errorf("renewal of VPS Start with START50: total %d, want 600", renewal.Total())
	}
}

// The next period of VPS Start already on an open invoice with START50's
// discount: the upgrade to VPS Pro reprices it at the full VPS Pro price.
func TestPlanCouponDroppedFromOpenRenewal(t *testing.T) {
	w := newChangeWorld(t)
	svc := w.subscribe(t, w.alice, w.startUSD, "START50")
	renewal := w.renewAhead(t, svc)
	if renewal.Total() != 600 {
		t.Fatalf("VPS Start renewal with START50: total %d", renewal.Total())
	}
	out := w.changePlan(t, svc, w.proUSD)
	w.pay(t, out["invoice"].(map[string]any)["id"].(string))
	after, _ := ledger.FindInvoice(w.app, renewal.Id)
	if after.Total() != 3200 || after.GetInt64("discount_total") != 0 || after.AmountDue() != 3200 {
		t.Errorf("repriced renewal: total %d, discount %d, due %d", after.Total(), after.GetInt64("discount_total"), after.AmountDue())
	}
}
