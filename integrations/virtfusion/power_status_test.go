package virtfusion

import (
	"context"
	"testing"
	"time"

	"github.com/ezscale/ezscale/integrations/provisioning"
)

func TestStatusReportsTotalsAndPowerInProgress(t *testing.T) {
	sim, d := setup(t)
	sim.PowerDelay = 150 * time.Millisecond
	ctx := context.Background()
	c, err := d.Create(ctx, createReq("svc1", "k3x9pq7abcde12f"))
	if err != nil {
		t.Fatal(err)
	}
	ref := provisioning.Ref{ServiceID: "svc1", PlatformServiceID: c.PlatformServiceID, PlatformUserID: c.PlatformUserID}
	state := func() provisioning.Status {
		t.Helper()
		st, err := d.Status(ctx, []provisioning.Ref{ref})
		if err != nil {
			t.Fatal(err)
		}
		return st["svc1"]
	}
	// settings.resources: memory 2048 MB, storage 40 GB, 2 cores
	if st := state(); st.State != "online" || st.MemoryTotalMB != 2048 || st.DiskTotalMB != 40*1024 || st.CPUCores != 2 {
		t.Fatalf("status = %+v", st)
	}
	for _, step := range []struct {
		action, during, after string
	}{
		{provisioning.PowerStop, "stopping", "offline"},
		{provisioning.PowerStart, "offline", "online"}, // a queued boot shows the state before it
		{provisioning.PowerRestart, "stopping", "online"},
		{provisioning.PowerKill, "online", "offline"},
	} {
		if err := d.Power(ctx, ref, step.action); err != nil {
			t.Fatal(err)
		}
		if st := state(); st.State != step.during {
			t.Errorf("%s: %q while under way, want %q", step.action, st.State, step.during)
		}
		time.Sleep(200 * time.Millisecond)
		if st := state(); st.State != step.after {
			t.Errorf("%s: %q when done, want %q", step.action, st.State, step.after)
		}
	}
}
