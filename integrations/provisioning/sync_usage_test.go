package provisioning_test

import (
	"context"
	"testing"

	"github.com/ezscale/ezscale/integrations/provisioning"
)

// readingPlatform answers Status with the same reading for every service.
type readingPlatform struct {
	fakePlatform
	reading provisioning.Status
}

func (p *readingPlatform) Status(_ context.Context, refs []provisioning.Ref) (map[string]provisioning.Status, error) {
	out := map[string]provisioning.Status{}
	for _, r := range refs {
		out[r.ServiceID] = p.reading
	}
	return out, nil
}

// TestStatusSyncWritesOnlyMeaningfulUsage: after a first reading, a sync
// that sees the same state with usage moving by 1% of the resource or less
// writes nothing (the service's updated time stays); a move beyond it, a
// crossing of a level the portal colours (75%, 90%) or a new power state is
// written.
func TestStatusSyncWritesOnlyMeaningfulUsage(t *testing.T) {
	base := provisioning.Status{State: "online", CPUPercent: 12.5, MemoryUsedMB: 1000, DiskUsedMB: 20000, IPs: []string{"192.0.2.1"}}
	with := func(change func(*provisioning.Status)) provisioning.Status {
		st := base
		change(&st)
		return st
	}
	cases := []struct {
		name    string
		reading provisioning.Status
		written bool
	}{
		{"the same reading", base, false},
		{"CPU jitter under a point", with(func(s *provisioning.Status) { s.CPUPercent = 13.4 }), false},
		{"memory up 1% of its total", with(func(s *provisioning.Status) { s.MemoryUsedMB = 1040 }), false},
		{"disk down 0.5% of its total", with(func(s *provisioning.Status) { s.DiskUsedMB = 19750 }), false},
		{"CPU up two points", with(func(s *provisioning.Status) { s.CPUPercent = 14.5 }), true},
		{"memory up 2% of its total", with(func(s *provisioning.Status) { s.MemoryUsedMB = 1082 }), true},
		{"disk up 2% of its total", with(func(s *provisioning.Status) { s.DiskUsedMB = 21000 }), true},
		{"powered off", with(func(s *provisioning.Status) { s.State = "offline" }), true},
		{"a new address", with(func(s *provisioning.Status) { s.IPs = []string{"192.0.2.2"} }), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			svc := w.service(t, "active")
			svc.Set("memory_total_mb", 4096)
			svc.Set("disk_total_mb", 50000)
			if err := w.app.Save(svc); err != nil {
				t.Fatal(err)
			}
			p := &readingPlatform{reading: base}
			s := &provisioning.Syncer{App: w.app, Drivers: map[string]provisioning.Provisioner{"virtfusion": p}}
			if res, err := s.Run(context.Background()); err != nil || res.Changed != 1 {
				t.Fatalf("the first reading was not written: %+v %v", res, err)
			}
			before, _ := w.app.FindRecordById("services", svc.Id)

			p.reading = c.reading
			res, err := s.Run(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			after, _ := w.app.FindRecordById("services", svc.Id)
			written := !after.GetDateTime("updated").Equal(before.GetDateTime("updated"))
			if written != c.written || (res.Changed == 1) != c.written {
				t.Errorf("written %v (changed %d), want %v", written, res.Changed, c.written)
			}
			if c.written && after.GetInt("memory_used_mb") != int(c.reading.MemoryUsedMB) {
				t.Errorf("memory %d, want the new reading %d", after.GetInt("memory_used_mb"), c.reading.MemoryUsedMB)
			}
		})
	}
}

// TestStatusSyncWritesAMeterCrossingALevel: a small move that crosses a
// level the portal's meters colour at is written; without a known total, a
// move of 1% of the reading or less is not.
func TestStatusSyncWritesAMeterCrossingALevel(t *testing.T) {
	cases := []struct {
		name        string
		total       int
		from, to    int64
		wantWritten bool
	}{
		{"memory crosses 75%", 4000, 2990, 3010, true},
		{"memory crosses 90% downwards", 4000, 3610, 3590, true},
		{"memory under 75% both times", 4000, 2950, 2970, false},
		{"no total, 0.5% more", 0, 1000, 1005, false},
		{"no total, 5% more", 0, 1000, 1050, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			svc := w.service(t, "active")
			svc.Set("memory_total_mb", c.total)
			if err := w.app.Save(svc); err != nil {
				t.Fatal(err)
			}
			p := &readingPlatform{reading: provisioning.Status{State: "online", MemoryUsedMB: c.from}}
			s := &provisioning.Syncer{App: w.app, Drivers: map[string]provisioning.Provisioner{"virtfusion": p}}
			if _, err := s.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			p.reading.MemoryUsedMB = c.to
			res, err := s.Run(context.Background())
			if err != nil || (res.Changed == 1) != c.wantWritten {
				t.Errorf("changed %d (%v), want written %v", res.Changed, err, c.wantWritten)
			}
		})
	}
}
