package virtfusion

import (
	"context"
	"testing"

	"github.com/ezscale/ezscale/integrations/provisioning"
)

// TestNewServerForAnImportedCustomer: a customer whose VirtFusion user
// WHMCS made (extRelationId = the WHMCS client id, the same email) orders a
// new VPS. VirtFusion refuses a second user with that email, so the new
// server must go to the existing user, found by the key the link step
// recorded, and keep being addressed by it.
func TestNewServerForAnImportedCustomer(t *testing.T) {
	sim, d := setup(t)
	ctx := context.Background()
	sim.PlantWHMCSServer(42, "jane@example.com", "vps1842.example.net", "203.0.113.50")

	req := createReq("svc-new", "cust-jane")
	req.Customer.Email = "jane@example.com"
	req.Customer.PlatformUserID = "42"
	got, err := d.Create(ctx, req)
	if err != nil {
		t.Fatalf("create for the imported customer: %v", err)
	}
	if got.PlatformUserID != "42" {
		t.Fatalf("platform user %q, want the WHMCS-made user's key 42", got.PlatformUserID)
	}
	ref := provisioning.Ref{ServiceID: "svc-new", PlatformServiceID: got.PlatformServiceID, PlatformUserID: got.PlatformUserID}
	if _, err := d.LoginURL(ctx, ref); err != nil {
		t.Errorf("login to server %s through extRelationId 42: %v", got.PlatformServiceID, err)
	}

	// A key that names no user (deleted on the panel) falls back to ours.
	other := createReq("svc-other", "cust-joe")
	other.Customer.PlatformUserID = "77"
	got, err = d.Create(ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	if got.PlatformUserID != "cust-joe" {
		t.Errorf("platform user %q, want our customer id", got.PlatformUserID)
	}
}
