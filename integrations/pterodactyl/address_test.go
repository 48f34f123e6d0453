package pterodactyl

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/ezscale/ezscale/integrations/pterodactyl/pterodactylsim"
)

// TestServerAddressKeepsThePort: players connect to host:port of the
// primary allocation, so create and the status sync both report it, and
// the sync follows a move to another port on the panel.
func TestServerAddressKeepsThePort(t *testing.T) {
	sim, d := setup(t)
	c, err := d.Create(context.Background(), createReq("2001", "42"))
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if c.Address != "203.0.113.20:25565" {
		t.Fatalf("created address = %q, want 203.0.113.20:25565", c.Address)
	}
	r := ref(c, "2001")
	if st := status(t, d, r); st.Address != "203.0.113.20:25565" {
		t.Fatalf("status address = %q", st.Address)
	}

	sim.UpdateServer("2001", func(sv *pterodactylsim.Server) { sv.Port = 27015 })
	if st := status(t, d, r); st.Address != "203.0.113.20:27015" || len(st.IPs) != 1 || st.IPs[0] != "203.0.113.20" {
		t.Fatalf("after the port moved: address %q ips %v", st.Address, st.IPs)
	}
}

// TestPrimaryAddressPrefersAliasAndDefault: of several allocations the
// server's default one is its address, named by its alias when it has one.
func TestPrimaryAddressPrefersAliasAndDefault(t *testing.T) {
	raw := `{"allocation": 8, "relationships": {"allocations": {"object": "list", "data": [
		{"object": "allocation", "attributes": {"id": 7, "ip": "198.51.100.4", "alias": null, "port": 25566}},
		{"object": "allocation", "attributes": {"id": 8, "ip": "198.51.100.5", "alias": "mc.example.com", "port": 25565}}]}}}`
	var s server
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		t.Fatal(err)
	}
	ips, primary := s.addresses()
	if primary != "mc.example.com:25565" || len(ips) != 2 {
		t.Fatalf("addresses = %v, %q", ips, primary)
	}
}
