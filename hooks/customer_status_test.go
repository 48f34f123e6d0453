package hooks_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/internal/secrets"
	"github.com/ezscale/ezscale/internal/testutil"
)

// statusWorld is a customer with an active service (credentials stored, a
// power-capable platform), a paid order (its subscription active, so its
// plan can change) and an open invoice, whose account status the test
// then changes.
type statusWorld struct {
	app      core.App
	api      *testutil.API
	platform *powerPlatform
	alice    *core.Record
	tok      string
	staffTok string
	svc      *core.Record
	price    *core.Record
	upgrade  *core.Record
	ordered  string // the service of the paid order
	invoice  string // the open invoice of a second order
}

func newStatusWorld(t *testing.T) *statusWorld {
	t.Helper()
	platform := &powerPlatform{}
	app := testutil.NewAppWithPlatforms(t, testutil.Config(), map[string]provisioning.Provisioner{"virtfusion": platform})
	w := &statusWorld{app: app, api: testutil.NewAPI(t, app), platform: platform}
	w.alice = testutil.Customer(t, app, "alice@example.com", "USD")
	w.tok = testutil.Token(t, w.alice)
	w.staffTok = testutil.Token(t, testutil.Superuser(t, app, "staff@example.com"))
	box, _ := secrets.New(testutil.Config().EncryptionKey)
	sealed, _ := box.Seal(map[string]string{"username": "root", "password": "Tr0ub4dor"})
	w.svc = testutil.Service(t, app, w.alice)
	w.svc.Set("credentials", sealed)
	if err := app.Save(w.svc); err != nil {
		t.Fatal(err)
	}
	plan, price := testutil.Plan(t, app, "vps-more", "USD", 2400)
	w.price = price
	w.upgrade = testutil.Create(t, app, "plan_prices", map[string]any{"plan": testutil.Create(t, app, "plans", map[string]any{
		"name": "VPS Max", "slug": "vps-max", "service_type": "vps", "platform": "virtfusion", "status": "active",
		"platform_config": plan.Get("platform_config")}).Id, "currency": "USD", "cycle": "monthly", "amount": 4800, "active": true})
	w.credit(t, 2400) // pays the first order as it is issued
	paid := w.order(t)
	w.ordered = paid["service"].(map[string]any)["id"].(string)
	provisioned, err := app.FindRecordById("services", w.ordered)
	if err != nil {
		t.Fatal(err)
	}
	provisioned.Set("status", "active") // as the provisioning worker leaves it
	if err := app.Save(provisioned); err != nil {
		t.Fatal(err)
	}
	if status := paid["invoice"].(map[string]any)["status"]; status != "paid" {
		t.Fatalf("the first order's invoice is %v, want paid", status)
	}
	w.invoice = w.order(t)["invoice"].(map[string]any)["id"].(string)
	return w
}

func (w *statusWorld) order(t *testing.T) map[string]any {
	t.Helper()
	res := w.api.Do(http.MethodPost, "/api/orders", w.tok, map[string]any{"plan_price": w.price.Id})
	if res.Status != http.StatusCreated {
		t.Fatalf("order: %d %s", res.Status, res.Body)
	}
	return res.Object(t)
}

func (w *statusWorld) credit(t *testing.T, amount int64) {
	t.Helper()
	if _, err := ledger.AddCredit(context.Background(), w.app, ledger.CreditEntry{CustomerID: w.alice.Id, Currency: "USD",
		Amount: amount, Reason: ledger.CreditManual, Description: "goodwill"}); err != nil {
		t.Fatal(err)
	}
}

func (w *statusWorld) setStatus(t *testing.T, status string) {
	t.Helper()
	w.alice.Set("status", status)
	if err := w.app.Save(w.alice); err != nil {
		t.Fatal(err)
	}
}

// TestSuspendedAccountPaysButActsOnNoService: a suspended customer signs
// in, reads, pays and cancels, but every service action and order is
// refused with 403 saying why, and nothing reaches the platform.
func TestSuspendedAccountPaysButActsOnNoService(t *testing.T) {
	w := newStatusWorld(t)
	w.setStatus(t, "suspended")
	base := "/api/services/" + w.svc.Id
	orders, _ := w.app.CountRecords("orders")

	for name, tc := range map[string]struct {
		method, path string
		body         any
	}{
		"reveal credentials": {http.MethodGet, base + "/credentials", nil},
		"power":              {http.MethodPost, base + "/power", map[string]string{"action": "restart"}},
		"panel login":        {http.MethodGet, base + "/panel-login", nil},
		"plan change quote":  {http.MethodGet, "/api/services/" + w.ordered + "/change-plan?plan_price=" + w.upgrade.Id, nil},
		"plan change":        {http.MethodPost, "/api/services/" + w.ordered + "/change-plan", map[string]string{"plan_price": w.upgrade.Id}},
		"order":              {http.MethodPost, "/api/orders", map[string]any{"plan_price": w.price.Id}},
		"order quote":        {http.MethodPost, "/api/orders/quote", map[string]any{"plan_price": w.price.Id}},
	} {
		res := w.api.Do(tc.method, tc.path, w.tok, tc.body)
		if res.Status != http.StatusForbidden || !strings.Contains(string(res.Body), "Your account is suspended") {
			t.Errorf("%s: %d %s, want 403 saying the account is suspended", name, res.Status, res.Body)
		}
		if strings.Contains(string(res.Body), "Tr0ub4dor") {
			t.Errorf("%s: the credentials were revealed", name)
		}
	}
	if len(w.platform.actions) != 0 {
		t.Errorf("the platform got %v from a suspended account", w.platform.actions)
	}
	if n, _ := w.app.CountRecords("orders"); n != orders {
		t.Errorf("orders went from %d to %d", orders, n)
	}

	// What a suspended account still does.
	if res := w.api.Do(http.MethodPost, "/api/collections/customers/auth-with-password", "",
		map[string]string{"identity": "alice@example.com", "password": "correct horse battery"}); res.Status != http.StatusOK {
		t.Errorf("sign-in: %d %s", res.Status, res.Body)
	}
	if res := w.api.Do(http.MethodGet, "/api/collections/invoices/records", w.tok, nil); res.Status != http.StatusOK || len(res.Items(t)) != 2 {
		t.Errorf("invoices: %d %s", res.Status, res.Body)
	}
	if res := w.api.Do(http.MethodPatch, "/api/collections/customers/records/"+w.alice.Id, w.tok, map[string]string{"city": "Lyon"}); res.Status != http.StatusOK {
		t.Errorf("profile: %d %s", res.Status, res.Body)
	}
	w.credit(t, 2400)
	if res := w.api.Do(http.MethodPost, "/api/invoices/"+w.invoice+"/pay/credit", w.tok, nil); res.Status != http.StatusOK {
		t.Errorf("pay an invoice: %d %s", res.Status, res.Body)
	}
	if res := w.api.Do(http.MethodPost, base+"/cancel", w.tok, map[string]string{"when": "period_end", "reason": "too_expensive"}); res.Status == http.StatusForbidden {
		t.Errorf("cancel: %d %s", res.Status, res.Body)
	}

	// Staff act on the account's services as before.
	if res := w.api.Do(http.MethodPost, base+"/power", w.staffTok, map[string]string{"action": "restart"}); res.Status != http.StatusAccepted {
		t.Errorf("staff power: %d %s", res.Status, res.Body)
	}

	// Reinstated, the customer acts again.
	w.setStatus(t, "active")
	if res := w.api.Do(http.MethodGet, base+"/credentials", w.tok, nil); res.Status != http.StatusOK {
		t.Errorf("credentials once active: %d %s", res.Status, res.Body)
	}
}

// TestSuspendedAccountOpensTickets: support stays open to a suspended account.
func TestSuspendedAccountOpensTickets(t *testing.T) {
	s := newSupportEnv(t)
	s.a.Set("status", "suspended")
	if err := s.app.Save(s.a); err != nil {
		t.Fatal(err)
	}
	if id := s.open(t, ticketBody("Why am I suspended?", "hello")); id == 0 {
		t.Error("no ticket")
	}
}

// TestClosedAccountsAreShutOut: closed and fraudulent accounts neither sign
// in nor use a token they already hold, on record APIs, custom routes and
// realtime alike; staff impersonation still works.
func TestClosedAccountsAreShutOut(t *testing.T) {
	for _, status := range []string{"closed", "fraud"} {
		t.Run(status, func(t *testing.T) {
			w := newStatusWorld(t)
			w.setStatus(t, status)

			res := w.api.Do(http.MethodPost, "/api/collections/customers/auth-with-password", "",
				map[string]string{"identity": "alice@example.com", "password": "correct horse battery"})
			if res.Status != http.StatusForbidden || strings.Contains(string(res.Body), `"token"`) ||
				!strings.Contains(string(res.Body), "account is closed") {
				t.Errorf("sign-in: %d %s, want 403 and no token", res.Status, res.Body)
			}
			for name, tc := range map[string]struct{ method, path string }{
				"record API":    {http.MethodGet, "/api/collections/invoices/records"},
				"own record":    {http.MethodGet, "/api/collections/customers/records/" + w.alice.Id},
				"custom route":  {http.MethodGet, "/api/account/credit"},
				"service route": {http.MethodGet, "/api/services/" + w.svc.Id + "/credentials"},
				"token refresh": {http.MethodPost, "/api/collections/customers/auth-refresh"},
				"realtime":      {http.MethodPost, "/api/realtime"},
			} {
				var body any
				if tc.path == "/api/realtime" {
					body = map[string]any{"clientId": "any", "subscriptions": []string{"invoices"}}
				}
				res := w.api.Do(tc.method, tc.path, w.tok, body)
				if res.Status != http.StatusUnauthorized || !strings.Contains(string(res.Body), "account is closed") {
					t.Errorf("%s with an old token: %d %s, want 401", name, res.Status, res.Body)
				}
			}

			// Staff look into the account as its owner sees it.
			res = w.api.Do(http.MethodPost, "/api/collections/customers/impersonate/"+w.alice.Id, w.staffTok, map[string]any{"duration": 60})
			if res.Status != http.StatusOK {
				t.Fatalf("impersonate: %d %s", res.Status, res.Body)
			}
			as, _ := res.Object(t)["token"].(string)
			if res := w.api.Do(http.MethodGet, "/api/collections/invoices/records", as, nil); res.Status != http.StatusOK {
				t.Errorf("impersonated token: %d %s", res.Status, res.Body)
			}
			// ... and take no service action in its name.
			if res := w.api.Do(http.MethodGet, "/api/services/"+w.svc.Id+"/credentials", as, nil); res.Status != http.StatusForbidden {
				t.Errorf("impersonated credentials: %d %s", res.Status, res.Body)
			}

			w.setStatus(t, "active")
			if res := w.api.Do(http.MethodGet, "/api/account/credit", w.tok, nil); res.Status != http.StatusOK {
				t.Errorf("token once reopened: %d %s", res.Status, res.Body)
			}
		})
	}
}
