package provisioning

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/integrations/notify"
	"github.com/ezscale/ezscale/internal/audit"
)

// syncBatch is how many services one Status call asks about.
const syncBatch = 100

// unreachableAfter failed runs in a row mark a platform unreachable.
const unreachableAfter = 3

// Syncer polls the platforms for live status and usage.
type Syncer struct {
	App     core.App
	Drivers map[string]Provisioner

	mu       sync.Mutex
	failures map[string]int // consecutive failed runs per platform
}

// SyncResult counts what a run saw.
type SyncResult struct {
	Checked, Changed int
	Unreachable      []string // platforms that did not answer
}

// Run asks every platform about its active and suspended services, in
// batches, and writes a service only when something changed, so realtime
// subscribers are not flooded. A platform that fails is reported, not
// taken as every one of its services being offline.
func (s *Syncer) Run(ctx context.Context) (SyncResult, error) {
	var res SyncResult
	actx := audit.WithActor(ctx, audit.Job("status-sync"))
	for _, name := range sortedKeys(s.Drivers) {
		driver := s.Drivers[name]
		failed := false
		for offset := 0; ; offset += syncBatch {
			svcs, err := s.App.FindRecordsByFilter("services", "platform = {:p} && (status = 'active' || status = 'suspended')",
				"id", syncBatch, offset, dbx.Params{"p": name})
			if err != nil {
				return res, err
			}
			if len(svcs) == 0 {
				break
			}
			refs := make([]Ref, len(svcs))
			for i, svc := range svcs {
				refs[i] = Ref{ServiceID: svc.Id, PlatformServiceID: svc.GetString("platform_service_id"), PlatformUserID: svc.GetString("platform_user_id")}
			}
			statuses, err := driver.Status(ctx, refs)
			if err != nil {
				failed = true
				break
			}
			for _, svc := range svcs {
				st, ok := statuses[svc.Id]
				if !ok {
					continue
				}
				res.Checked++
				if !apply(svc, st) {
					continue
				}
				changed, err := s.save(actx, svc.Id, st)
				if err != nil {
					return res, fmt.Errorf("service %s: %w", svc.Id, err)
				}
				if changed {
					res.Changed++
				}
			}
			if len(svcs) < syncBatch {
				break
			}
		}
		if s.track(name, failed) {
			res.Unreachable = append(res.Unreachable, name)
			_, _ = notify.Staff(actx, s.App, notify.Alert{Key: "platform_unreachable",
				Data:      notify.Data{"Platform": name, "Checks": unreachableAfter},
				DedupeKey: "unreachable:" + name + ":" + time.Now().UTC().Format("2006-01-02T15")})
		}
	}
	return res, nil
}

// save writes a status onto the service as it is now, not as the batch
// read it before the platform answered: a suspension, a plan change or a
// provisioning result written meanwhile stays, and only the sync's own
// fields (power state, usage, addresses) change. A service no longer
// active or suspended (terminated meanwhile) is left alone.
func (s *Syncer) save(ctx context.Context, id string, st Status) (bool, error) {
	changed := false
	err := s.App.RunInTransaction(func(tx core.App) error {
		current, err := tx.FindRecordById("services", id)
		if err != nil {
			return err
		}
		if status := current.GetString("status"); status != "active" && status != "suspended" {
			return nil
		}
		if changed = apply(current, st); !changed {
			return nil
		}
		return tx.SaveWithContext(ctx, current)
	})
	return changed, err
}

// track counts a platform's failed runs and says when it has just become
// unreachable.
func (s *Syncer) track(platform string, failed bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failures == nil {
		s.failures = map[string]int{}
	}
	if !failed {
		s.failures[platform] = 0
		return false
	}
	s.failures[platform]++
	return s.failures[platform] >= unreachableAfter
}

// apply copies a status onto a service and reports whether it changed.
func apply(svc *core.Record, st Status) bool {
	power := st.State
	if power != "online" && power != "offline" {
		power = "unknown"
	}
	changed := false
	set := func(field string, v any) {
		if fmt.Sprint(svc.Get(field)) != fmt.Sprint(v) {
			svc.Set(field, v)
			changed = true
		}
	}
	set("power_state", power)
	set("cpu_percent", st.CPUPercent)
	set("memory_used_mb", st.MemoryUsedMB)
	set("disk_used_mb", st.DiskUsedMB)
	if len(st.IPs) > 0 {
		var current []string
		_ = svc.UnmarshalJSONField("ip_addresses", &current)
		if !slices.Equal(current, st.IPs) {
			svc.Set("ip_addresses", st.IPs)
			changed = true
		}
	}
	if changed {
		svc.Set("usage_updated_at", time.Now().UTC())
	}
	return changed
}

func sortedKeys(m map[string]Provisioner) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
