package hooks_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/orders"
	"github.com/ezscale/ezscale/internal/testutil"
)

// activeService orders price for customer now and activates it.
func activeService(t *testing.T, app core.App, customer, price *core.Record) *core.Record {
	t.Helper()
	res, err := orders.Place(context.Background(), app, customer, orders.Request{PlanPrice: price.Id,
		Options: map[string]string{"hostname": "web1", "os": "debian-12"}}, orders.By{}, time.Now().UTC().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	inv, _ := ledger.FindInvoice(app, res.Invoice.Id)
	inv.Set("status", ledger.StatusPaid)
	if err := app.Save(inv); err != nil {
		t.Fatal(err)
	}
	for _, r := range []*core.Record{res.Subscription, res.Service} {
		fresh, _ := app.FindRecordById(r.Collection().Name, r.Id)
		fresh.Set("status", "active")
		if err := app.Save(fresh); err != nil {
			t.Fatal(err)
		}
	}
	return res.Service
}

func TestServiceRoutesAreTheOwnersOnly(t *testing.T) {
	w := newOrderWorld(t)
	svc := activeService(t, w.app, w.alice, w.vpsUSD)
	bobTok := testutil.Token(t, w.bob)
	bigger := testutil.Create(t, w.app, "plan_prices", map[string]any{"plan": w.vpsPlan.Id, "currency": "USD", "cycle": "quarterly", "amount": 3000, "active": true})
	pro := testutil.Create(t, w.app, "plans", map[string]any{"name": "VPS Pro", "slug": "vps-pro", "service_type": "vps", "platform": "virtfusion", "status": "active"})
	proUSD := testutil.Create(t, w.app, "plan_prices", map[string]any{"plan": pro.Id, "currency": "USD", "cycle": "monthly", "amount": 2400, "active": true})

	quote := "/api/services/" + svc.Id + "/change-plan?plan_price=" + proUSD.Id
	missing := "/api/services/nosuchservice00/change-plan?plan_price=" + proUSD.Id
	for name, tc := range map[string]struct {
		method, url, token string
		body               any
		status             int
	}{
		"anonymous quote":         {http.MethodGet, quote, "", nil, 401},
		"other customer's quote":  {http.MethodGet, quote, bobTok, nil, 404},
		"missing service quote":   {http.MethodGet, missing, w.aliceTok, nil, 404},
		"other customer's change": {http.MethodPost, "/api/services/" + svc.Id + "/change-plan", bobTok, map[string]any{"plan_price": proUSD.Id}, 404},
		"other customer's cancel": {http.MethodPost, "/api/services/" + svc.Id + "/cancel", bobTok, map[string]any{"when": "period_end"}, 404},
		"customer cancels now":    {http.MethodPost, "/api/services/" + svc.Id + "/cancel", w.aliceTok, map[string]any{"when": "now"}, 403},
		"unknown survey reason":   {http.MethodPost, "/api/services/" + svc.Id + "/cancel", w.aliceTok, map[string]any{"reason": "bored"}, 400},
		"cycle change refused":    {http.MethodGet, "/api/services/" + svc.Id + "/change-plan?plan_price=" + bigger.Id, w.aliceTok, nil, 400},
		"owner quotes":            {http.MethodGet, quote, w.aliceTok, nil, 200},
	} {
		t.Run(name, func(t *testing.T) {
			if res := w.api.Do(tc.method, tc.url, tc.token, tc.body); res.Status != tc.status {
				t.Errorf("status %d, want %d: %s", res.Status, tc.status, res.Body)
			}
		})
	}
	// Nothing was changed by the refused calls.
	sub, _ := w.app.FindRecordById("subscriptions", svc.GetString("subscription"))
	if sub.GetBool("cancel_at_period_end") || sub.GetString("plan_price") != w.vpsUSD.Id {
		t.Error("a refused call changed the subscription")
	}

	res := w.api.Do(http.MethodPost, "/api/services/"+svc.Id+"/change-plan", w.aliceTok, map[string]any{"plan_price": proUSD.Id})
	if res.Status != 200 {
		t.Fatalf("upgrade: %d %s", res.Status, res.Body)
	}
	if inv, _ := res.Object(t)["invoice"].(map[string]any); inv == nil || inv["purpose"] != "plan_change" || inv["amount_due"].(float64) <= 0 {
		t.Errorf("upgrade invoice: %v", inv)
	}
}

func TestCancellation(t *testing.T) {
	w := newOrderWorld(t)
	svc := activeService(t, w.app, w.alice, w.vpsUSD)
	res := w.api.Do(http.MethodPost, "/api/services/"+svc.Id+"/cancel", w.aliceTok,
		map[string]any{"when": "period_end", "reason": "too_expensive", "comment": "<b>cheaper elsewhere</b>"})
	if res.Status != 200 {
		t.Fatalf("cancel at period end: %d %s", res.Status, res.Body)
	}
	sub, _ := w.app.FindRecordById("subscriptions", svc.GetString("subscription"))
	if !sub.GetBool("cancel_at_period_end") || sub.GetString("status") != "active" || sub.GetString("cancel_reason") != "too_expensive" {
		t.Errorf("subscription after cancel: %v", sub.FieldsData())
	}

	other := activeService(t, w.app, w.bob, w.vpsUSD)
	res = w.api.Do(http.MethodPost, "/api/services/"+other.Id+"/cancel", w.staffTok, map[string]any{"when": "now", "credit": true, "reason": "other"})
	if res.Status != 200 {
		t.Fatalf("staff cancels now: %d %s", res.Status, res.Body)
	}
	if credit := res.Object(t)["credit"].(float64); credit <= 0 || credit >= 1200 {
		t.Errorf("prorated credit %v of a 12.00 month", credit)
	}
	job, err := w.app.FindFirstRecordByFilter("provisioning_jobs", "service = {:s} && action = 'terminate'", map[string]any{"s": other.Id})
	if err != nil || job.GetString("status") != "pending" {
		t.Errorf("terminate job: %v", err)
	}
	if res := w.api.Do(http.MethodPost, "/api/services/"+other.Id+"/cancel", w.staffTok, map[string]any{"when": "now"}); res.Status != 409 {
		t.Errorf("cancelling twice: %d", res.Status)
	}
}
