package virtfusion

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/ezscale/ezscale/integrations/provisioning"
)

const (
	keyLaptop = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMd2Z9doVx1BTHYqt2AKa7vLFcmNz+rF7Sy5g1XRW/A key1@test"
	keyDesk   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMt9JTBDGObxAz14wv+P+7DFkZXD/ibNHikGxHqi0ipb key2@test"
)

func withLocations(config map[string]any) map[string]any {
	delete(config, "hypervisor_group_id")
	config["locations"] = []any{map[string]any{"name": "Frankfurt", "id": float64(3)}, map[string]any{"name": "Los Angeles", "id": float64(7)}}
	return config
}

func TestValidateConfigLocations(t *testing.T) {
	cases := []struct {
		name    string
		edit    func(map[string]any)
		wantErr string
	}{
		{"locations instead of a group", func(c map[string]any) { withLocations(c) }, ""},
		{"locations beside a group", func(c map[string]any) { withLocations(c)["hypervisor_group_id"] = float64(1) }, ""},
		{"neither", func(c map[string]any) { delete(c, "hypervisor_group_id") }, "hypervisor_group_id is required"},
		{"a location without a group id", func(c map[string]any) {
			withLocations(c)["locations"] = []any{map[string]any{"name": "Frankfurt", "id": "fra"}}
		}, "positive hypervisor group id"},
		{"a location named twice", func(c map[string]any) {
			withLocations(c)["locations"] = []any{map[string]any{"name": "Frankfurt", "id": float64(3)}, map[string]any{"name": "frankfurt", "id": float64(4)}}
		}, "listed twice"},
		{"not a list", func(c map[string]any) { withLocations(c)["locations"] = map[string]any{"Frankfurt": 3} }, "must be a list"},
		{"an unknown key", func(c map[string]any) {
			withLocations(c)["locations"] = []any{map[string]any{"name": "Frankfurt", "id": float64(3), "stock": float64(2)}}
		}, "unknown key"},
	}
	d := &Driver{}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := planConfigMap()
			c.edit(cfg)
			err := d.ValidateConfig(cfg)
			if c.wantErr == "" && err != nil || c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)) {
				t.Fatalf("err = %v, want %q", err, c.wantErr)
			}
		})
	}
}

// TestCreateWithSSHKeysAndLocation: the keys are added to the user (POST
// /ssh_keys) and passed to the build, once per user however many servers
// use them; the server is created in the chosen location's group.
func TestCreateWithSSHKeysAndLocation(t *testing.T) {
	sim, d := setup(t)
	ctx := context.Background()
	req := createReq("svcK", "cust1")
	req.Config = withLocations(req.Config)
	req.Options["location"] = "Los Angeles"
	req.SSHKeys = []provisioning.SSHKey{{Name: "laptop", PublicKey: keyLaptop}, {Name: "desk", PublicKey: keyDesk}}
	c, err := d.Create(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := strconv.Atoi(c.PlatformServiceID)
	keys, group, ok := sim.ServerSSHKeys(id)
	if !ok || group != 7 || len(keys) != 2 || keys[0] != keyLaptop || keys[1] != keyDesk {
		t.Fatalf("server %d: keys %q, group %d; want both keys in group 7", id, keys, group)
	}

	// A second server of the same customer reuses the key it has; the
	// only location of a plan is used without a choice.
	again := createReq("svcL", "cust1")
	again.Config = withLocations(again.Config)
	again.Config["locations"] = []any{map[string]any{"name": "Frankfurt", "id": float64(3)}}
	again.SSHKeys = []provisioning.SSHKey{{Name: "laptop renamed", PublicKey: strings.TrimSuffix(keyLaptop, "key1@test") + "other comment"}}
	c2, err := d.Create(ctx, again)
	if err != nil {
		t.Fatal(err)
	}
	id2, _ := strconv.Atoi(c2.PlatformServiceID)
	keys, group, _ = sim.ServerSSHKeys(id2)
	if group != 3 || len(keys) != 1 || keys[0] != keyLaptop {
		t.Fatalf("second server: keys %q, group %d; want the existing laptop key in group 3", keys, group)
	}
	posts := 0
	for _, r := range sim.Requests() {
		if r == "POST /ssh_keys" {
			posts++
		}
	}
	if posts != 2 {
		t.Errorf("%d keys added to the user, want 2 (the second server reuses one)", posts)
	}
}

func TestCreateRefusesALocationThePlanDropped(t *testing.T) {
	sim, d := setup(t)
	req := createReq("svcP", "cust1")
	req.Config = withLocations(req.Config)
	req.Options["location"] = "Paris"
	_, err := d.Create(context.Background(), req)
	if pe := asPErr(t, err); !pe.Permanent || !strings.Contains(pe.Message, "Paris") {
		t.Fatalf("err = %v, want a permanent error naming Paris", err)
	}
	if sim.Servers() != 0 {
		t.Fatalf("%d servers created", sim.Servers())
	}
}
