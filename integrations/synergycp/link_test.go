package synergycp

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/integrations/synergycp/synergycpsim"
)

// TestLinkWHMCSServer: the server whose billing id is the WHMCS service id
// is linked, and suspension, status, power and login reach it through the
// linked ids.
func TestLinkWHMCSServer(t *testing.T) {
	sim, d := setup(t)
	ctx := context.Background()
	client := sim.PlantWHMCSServer(601, "198.51.100.60", 42, 1842, "jane@example.com")

	got, err := d.Link(ctx, provisioning.LinkRequest{ServiceID: "svc-ours", WHMCSServiceID: "1842", WHMCSClientID: "42"})
	if err != nil {
		t.Fatal(err)
	}
	if got.PlatformServiceID != "601" || got.PlatformUserID != strconv.Itoa(client) {
		t.Fatalf("linked %+v, want server 601 of client %d", got, client)
	}
	r := provisioning.Ref{ServiceID: "svc-ours", PlatformServiceID: got.PlatformServiceID, PlatformUserID: got.PlatformUserID}
	if err := d.Suspend(ctx, r); err != nil {
		t.Fatal(err)
	}
	if srv, _ := sim.Server(601); srv.Active {
		t.Error("the panel's server is not suspended")
	}
	st, err := d.Status(ctx, []provisioning.Ref{r})
	if err != nil || st["svc-ours"].State != "suspended" || len(st["svc-ours"].IPs) != 1 {
		t.Errorf("status %+v, %v", st["svc-ours"], err)
	}
	if err := d.Unsuspend(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := d.Power(ctx, r, provisioning.PowerRestart); err != nil {
		t.Errorf("power: %v", err)
	}
	if _, err := d.LoginURL(ctx, r); err != nil {
		t.Errorf("login: %v", err)
	}

	// WHMCS wiped the hardware and gave it to another client: the linked
	// service must not act on it.
	sim.UpdateServer(601, func(s *synergycpsim.Server) { s.ClientID = 99999 })
	if err := d.Suspend(ctx, r); !errors.Is(err, provisioning.ErrNotFound) {
		t.Errorf("suspend of hardware now another client's: %v", err)
	}
}

func TestLinkAmbiguousAndMissing(t *testing.T) {
	sim, d := setup(t)
	ctx := context.Background()
	sim.PlantWHMCSServer(601, "198.51.100.60", 42, 1842, "jane@example.com")
	sim.PlantWHMCSServer(602, "198.51.100.61", 42, 1842, "jane@example.com")
	_, err := d.Link(ctx, provisioning.LinkRequest{WHMCSServiceID: "1842"})
	var amb *provisioning.AmbiguousError
	if !errors.As(err, &amb) || len(amb.Candidates) != 2 || amb.Candidates[0] != "601" || amb.Candidates[1] != "602" {
		t.Errorf("two servers with billing id 1842: %v", err)
	}
	if _, err := d.Link(ctx, provisioning.LinkRequest{WHMCSServiceID: "1843"}); !errors.Is(err, provisioning.ErrNotFound) {
		t.Errorf("no server: %v", err)
	}
	// Our own provisioned servers carry our ids as billing ids: a stale
	// link never resolves to one of them.
	sim.PlantWHMCSServer(603, "198.51.100.62", 42, 77, "jane@example.com")
	sim.UpdateServer(603, func(s *synergycpsim.Server) { s.BillingID = "q235med76bs54he" })
	r := provisioning.Ref{ServiceID: "svc-ours", PlatformServiceID: "603"}
	if err := d.Suspend(ctx, r); !errors.Is(err, provisioning.ErrNotFound) {
		t.Errorf("suspend through a link to a server we provisioned for another service: %v", err)
	}
}

func TestLinkNeedsTheWHMCSID(t *testing.T) {
	_, d := setup(t)
	if _, err := d.Link(context.Background(), provisioning.LinkRequest{WHMCSServiceID: ""}); !errors.Is(err, provisioning.ErrNoLinkKey) {
		t.Errorf("no WHMCS service id: %v", err)
	}
}
