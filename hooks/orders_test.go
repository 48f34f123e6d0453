package hooks_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/testutil"
)

// orderWorld is a catalog and two customers to order with.
type orderWorld struct {
	app                 core.App
	api                 *testutil.API
	alice, bob          *core.Record
	aliceTok, staffTok  string
	vpsUSD, vpsEUR      *core.Record
	hiddenUSD, dediUSD  *core.Record
	vpsPlan, hiddenPlan *core.Record
}

func newOrderWorld(t *testing.T) *orderWorld {
	t.Helper()
	app := testutil.NewApp(t)
	w := &orderWorld{app: app}
	w.alice = testutil.Customer(t, app, "alice@example.com", "USD")
	w.bob = testutil.Customer(t, app, "bob@example.com", "USD")
	w.aliceTok = testutil.Token(t, w.alice)
	w.staffTok = testutil.Token(t, testutil.Superuser(t, app, "staff@example.com"))

	w.vpsPlan = testutil.Create(t, app, "plans", map[string]any{
		"name": "VPS Start", "slug": "vps-start", "service_type": "vps", "platform": "virtfusion", "status": "active",
		"order_options": map[string]any{"hostname": true, "os": []string{"debian-12"}},
	})
	w.vpsUSD = testutil.Create(t, app, "plan_prices", map[string]any{"plan": w.vpsPlan.Id, "currency": "USD", "cycle": "monthly", "amount": 1200, "setup_fee": 500, "active": true})
	w.vpsEUR = testutil.Create(t, app, "plan_prices", map[string]any{"plan": w.vpsPlan.Id, "currency": "EUR", "cycle": "monthly", "amount": 1100, "active": true})
	w.hiddenPlan = testutil.Create(t, app, "plans", map[string]any{"name": "Staff special", "slug": "special", "service_type": "vps", "platform": "virtfusion", "status": "hidden"})
	w.hiddenUSD = testutil.Create(t, app, "plan_prices", map[string]any{"plan": w.hiddenPlan.Id, "currency": "USD", "cycle": "annual", "amount": 9900, "active": true})
	dedi := testutil.Create(t, app, "plans", map[string]any{"name": "Dedi", "slug": "dedi", "service_type": "dedicated", "platform": "synergycp", "status": "active", "track_stock": true, "stock": 1})
	w.dediUSD = testutil.Create(t, app, "plan_prices", map[string]any{"plan": dedi.Id, "currency": "USD", "cycle": "monthly", "amount": 9900, "active": true})
	w.api = testutil.NewAPI(t, app)
	return w
}

func (w *orderWorld) count(t *testing.T, collections ...string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, c := range collections {
		n, err := w.app.CountRecords(c)
		if err != nil {
			t.Fatal(err)
		}
		out[c] = n
	}
	return out
}

var orderCollections = []string{"orders", "subscriptions", "services", "invoices", "invoice_items", "coupon_redemptions", "number_sequences"}

func TestPlaceOrder(t *testing.T) {
	w := newOrderWorld(t)
	res := w.api.Do(http.MethodPost, "/api/orders", w.aliceTok, map[string]any{
		"plan_price": w.vpsUSD.Id, "options": map[string]string{"hostname": "web1.example.com", "os": "debian-12"},
	})
	if res.Status != http.StatusCreated {
		t.Fatalf("status %d: %s", res.Status, res.Body)
	}
	body := res.Object(t)
	inv := body["invoice"].(map[string]any)
	if inv["status"] != "open" || inv["total"] != float64(1700) || inv["amount_due"] != float64(1700) || !strings.HasPrefix(inv["number"].(string), "INV-") {
		t.Errorf("invoice: %v", inv)
	}
	sub := body["subscription"].(map[string]any)
	svc := body["service"].(map[string]any)
	if sub["status"] != "pending" || svc["status"] != "pending" || svc["hostname"] != "web1.example.com" {
		t.Errorf("subscription %v service %v", sub["status"], svc)
	}
	for _, hidden := range []string{"credentials", "staff_notes", "platform_service_id"} {
		if _, ok := svc[hidden]; ok {
			t.Errorf("hidden field %s in the customer's order response", hidden)
		}
	}
	items, _ := w.app.FindRecordsByFilter("invoice_items", "invoice = {:i}", "", 0, 0, map[string]any{"i": inv["id"]})
	kinds := map[string]int64{}
	for _, it := range items {
		kinds[it.GetString("kind")] = it.GetInt64("amount")
	}
	if kinds["setup"] != 500 || kinds["period"] != 1200 {
		t.Errorf("lines: %v", kinds)
	}
}

func TestOrderRefusals(t *testing.T) {
	w := newOrderWorld(t)
	unverified := testutil.Customer(t, w.app, "new@example.com", "USD")
	unverified, _ = w.app.FindRecordById("customers", unverified.Id)
	unverified.SetVerified(false)
	if err := w.app.Save(unverified); err != nil {
		t.Fatal(err)
	}
	testutil.Create(t, w.app, "coupons", map[string]any{"code": "OLD", "kind": "percent", "percent_off": 10, "duration": "once",
		"active": true, "expires_at": "2020-01-01 00:00:00.000Z"})
	vpsOpts := map[string]string{"hostname": "web1", "os": "debian-12"}

	cases := []struct {
		name   string
		token  string
		body   any
		status int
		field  string
	}{
		{"anonymous", "", map[string]any{"plan_price": w.vpsUSD.Id, "options": vpsOpts}, 401, ""},
		{"unverified email", testutil.Token(t, unverified), map[string]any{"plan_price": w.vpsUSD.Id, "options": vpsOpts}, 403, ""},
		{"unknown plan price", w.aliceTok, map[string]any{"plan_price": "nosuchprice0000", "options": vpsOpts}, 400, "plan_price"},
		{"hidden plan", w.aliceTok, map[string]any{"plan_price": w.hiddenUSD.Id}, 400, "plan_price"},
		{"other currency", w.aliceTok, map[string]any{"plan_price": w.vpsEUR.Id, "options": vpsOpts}, 400, "plan_price"},
		{"bad option", w.aliceTok, map[string]any{"plan_price": w.vpsUSD.Id, "options": map[string]string{"hostname": "web1", "os": "windows"}}, 400, "options.os"},
		{"expired coupon", w.aliceTok, map[string]any{"plan_price": w.vpsUSD.Id, "options": vpsOpts, "coupon": "old"}, 400, "coupon"},
		{"unknown coupon", w.aliceTok, map[string]any{"plan_price": w.vpsUSD.Id, "options": vpsOpts, "coupon": "NOPE"}, 400, "coupon"},
		{"unknown field", w.aliceTok, map[string]any{"plan_price": w.vpsUSD.Id, "options": vpsOpts, "quantity": -1}, 400, "body"},
		{"order for someone else", w.aliceTok, map[string]any{"plan_price": w.vpsUSD.Id, "options": vpsOpts, "customer": w.bob.Id}, 400, ""},
	}
	before := w.count(t, orderCollections...)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := w.api.Do(http.MethodPost, "/api/orders", tc.token, tc.body)
			if res.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", res.Status, tc.status, res.Body)
			}
			if tc.field != "" {
				data, _ := res.Object(t)["data"].(map[string]any)
				if _, ok := data[tc.field]; !ok {
					t.Errorf("error does not name %s: %s", tc.field, res.Body)
				}
			}
		})
	}
	if after := w.count(t, orderCollections...); len(after) != len(before) || after["orders"] != before["orders"] || after["invoices"] != before["invoices"] || after["services"] != before["services"] {
		t.Errorf("refused orders wrote records: %v -> %v", before, after)
	}
}

func TestOrderMalformedJSON(t *testing.T) {
	w := newOrderWorld(t)
	for _, body := range []string{`{"plan_price": `, `[1,2]`, `{"plan_price":"x"} {"again":1}`, ``} {
		req := httptest.NewRequest(http.MethodPost, "/api/orders", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", w.aliceTok)
		rec := httptest.NewRecorder()
		w.api.Handler().ServeHTTP(rec, req)
		if rec.Code != http.StatusBadRequest {
			t.Errorf("body %q: status %d: %s", body, rec.Code, rec.Body)
		}
	}
	if n, _ := w.app.CountRecords("orders"); n != 0 {
		t.Errorf("malformed bodies created %d orders", n)
	}
}

func TestStaffOrdersHiddenPlanForCustomer(t *testing.T) {
	w := newOrderWorld(t)
	res := w.api.Do(http.MethodPost, "/api/orders", w.staffTok, map[string]any{"plan_price": w.hiddenUSD.Id, "customer": w.bob.Id})
	if res.Status != http.StatusCreated {
		t.Fatalf("status %d: %s", res.Status, res.Body)
	}
	if inv := res.Object(t)["invoice"].(map[string]any); inv["customer"] != w.bob.Id || inv["total"] != float64(9900) {
		t.Errorf("invoice %v", inv)
	}
}

func TestOrderStockAndWaitlist(t *testing.T) {
	w := newOrderWorld(t)
	order := func() *testutil.Response {
		return w.api.Do(http.MethodPost, "/api/orders", w.aliceTok, map[string]any{"plan_price": w.dediUSD.Id})
	}
	if res := order(); res.Status != http.StatusCreated {
		t.Fatalf("first dedicated order: %d %s", res.Status, res.Body)
	}
	if res := order(); res.Status != http.StatusConflict {
		t.Fatalf("out of stock: %d %s", res.Status, res.Body)
	}
	plan, _ := w.app.FindRecordById("plans", w.dediUSD.GetString("plan"))
	plan.Set("allow_waitlist", true)
	if err := w.app.Save(plan); err != nil {
		t.Fatal(err)
	}
	res := order()
	if res.Status != http.StatusCreated {
		t.Fatalf("wait-listed: %d %s", res.Status, res.Body)
	}
	body := res.Object(t)
	if body["order"].(map[string]any)["status"] != "pending_approval" || body["invoice"].(map[string]any)["status"] != "draft" {
		t.Errorf("wait-listed order %v invoice %v", body["order"], body["invoice"])
	}
}

func TestCouponMaxUsesHoldUnderConcurrentOrders(t *testing.T) {
	w := newOrderWorld(t)
	testutil.Create(t, w.app, "coupons", map[string]any{"code": "LAUNCH", "kind": "percent", "percent_off": 50, "duration": "once", "max_uses": 3, "active": true})
	var customers []string
	for i := 0; i < 10; i++ {
		c := testutil.Customer(t, w.app, "c"+string(rune('a'+i))+"@example.com", "USD")
		customers = append(customers, testutil.Token(t, c))
	}
	var wg sync.WaitGroup
	statuses := make(chan int, len(customers))
	for _, tok := range customers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := w.api.Do(http.MethodPost, "/api/orders", tok, map[string]any{
				"plan_price": w.vpsUSD.Id, "coupon": "launch", "options": map[string]string{"hostname": "h1", "os": "debian-12"},
			})
			statuses <- res.Status
		}()
	}
	wg.Wait()
	close(statuses)
	created := 0
	for s := range statuses {
		if s == http.StatusCreated {
			created++
		}
	}
	redemptions, _ := w.app.CountRecords("coupon_redemptions")
	if created != 3 || redemptions != 3 {
		t.Errorf("coupon with 3 uses: %d orders, %d redemptions", created, redemptions)
	}
	// The discount halves the setup fee and the first month: 1700 → 850.
	inv, err := w.app.FindFirstRecordByFilter("invoices", "discount_total > 0")
	if err != nil || inv.GetInt64("total") != 850 {
		t.Errorf("discounted invoice: %v %v", err, inv)
	}
}
