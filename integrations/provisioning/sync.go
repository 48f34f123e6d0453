package provisioning

import (
	"context"
	"fmt"
	"math"
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
			recs, err := s.App.FindRecordsByFilter(ServicesCollection, "platform = {:p} && (status = 'active' || status = 'suspended')",
				"id", syncBatch, offset, dbx.Params{"p": name})
			if err != nil {
				return res, err
			}
			if len(recs) == 0 {
				break
			}
			svcs := make([]*Service, len(recs))
			refs := make([]Ref, len(recs))
			for i, rec := range recs {
				svcs[i] = AsService(rec)
				refs[i] = svcs[i].Ref()
			}
			asked := time.Now()
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
				if !apply(svc, st, false) {
					continue
				}
				changed, err := s.save(actx, svc.Id, st, asked)
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
			if _, err := notify.Staff(actx, s.App, notify.Alert{Key: "platform_unreachable",
				Data:      notify.Data{"Platform": name, "Checks": unreachableAfter},
				DedupeKey: "unreachable:" + name + ":" + time.Now().UTC().Format("2006-01-02T15")}); err != nil {
				s.App.Logger().Error("provisioning: queue the platform unreachable notice", "platform", name, "error", err)
			}
		}
	}
	return res, nil
}

// save writes a status onto the service as it is now, not as the batch
// read it before the platform answered: a suspension, a plan change or a
// provisioning result written meanwhile stays, and only the sync's own
// fields (power state, usage, addresses) change. The power state is left
// to a power watch that runs for the service or started after the status
// was asked (at asked): the read may predate the action.
func (s *Syncer) save(ctx context.Context, id string, st Status, asked time.Time) (bool, error) {
	keepPower := watching(s.App).holds(id, asked)
	return s.update(ctx, id, func(current *Service) bool {
		return apply(current, st, keepPower)
	})
}

// update changes a service by change in a short transaction of its own
// (never around a platform call) and saves it when change reports a
// change. A service no longer active or suspended (terminated meanwhile)
// is left alone.
func (s *Syncer) update(ctx context.Context, id string, change func(*Service) bool) (bool, error) {
	changed := false
	err := s.App.RunInTransaction(func(tx core.App) error {
		current, err := FindService(tx, id)
		if err != nil {
			return err
		}
		if !current.Status().followed() {
			return nil
		}
		if changed = change(current); !changed {
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

// powerStates are the power states a service records; a platform's
// other answers (suspended, provisioning) are unknown as a power state.
var powerStates = []PowerState{PowerOnline, PowerOffline, PowerStarting, PowerStopping, PowerRestarting}

// apply copies a status onto a service and reports whether it changed
// meaningfully: the power state (unless keepPower: a power watch owns it),
// the addresses and the totals always count; usage only when it moved (see
// moved) or was never read, so a sync that sees the same state with usage
// jittering writes nothing and open dashboards are not sent a message
// every five minutes per service.
func apply(svc *Service, st Status, keepPower bool) bool {
	power := PowerState(st.State)
	if !slices.Contains(powerStates, power) {
		power = PowerUnknown
	}
	changed := false
	if !keepPower && svc.PowerState() != power {
		svc.SetPowerState(power)
		changed = true
	}
	if len(st.IPs) > 0 {
		var current []string
		_ = svc.UnmarshalJSONField("ip_addresses", &current)
		if !slices.Equal(current, st.IPs) {
			svc.SetIPAddresses(st.IPs)
			changed = true
		}
	}
	if st.Address != "" && svc.ServerAddress() != st.Address { // none reported: it stays
		svc.SetServerAddress(st.Address)
		changed = true
	}
	for field, total := range map[string]int64{"memory_total_mb": st.MemoryTotalMB, "disk_total_mb": st.DiskTotalMB, "cpu_cores": st.CPUCores} {
		if total > 0 && svc.GetInt(field) != int(total) { // 0: not reported, the recorded total stays
			svc.Set(field, total)
			changed = true
		}
	}
	firstReading := svc.UsageUpdatedAt().IsZero()
	usageMoved := firstReading ||
		moved(svc.CPUPercent(), st.CPUPercent, 100) ||
		moved(float64(svc.MemoryUsedMB()), float64(st.MemoryUsedMB), float64(svc.MemoryTotalMB())) ||
		moved(float64(svc.DiskUsedMB()), float64(st.DiskUsedMB), float64(svc.DiskTotalMB()))
	if changed || usageMoved {
		svc.SetCPUPercent(st.CPUPercent)
		svc.SetMemoryUsedMB(st.MemoryUsedMB)
		svc.SetDiskUsedMB(st.DiskUsedMB)
		svc.SetUsageUpdatedAt(time.Now().UTC())
		return true
	}
	return false
}

// Usage thresholds: a reading is written when it moves by more than
// usageStep of the resource's total (CPU: of 100 %), or crosses one of the
// levels the portal colours its meters at (75 % amber, 90 % red).
const usageStep = 0.01

var usageLevels = []float64{0.75, 0.90}

// moved reports whether a usage reading changed meaningfully from old to
// now, against total; without a known total, a move of more than usageStep
// of the larger reading counts.
func moved(old, now, total float64) bool {
	if old == now {
		return false
	}
	if total <= 0 {
		return math.Abs(now-old) > usageStep*math.Max(old, now)
	}
	if math.Abs(now-old) > usageStep*total {
		return true
	}
	for _, level := range usageLevels {
		if (old >= level*total) != (now >= level*total) {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]Provisioner) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
