package synergycp

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/ezscale/ezscale/integrations/synergycp/synergycpsim"
)

func locationsConfig() map[string]any {
	c := planConfig()
	delete(c, "location_id")
	c["locations"] = []any{map[string]any{"name": "Los Angeles", "id": "LOC-LA1"}, map[string]any{"name": "New York", "id": "LOC-NY1"}}
	return c
}

// TestCreateInTheChosenLocation: a plan's locations are IP groups; the
// matching hardware is looked for in the one the customer chose.
func TestCreateInTheChosenLocation(t *testing.T) {
	sim, d := setup(t)
	sim.AddServer(synergycpsim.Server{ID: 250, CPU: "E3-1270v6", Mem: "mem-32", Disks: []string{"1TB-SSD", "1TB-SSD"}, Group: "LOC-NY1", IP: "198.51.100.8"})
	if err := d.ValidateConfig(locationsConfig()); err != nil {
		t.Fatal(err)
	}
	req := createReq("1850")
	req.Config = locationsConfig()
	req.Options["location"] = "New York"
	c, err := d.Create(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := strconv.Atoi(c.PlatformServiceID)
	srv, ok := sim.Server(id)
	if !ok || srv.Group != "LOC-NY1" || srv.BillingID != "1850" {
		t.Fatalf("assigned %+v; want the New York server", srv)
	}

	req = createReq("1851")
	req.Config = locationsConfig()
	req.Options["location"] = "Paris"
	if _, err := d.Create(context.Background(), req); err == nil || !asProvErr(t, err).Permanent || !strings.Contains(err.Error(), "Paris") {
		t.Fatalf("unknown location: %v", err)
	}
}

func TestValidateConfigLocations(t *testing.T) {
	d := &Driver{}
	noLocation := planConfig()
	delete(noLocation, "location_id")
	bad := locationsConfig()
	bad["locations"] = []any{map[string]any{"name": "", "id": "LOC-LA1"}}
	for name, tc := range map[string]struct {
		config  map[string]any
		wantErr string
	}{
		"locations":               {locationsConfig(), ""},
		"neither":                 {noLocation, "location_id is required"},
		"a location with no name": {bad, "name must be"},
	} {
		t.Run(name, func(t *testing.T) {
			err := d.ValidateConfig(tc.config)
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
		})
	}
}
