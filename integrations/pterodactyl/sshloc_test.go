package pterodactyl

import (
	"context"
	"strings"
	"testing"
)

// TestCreateDeploysToTheChosenLocation: deploy.locations carries the
// chosen location's id.
func TestCreateDeploysToTheChosenLocation(t *testing.T) {
	sim, d := setup(t)
	sim.AddLocation(2, "lax")
	config := planConfigMap()
	delete(config, "location_id")
	config["locations"] = []any{map[string]any{"name": "Frankfurt", "id": float64(1)}, map[string]any{"name": "Los Angeles", "id": float64(2)}}
	if err := d.ValidateConfig(config); err != nil {
		t.Fatal(err)
	}
	req := createReq("svc-loc", "cust1")
	req.Config = config
	req.Options["location"] = "Los Angeles"
	if _, err := d.Create(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	srv, ok := sim.Server("svc-loc")
	if !ok || srv.Location != 2 {
		t.Fatalf("server %+v; want it deployed at location 2", srv)
	}

	config["locations"] = []any{map[string]any{"name": "Frankfurt", "id": "fra"}}
	if err := d.ValidateConfig(config); err == nil || !strings.Contains(err.Error(), "positive location id") {
		t.Fatalf("a location id that is no number: %v", err)
	}
}
