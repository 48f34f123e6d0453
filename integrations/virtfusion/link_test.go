package virtfusion

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"github.com/ezscale/ezscale/integrations/provisioning"
)

func TestLinkRecordedServer(t *testing.T) {
	sim, d := setup(t)
	ctx := context.Background()
	id := sim.PlantWHMCSServer(42, "jane@example.com", "vps1842.example.net", "203.0.113.50")
	other := sim.PlantWHMCSServer(43, "joe@example.com", "vps1843.example.net", "203.0.113.51")

	got, err := d.Link(ctx, provisioning.LinkRequest{ServiceID: "svc-ours", WHMCSServiceID: "1842", WHMCSClientID: "42",
		WHMCSServerID: strconv.Itoa(id)})
	if err != nil {
		t.Fatal(err)
	}
	if got.PlatformServiceID != strconv.Itoa(id) || got.PlatformUserID != "42" {
		t.Fatalf("linked %+v, want server %d of extRelationId 42", got, id)
	}
	r := provisioning.Ref{ServiceID: "svc-ours", PlatformServiceID: got.PlatformServiceID, PlatformUserID: got.PlatformUserID}
	if err := d.Suspend(ctx, r); err != nil {
		t.Fatal(err)
	}
	if _, suspended, _, _, _ := sim.ServerState(id); !suspended {
		t.Error("the panel's server is not suspended")
	}
	if _, err := d.LoginURL(ctx, r); err != nil {
		t.Errorf("login through extRelationId 42: %v", err)
	}

	for name, req := range map[string]provisioning.LinkRequest{
		"recorded server of another client": {WHMCSClientID: "42", WHMCSServerID: strconv.Itoa(other)},
		"recorded server gone":              {WHMCSClientID: "42", WHMCSServerID: "9999"},
		"client without a VirtFusion user":  {WHMCSClientID: "44", Hostname: "vps1842.example.net"},
		"no server of the client matches":   {WHMCSClientID: "42", Hostname: "elsewhere.example.net", IPs: []string{"192.0.2.1"}},
	} {
		if _, err := d.Link(ctx, req); !errors.Is(err, provisioning.ErrNotFound) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := d.Link(ctx, provisioning.LinkRequest{WHMCSClientID: "jane"}); !errors.Is(err, provisioning.ErrNoLinkKey) {
		t.Errorf("client id not a number: %v", err)
	}
}

// TestLinkByHostnameOrIP: without the module's record, the client's
// servers are matched by hostname (any case) or address; two matches are
// ambiguous.
func TestLinkByHostnameOrIP(t *testing.T) {
	sim, d := setup(t)
	ctx := context.Background()
	byName := sim.PlantWHMCSServer(42, "jane@example.com", "vps1842.example.net", "203.0.113.50")
	byIP := sim.PlantWHMCSServer(42, "jane@example.com", "renamed.example.net", "203.0.113.60")
	sim.PlantWHMCSServer(43, "joe@example.com", "vps1844.example.net", "203.0.113.70")

	for req, want := range map[*provisioning.LinkRequest]int{
		{WHMCSClientID: "42", Hostname: "VPS1842.example.net."}:                           byName,
		{WHMCSClientID: "42", Hostname: "old.example.net", IPs: []string{"203.0.113.60"}}: byIP,
	} {
		got, err := d.Link(ctx, *req)
		if err != nil || got.PlatformServiceID != strconv.Itoa(want) || got.PlatformUserID != "42" {
			t.Errorf("%+v: %+v, %v; want server %d", *req, got, err, want)
		}
	}
	// The other client's server has the address too: never a candidate.
	if got, err := d.Link(ctx, provisioning.LinkRequest{WHMCSClientID: "42", IPs: []string{"203.0.113.70"}}); !errors.Is(err, provisioning.ErrNotFound) {
		t.Errorf("another client's server: %+v, %v", got, err)
	}
	_, err := d.Link(ctx, provisioning.LinkRequest{WHMCSClientID: "42", Hostname: "vps1842.example.net", IPs: []string{"203.0.113.60"}})
	if !provisioning.IsAmbiguous(err) {
		t.Errorf("hostname of one, address of the other: %v", err)
	}
}

func TestLinkListOwnerShapes(t *testing.T) {
	for raw, want := range map[string]int{`7`: 7, `{"id": 7, "extRelationId": 42}`: 7, `null`: 0} {
		if got := (linkListItem{Owner: []byte(raw)}).ownerID(); got != want {
			t.Errorf("owner %s: %d, want %d", raw, got, want)
		}
	}
}
