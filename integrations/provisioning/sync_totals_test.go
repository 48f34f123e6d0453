package provisioning_test

import (
	"context"
	"testing"

	"github.com/ezscale/ezscale/integrations/provisioning"
)

// totalsPlatform reports the totals a test sets.
type totalsPlatform struct {
	fakePlatform
	st provisioning.Status
}

func (p *totalsPlatform) Status(_ context.Context, refs []provisioning.Ref) (map[string]provisioning.Status, error) {
	out := map[string]provisioning.Status{}
	for _, r := range refs {
		out[r.ServiceID] = p.st
	}
	return out, nil
}

func TestStatusSyncWritesTheTotals(t *testing.T) {
	cases := []struct {
		name                  string
		reported              provisioning.Status
		memory, disk, cpus    int
		recordedMem, recorded int // memory and disk totals on the service before
	}{
		{"reported", provisioning.Status{State: "online", MemoryUsedMB: 1024, MemoryTotalMB: 2048, DiskTotalMB: 40960, CPUCores: 2}, 2048, 40960, 2, 0, 0},
		{"changed", provisioning.Status{State: "online", MemoryTotalMB: 4096, DiskTotalMB: 81920, CPUCores: 4}, 4096, 81920, 4, 2048, 40960},
		// 0 is not reported (or unlimited): what was recorded stays
		{"not reported", provisioning.Status{State: "online", MemoryUsedMB: 1024}, 2048, 40960, 0, 2048, 40960},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			svc := w.service(t, "active")
			svc.Set("memory_total_mb", c.recordedMem)
			svc.Set("disk_total_mb", c.recorded)
			if err := w.app.Save(svc); err != nil {
				t.Fatal(err)
			}
			s := &provisioning.Syncer{App: w.app, Drivers: map[string]provisioning.Provisioner{"virtfusion": &totalsPlatform{st: c.reported}}}
			if _, err := s.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			got, _ := w.app.FindRecordById("services", svc.Id)
			if got.GetInt("memory_total_mb") != c.memory || got.GetInt("disk_total_mb") != c.disk || got.GetInt("cpu_cores") != c.cpus {
				t.Errorf("totals memory %d disk %d cpus %d, want %d %d %d", got.GetInt("memory_total_mb"),
					got.GetInt("disk_total_mb"), got.GetInt("cpu_cores"), c.memory, c.disk, c.cpus)
			}
		})
	}
}
