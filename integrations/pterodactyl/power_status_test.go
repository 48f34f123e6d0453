package pterodactyl

import (
	"context"
	"testing"
	"time"

	"github.com/ezscale/ezscale/integrations/provisioning"
)

func TestStatusReportsLimitsAndPowerInProgress(t *testing.T) {
	sim, d := setup(t)
	sim.PowerDelay = 150 * time.Millisecond
	c, err := d.Create(context.Background(), createReq("1842", "42"))
	if err != nil {
		t.Fatal(err)
	}
	r := ref(c, "1842")
	srv, _ := sim.Server("1842")
	if st := status(t, d, r); st.MemoryTotalMB != int64(srv.Memory) || st.DiskTotalMB != int64(srv.Disk) || st.MemoryTotalMB == 0 {
		t.Fatalf("totals %d/%d MiB, the panel's limits are %d/%d", st.MemoryTotalMB, st.DiskTotalMB, srv.Memory, srv.Disk)
	}
	for _, step := range []struct {
		action, during, after string
	}{
		{provisioning.PowerStop, "stopping", "offline"},
		{provisioning.PowerStart, "starting", "online"},
		{provisioning.PowerRestart, "stopping", "online"},
		{provisioning.PowerKill, "offline", "offline"}, // Wings kills at once
	} {
		if err := d.Power(context.Background(), r, step.action); err != nil {
			t.Fatal(err)
		}
		if st := status(t, d, r); st.State != step.during {
			t.Errorf("%s: %q while under way, want %q", step.action, st.State, step.during)
		}
		time.Sleep(200 * time.Millisecond)
		if st := status(t, d, r); st.State != step.after {
			t.Errorf("%s: %q when done, want %q", step.action, st.State, step.after)
		}
	}
}

// limits 0 = unlimited: no total, so the portal shows "used, unlimited".
func TestUnlimitedLimitsHaveNoTotal(t *testing.T) {
	_, d := setup(t)
	req := createReq("1843", "43")
	req.Config["limits"] = map[string]any{"memory": float64(0), "swap": float64(0), "disk": float64(0), "io": float64(500), "cpu": float64(0)}
	c, err := d.Create(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if st := status(t, d, ref(c, "1843")); st.MemoryTotalMB != 0 || st.DiskTotalMB != 0 || st.DiskUsedMB == 0 {
		t.Errorf("unlimited server: %+v", st)
	}
}
