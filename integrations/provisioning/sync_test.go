package provisioning_test

import (
	"context"
	"errors"
	"testing"

	"github.com/ezscale/ezscale/integrations/provisioning"
)

// statusPlatform answers Status for every service asked, or fails.
type statusPlatform struct {
	fakePlatform
	calls int
	state string
	down  bool
}

func (s *statusPlatform) Status(_ context.Context, refs []provisioning.Ref) (map[string]provisioning.Status, error) {
	s.calls++
	if s.down {
		return nil, errors.New("connection refused")
	}
	out := map[string]provisioning.Status{}
	for _, r := range refs {
		out[r.ServiceID] = provisioning.Status{State: s.state, CPUPercent: 12.5, MemoryUsedMB: 512, IPs: []string{"192.0.2.1"}}
	}
	return out, nil
}

func TestStatusSyncBatchesAndWritesOnlyChanges(t *testing.T) {
	w := newWorld(t)
	for i := 0; i < 250; i++ {
		w.service(t, "active")
	}
	p := &statusPlatform{state: "online"}
	s := &provisioning.Syncer{App: w.app, Drivers: map[string]provisioning.Provisioner{"virtfusion": p}}
	res, err := s.Run(context.Background())
	if err != nil || res.Checked != 250 || res.Changed != 250 || p.calls != 3 {
		t.Fatalf("first run: %+v %v, %d calls", res, err, p.calls)
	}
	res, _ = s.Run(context.Background())
	if res.Changed != 0 {
		t.Errorf("nothing changed but %d services were written", res.Changed)
	}
	p.state = "offline"
	if res, _ = s.Run(context.Background()); res.Changed != 250 {
		t.Errorf("a state change wrote %d", res.Changed)
	}

	p.down = true
	for i := 1; i <= 3; i++ {
		res, _ = s.Run(context.Background())
		if got := len(res.Unreachable) > 0; got != (i == 3) {
			t.Errorf("run %d: unreachable %v", i, res.Unreachable)
		}
	}
	if n, _ := w.app.CountRecords("outbox"); n != 1 {
		t.Errorf("%d alerts", n)
	}
	svc, _ := w.app.FindFirstRecordByFilter("services", "status = 'active'")
	if svc.GetString("power_state") != "offline" || svc.GetString("status") != "active" {
		t.Error("an unreachable platform must not change its services")
	}
}
