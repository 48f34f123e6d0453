package synergycp

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/integrations/synergycp/synergycpsim"
)

func TestFreeServersListsLocationInventory(t *testing.T) {
	sim, d := setup(t)
	ctx := context.Background()
	// Enough at LA to need three pages of 100; one elsewhere never listed.
	for i := 0; i < 230; i++ {
		sim.AddServer(synergycpsim.Server{ID: 7000 + i, CPU: "E5-2680", Mem: "mem-128", Disks: []string{"4TB-HDD"}, Group: "LOC-LA1"})
	}
	sim.AddServer(synergycpsim.Server{ID: 9000, CPU: "E3-1270v6", Mem: "mem-32", Disks: []string{"1TB-SSD"}, Group: "LOC-NY1"})
	if _, err := d.Create(ctx, createReq("1842")); err != nil { // takes 231
		t.Fatal(err)
	}
	free, err := d.FreeServers(ctx, planConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(free) != 231 { // 232 and the 230 added
		t.Fatalf("listed %d free servers, want 231", len(free))
	}
	byID := map[string]provisioning.HardwareServer{}
	for _, s := range free {
		byID[s.ID] = s
	}
	if _, ok := byID["231"]; ok {
		t.Fatal("a provisioned server is listed as free")
	}
	if _, ok := byID["9000"]; ok {
		t.Fatal("a server at another location is listed")
	}
	got := byID["232"]
	if got.Name != "SRV-232" || got.CPU != "E3-1270v6" || got.Memory != "mem-32" || got.Location != "LOC-LA1" ||
		strings.Join(got.Disks, ",") != "1TB-SSD,1TB-SSD" {
		t.Fatalf("server 232: %+v", got)
	}
}

func TestFreeServersFailures(t *testing.T) {
	for _, tc := range []struct {
		status    int
		permanent bool
	}{{401, true}, {422, true}, {429, false}, {500, false}, {503, false}} {
		sim, d := setup(t)
		sim.FailNext(1, tc.status, time.Second)
		_, err := d.FreeServers(context.Background(), planConfig(), nil)
		if pe := asProvErr(t, err); pe.Status != tc.status || pe.Permanent != tc.permanent {
			t.Fatalf("%d: %+v", tc.status, pe)
		}
	}
	_, d := setup(t)
	if _, err := d.FreeServers(context.Background(), map[string]any{}, nil); err == nil {
		t.Fatal("a plan without hardware listed servers")
	}
}

func TestCreateWithChosenServer(t *testing.T) {
	sim, d := setup(t)
	ctx := context.Background()
	// Staff assign the NY server to an LA plan whose match would be 231.
	req := createReq("1842")
	req.ServerID = "240"
	c, err := d.Create(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if c.PlatformServiceID != "240" {
		t.Fatalf("provisioned %s, want the chosen 240", c.PlatformServiceID)
	}
	if srv, _ := sim.Server(240); !srv.Assigned || srv.BillingID != "1842" {
		t.Fatalf("server 240: %+v", srv)
	}
	if srv, _ := sim.Server(231); srv.Assigned {
		t.Fatal("the automatic match was provisioned too")
	}
	// A retry finds the server by billing id and provisions nothing more.
	again, err := d.Create(ctx, req)
	if err != nil || again.PlatformServiceID != "240" || sim.Assigned() != 1 {
		t.Fatalf("retry: %+v %v assigned=%d", again, err, sim.Assigned())
	}
}

func TestCreateWithChosenServerRefused(t *testing.T) {
	sim, d := setup(t)
	ctx := context.Background()
	if _, err := d.Create(ctx, createReq("1")); err != nil { // takes 231
		t.Fatal(err)
	}
	taken := createReq("2")
	taken.ServerID = "231"
	_, err := d.Create(ctx, taken)
	if !errors.Is(err, provisioning.ErrNoHardware) || !strings.Contains(err.Error(), "server 231 is already in use") {
		t.Fatalf("taken server: %v", err)
	}
	missing := createReq("3")
	missing.ServerID = "999"
	_, err = d.Create(ctx, missing)
	if pe := asProvErr(t, err); !pe.Permanent || pe.Status != http.StatusNotFound || !strings.Contains(pe.Message, "999 does not exist") {
		t.Fatalf("unknown server: %+v", pe)
	}
	if sim.Assigned() != 1 {
		t.Fatalf("assigned=%d, want 1", sim.Assigned())
	}
}
