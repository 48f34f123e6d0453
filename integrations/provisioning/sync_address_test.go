package provisioning_test

import (
	"context"
	"testing"

	"github.com/ezscale/ezscale/integrations/provisioning"
)

// TestStatusSyncKeepsTheServerAddress: a game server's host:port is written
// by the status sync when the platform reports a new one, and a platform
// that reports none (a VPS's) leaves it as it is.
func TestStatusSyncKeepsTheServerAddress(t *testing.T) {
	w := newWorld(t)
	svc := w.service(t, "active")
	svc.Set("server_address", "192.0.2.1:25565")
	if err := w.app.Save(svc); err != nil {
		t.Fatal(err)
	}
	p := &readingPlatform{reading: provisioning.Status{State: "online", IPs: []string{"192.0.2.1"}, Address: "192.0.2.1:25565"}}
	s := &provisioning.Syncer{App: w.app, Drivers: map[string]provisioning.Provisioner{"virtfusion": p}}
	steps := []struct {
		name    string
		address string
		want    string
	}{
		{"same address", "192.0.2.1:25565", "192.0.2.1:25565"},
		{"moved to another port", "192.0.2.1:27015", "192.0.2.1:27015"},
		{"not reported", "", "192.0.2.1:27015"},
	}
	for _, step := range steps {
		p.reading.Address = step.address
		if _, err := s.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		fresh, _ := w.app.FindRecordById("services", svc.Id)
		if got := fresh.GetString("server_address"); got != step.want {
			t.Errorf("%s: server_address %q, want %q", step.name, got, step.want)
		}
	}
}
