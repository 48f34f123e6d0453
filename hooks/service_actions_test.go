package hooks_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/internal/audit"
	"github.com/ezscale/ezscale/internal/secrets"
	"github.com/ezscale/ezscale/internal/testutil"
)

// powerPlatform records power actions; the rest of the interface is unused here.
type powerPlatform struct {
	provisioning.Provisioner
	mu      sync.Mutex
	actions []string
}

func (p *powerPlatform) Power(_ context.Context, _ provisioning.Ref, action string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.actions = append(p.actions, action)
	return nil
}

func (p *powerPlatform) ValidateConfig(map[string]any) error { return nil }

func (p *powerPlatform) LoginURL(context.Context, provisioning.Ref) (string, error) {
	return "https://panel.example.com/sso/abc", nil
}

func TestOwnerServiceActions(t *testing.T) {
	platform := &powerPlatform{}
	app := testutil.NewAppWithPlatforms(t, testutil.Config(), map[string]provisioning.Provisioner{"virtfusion": platform})
	alice := testutil.Customer(t, app, "alice@example.com", "USD")
	bob := testutil.Customer(t, app, "bob@example.com", "USD")
	box, _ := secrets.New(testutil.Config().EncryptionKey)
	sealed, _ := box.Seal(map[string]string{"username": "root", "password": "Tr0ub4dor"})
	svc := testutil.Service(t, app, alice)
	svc.Set("credentials", sealed)
	if err := app.Save(svc); err != nil {
		t.Fatal(err)
	}
	api := testutil.NewAPI(t, app)
	aliceTok, bobTok := testutil.Token(t, alice), testutil.Token(t, bob)
	base := "/api/services/" + svc.Id

	for name, tc := range map[string]struct {
		method, path, token string
		body                any
		status              int
	}{
		"credentials of another": {http.MethodGet, base + "/credentials", bobTok, nil, 404},
		"power of another":       {http.MethodPost, base + "/power", bobTok, map[string]string{"action": "restart"}, 404},
		"panel of another":       {http.MethodGet, base + "/panel-login", bobTok, nil, 404},
		"unknown power action":   {http.MethodPost, base + "/power", aliceTok, map[string]string{"action": "reboot-now"}, 400},
		"anonymous":              {http.MethodGet, base + "/credentials", "", nil, 401},
	} {
		if res := api.Do(tc.method, tc.path, tc.token, tc.body); res.Status != tc.status {
			t.Errorf("%s: %d, want %d", name, res.Status, tc.status)
		}
	}

	res := api.Do(http.MethodGet, base+"/credentials", aliceTok, nil)
	if res.Status != 200 || res.Object(t)["password"] != "Tr0ub4dor" {
		t.Fatalf("reveal: %d %s", res.Status, res.Body)
	}
	if res := api.Do(http.MethodPost, base+"/power", aliceTok, map[string]string{"action": "restart"}); res.Status != http.StatusAccepted {
		t.Fatalf("restart: %d %s", res.Status, res.Body)
	}
	if res := api.Do(http.MethodPost, base+"/power", aliceTok, map[string]string{"action": "stop"}); res.Status != http.StatusTooManyRequests {
		t.Errorf("second power action at once: %d", res.Status)
	}
	if res := api.Do(http.MethodGet, base+"/panel-login", aliceTok, nil); res.Status != 200 || res.Object(t)["url"] == "" {
		t.Errorf("panel login: %d %s", res.Status, res.Body)
	}
	for _, action := range []string{"credentials.reveal", "power.restart", "panel.login"} {
		if _, err := app.FindFirstRecordByFilter(audit.Collection, "action = {:a} && record_id = {:id} && actor_id = {:c}",
			map[string]any{"a": action, "id": svc.Id, "c": alice.Id}); err != nil {
			t.Errorf("%s not audited", action)
		}
	}
	if len(platform.actions) != 1 {
		t.Errorf("platform saw %v", platform.actions)
	}

	// A suspended service is not powered.
	svc, _ = app.FindRecordById("services", svc.Id)
	svc.Set("status", "suspended")
	_ = app.Save(svc)
	other := testutil.Create(t, app, "services", map[string]any{"customer": alice.Id, "plan": svc.GetString("plan"),
		"service_type": "vps", "platform": "virtfusion", "status": "suspended"})
	if res := api.Do(http.MethodPost, "/api/services/"+other.Id+"/power", aliceTok, map[string]string{"action": "start"}); res.Status != http.StatusConflict {
		t.Errorf("powering a suspended service: %d", res.Status)
	}
}

// validatingPlatform refuses configs without a package id.
type validatingPlatform struct{ provisioning.Provisioner }

func (validatingPlatform) ValidateConfig(c map[string]any) error {
	if _, ok := c["package_id"]; !ok {
		return errors.New("package_id is required")
	}
	return nil
}

func TestPlanConfigCheckedWhenSaved(t *testing.T) {
	app := testutil.NewAppWithPlatforms(t, testutil.Config(), map[string]provisioning.Provisioner{"virtfusion": validatingPlatform{}})
	api := testutil.NewAPI(t, app)
	staff := testutil.Token(t, testutil.Superuser(t, app, "staff@example.com"))
	plan := map[string]any{"name": "VPS", "slug": "vps", "service_type": "vps", "platform": "virtfusion", "status": "active",
		"platform_config": map[string]any{"hypervisor_group_id": 1}}
	res := api.Do(http.MethodPost, "/api/collections/plans/records", staff, plan)
	if res.Status != 400 || !strings.Contains(string(res.Body), "ackage_id is required") {
		t.Errorf("bad config: %d %s", res.Status, res.Body)
	}
	plan["platform_config"] = map[string]any{"package_id": 3}
	if res := api.Do(http.MethodPost, "/api/collections/plans/records", staff, plan); res.Status != 200 {
		t.Errorf("good config: %d %s", res.Status, res.Body)
	}
}

func TestServiceCardIsTheOwnersChoice(t *testing.T) {
	w := newOrderWorld(t)
	svc := activeService(t, w.app, w.alice, w.vpsUSD)
	aliceCard := testutil.Create(t, w.app, "payment_methods", map[string]any{"customer": w.alice.Id, "gateway": "stripe", "gateway_ref": "pm_a"})
	bobCard := testutil.Create(t, w.app, "payment_methods", map[string]any{"customer": w.bob.Id, "gateway": "stripe", "gateway_ref": "pm_b"})
	url := "/api/services/" + svc.Id + "/payment-method"
	if res := w.api.Do(http.MethodPost, url, testutil.Token(t, w.bob), map[string]string{"payment_method": bobCard.Id}); res.Status != 404 {
		t.Errorf("another customer's service: %d", res.Status)
	}
	if res := w.api.Do(http.MethodPost, url, w.aliceTok, map[string]string{"payment_method": bobCard.Id}); res.Status != 400 {
		t.Errorf("another customer's card: %d", res.Status)
	}
	if res := w.api.Do(http.MethodPost, url, w.aliceTok, map[string]string{"payment_method": aliceCard.Id}); res.Status != 200 {
		t.Fatalf("own card: %d %s", res.Status, res.Body)
	}
	if fresh, _ := w.app.FindRecordById("services", svc.Id); fresh.GetString("payment_method") != aliceCard.Id {
		t.Error("the card was not set")
	}
}
