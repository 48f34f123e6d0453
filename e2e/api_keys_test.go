//go:build e2e

package e2e

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/testutil"
)

// TestAPIKeyFromThePortal: a customer creates a read-only key on the
// Security page, copies it from the one time it is shown, and lists the
// services API with it: their own service only. Revoked on the page, the
// key answers 401 from the next request.
func TestAPIKeyFromThePortal(t *testing.T) {
	pf := startPlatform(t)
	const email = "script@example.com"
	plan, err := pf.App.FindFirstRecordByData("plans", "slug", "vps-start")
	if err != nil {
		t.Fatal(err)
	}
	service := func(customer *core.Record) string {
		return testutil.Create(t, pf.App, "services", map[string]any{"customer": customer.Id, "plan": plan.Id,
			"service_type": "vps", "platform": "virtfusion", "status": "active", "hostname": customer.Id + ".example.com"}).Id
	}
	own := service(testutil.Customer(t, pf.App, email, "USD"))
	service(testutil.Customer(t, pf.App, "neighbour@example.com", "USD"))

	p := newPage(t, pf.URL)
	signInAs(p, email)
	p.visit("/account/security")
	p.waitFor("api-keys-empty")
	p.fill("Key name", "Monitoring")
	p.clickID("api-key-add")
	p.waitFor("api-key-created")
	key := eval[string](p, "copy the key", `document.querySelector('[data-testid=api-key-secret]').value`)
	if !strings.HasPrefix(key, "ezk_live_") {
		t.Fatalf("the page shows %q, not a key", key)
	}
	p.screenshot("api-keys-01-created")

	list := func() (int, []string) {
		req, _ := http.NewRequest(http.MethodGet, pf.URL+"/api/collections/services/records", nil)
		req.Header.Set("Authorization", "Bearer "+key)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var body struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
		}
		_ = json.NewDecoder(res.Body).Decode(&body)
		var ids []string
		for _, it := range body.Items {
			ids = append(ids, it.ID)
		}
		return res.StatusCode, ids
	}
	if status, ids := list(); status != 200 || !slices.Equal(ids, []string{own}) {
		t.Fatalf("services through the key: %d %v, want 200 [%s]", status, ids, own)
	}

	p.visit("/account/security")
	p.waitFor("api-key")
	p.clickID("api-key-revoke")
	p.clickID("confirm")
	p.waitText("stops working at once")
	p.screenshot("api-keys-02-revoked")
	if status, _ := list(); status != 401 {
		t.Fatalf("revoked key answered %d, want 401", status)
	}
}

// TestStaffAPIKeyFromTheConsole: a superuser creates a key with the staff
// family on the console's Security page; it reaches the staff routes.
func TestStaffAPIKeyFromTheConsole(t *testing.T) {
	pf := startPlatform(t)
	p := newPage(t, pf.URL)
	staffLogin(t, pf, p)
	p.visit("/staff/security")
	p.waitFor("api-keys-empty")
	p.fill("Key name", "Reporting")
	p.clickID("api-key-add")
	p.waitFor("api-key-created")
	key := eval[string](p, "copy the key", `document.querySelector('[data-testid=api-key-secret]').value`)
	p.screenshot("staff-api-keys-01-created")

	req, _ := http.NewRequest(http.MethodGet, pf.URL+"/api/staff/customers", nil)
	req.Header.Set("X-API-Key", key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("staff route with the staff key: %d, want 200", res.StatusCode)
	}
}
