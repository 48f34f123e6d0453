package hooks_test

import (
	"net/http"
	"testing"

	"github.com/pocketbase/dbx"

	"github.com/ezscale/ezscale/internal/audit"
)

// TestImpersonatedOrderIsStaffs: an order staff place while impersonating
// a customer goes through a custom route, not the record API; its records
// are audited as staff acting for the customer, not as the platform.
func TestImpersonatedOrderIsStaffs(t *testing.T) {
	w := newOrderWorld(t)
	staff, err := w.app.FindAuthRecordByEmail("_superusers", "staff@example.com")
	if err != nil {
		t.Fatal(err)
	}
	impTok := impersonate(t, w.api, w.staffTok, w.alice)
	res := w.api.Do(http.MethodPost, "/api/orders", impTok, map[string]any{"plan_price": w.vpsUSD.Id,
		"options": map[string]string{"hostname": "web1", "os": "debian-12"}})
	if res.Status != http.StatusCreated {
		t.Fatalf("order: %d %s", res.Status, res.Body)
	}
	entry, err := w.app.FindFirstRecordByFilter(audit.Collection, "collection = 'orders' && action = 'create'", dbx.Params{})
	if err != nil {
		t.Fatal(err)
	}
	if entry.GetString("actor_kind") != audit.KindSuperuser || entry.GetString("actor_id") != staff.Id ||
		entry.GetString("on_behalf_of") != w.alice.Id {
		t.Errorf("impersonated order audited as %s %s for %q", entry.GetString("actor_kind"), entry.GetString("actor_id"), entry.GetString("on_behalf_of"))
	}
}
