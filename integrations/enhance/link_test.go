package enhance

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/ezscale/ezscale/integrations/provisioning"
)

// TestLinkByDomain: the website with the service's domain, under any
// customer organisation, gives the ids Create keeps; suspension and login
// then reach it.
func TestLinkByDomain(t *testing.T) {
	sim, d := setup(t)
	ctx := context.Background()
	org, sub, site := sim.PlantWebsite("Acme", "acme.example", 1)
	sim.PlantWebsite("Other", "shop.acme.example", 1) // search is partial: not this one

	got, err := d.Link(ctx, provisioning.LinkRequest{ServiceID: "svc-ours", WHMCSServiceID: "1842", Domain: "ACME.example."})
	if err != nil {
		t.Fatal(err)
	}
	if want := org + "/" + strconv.Itoa(sub) + "/" + site; got.PlatformServiceID != want || got.PlatformUserID != org {
		t.Fatalf("linked %+v, want %s of org %s", got, want, org)
	}
	r := provisioning.Ref{ServiceID: "svc-ours", PlatformServiceID: got.PlatformServiceID, PlatformUserID: got.PlatformUserID}
	if err := d.Suspend(ctx, r); err != nil {
		t.Fatal(err)
	}
	if !sim.Suspended(site) || state(t, d, r) != "suspended" {
		t.Error("the website is not suspended")
	}
	if url, err := d.LoginURL(ctx, r); err != nil || !strings.HasPrefix(url, "http") {
		t.Errorf("login: %q, %v", url, err)
	}
}

func TestLinkByDomainRefusals(t *testing.T) {
	sim, d := setup(t)
	ctx := context.Background()
	sim.PlantWebsite("One", "twice.example", 1)
	sim.PlantWebsite("Two", "twice.example", 2)
	if _, err := d.Link(ctx, provisioning.LinkRequest{Domain: "twice.example"}); !provisioning.IsAmbiguous(err) {
		t.Errorf("a domain on two websites: %v", err)
	}
	if _, err := d.Link(ctx, provisioning.LinkRequest{Domain: "nowhere.example"}); !errors.Is(err, provisioning.ErrNotFound) {
		t.Errorf("no website: %v", err)
	}
	if _, err := d.Link(ctx, provisioning.LinkRequest{Domain: "not a domain"}); !errors.Is(err, provisioning.ErrNoLinkKey) {
		t.Errorf("no domain: %v", err)
	}
}
