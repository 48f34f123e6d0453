package pterodactyl

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/ezscale/ezscale/integrations/provisioning"
)

// TestLinkWHMCSServer: a server the WHMCS module built (external_id = the
// WHMCS service id) is found, and our drivers' calls reach it through the
// linked ids although its external_id is not our service id.
func TestLinkWHMCSServer(t *testing.T) {
	sim, d := setup(t)
	ctx := context.Background()
	id := sim.PlantWHMCSServer(42, 1842, "jane@example.com", "Survival SMP")

	got, err := d.Link(ctx, provisioning.LinkRequest{ServiceID: "svc-ours", WHMCSServiceID: "1842", WHMCSClientID: "42"})
	if err != nil {
		t.Fatal(err)
	}
	planted, _ := sim.Server("1842")
	if got.PlatformServiceID != strconv.Itoa(id) || got.PlatformUserID != strconv.Itoa(planted.User) {
		t.Fatalf("linked %+v, want server %d of user %d", got, id, planted.User)
	}

	r := provisioning.Ref{ServiceID: "svc-ours", PlatformServiceID: got.PlatformServiceID, PlatformUserID: got.PlatformUserID}
	if st := status(t, d, r); st.State != "online" {
		t.Errorf("status of the linked server: %+v", st)
	}
	if err := d.Suspend(ctx, r); err != nil {
		t.Fatal(err)
	}
	if sv, _ := sim.Server("1842"); !sv.Suspended() {
		t.Error("the panel's server is not suspended")
	}
	if err := d.Unsuspend(ctx, r); err != nil {
		t.Fatal(err)
	}
	if url, err := d.LoginURL(ctx, r); err != nil || !strings.HasSuffix(url, "/server/"+planted.Identifier) {
		t.Errorf("login URL %q, %v", url, err)
	}
	if err := d.Power(ctx, r, provisioning.PowerRestart); err != nil {
		t.Errorf("power: %v", err)
	}
	if err := d.Terminate(ctx, r); err != nil {
		t.Fatal(err)
	}
	if _, ok := sim.Server("1842"); ok {
		t.Error("terminate left the server")
	}
	if err := d.Suspend(ctx, r); !errors.Is(err, provisioning.ErrNotFound) {
		t.Errorf("suspend of a deleted linked server: %v", err)
	}
}

func TestLinkRefusals(t *testing.T) {
	sim, d := setup(t)
	ctx := context.Background()
	sim.PlantWHMCSServer(42, 1842, "jane@example.com", "Survival SMP")
	if _, err := d.Link(ctx, provisioning.LinkRequest{WHMCSServiceID: "184"}); !errors.Is(err, provisioning.ErrNotFound) {
		t.Errorf("another service id (external_id is exact): %v", err)
	}
	if _, err := d.Link(ctx, provisioning.LinkRequest{WHMCSServiceID: " "}); !errors.Is(err, provisioning.ErrNoLinkKey) {
		t.Errorf("no WHMCS service id: %v", err)
	}
}
