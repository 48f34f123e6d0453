package provisioning_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/integrations/provisioning"
)

// livePlatform reports the state a test sets (or the next of path, read
// by read), with totals, and counts the reads; onRead, if set, runs once
// inside the next read before it answers.
type livePlatform struct {
	fakePlatform
	mu     sync.Mutex
	state  string
	path   []string
	down   bool
	reads  int
	onRead func()
}

func (p *livePlatform) set(state string) {
	p.mu.Lock()
	p.state = state
	p.mu.Unlock()
}

func (p *livePlatform) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.reads
}

func (p *livePlatform) Status(_ context.Context, refs []provisioning.Ref) (map[string]provisioning.Status, error) {
	p.mu.Lock()
	p.reads++
	if len(p.path) > 0 {
		p.state, p.path = p.path[0], p.path[1:]
	}
	state, down, hook := p.state, p.down, p.onRead
	p.onRead = nil
	p.mu.Unlock()
	if hook != nil {
		hook()
	}
	if down {
		return nil, context.DeadlineExceeded
	}
	out := map[string]provisioning.Status{}
	for _, r := range refs {
		out[r.ServiceID] = provisioning.Status{State: state, MemoryUsedMB: 700, MemoryTotalMB: 2048, DiskTotalMB: 40960, CPUCores: 2}
	}
	return out, nil
}

func watchWorld(t *testing.T, state string, every, limit time.Duration) (*world, *livePlatform, *provisioning.PowerWatch, *core.Record) {
	t.Helper()
	w := newWorld(t)
	p := &livePlatform{state: state}
	watch := provisioning.WatchPower(w.app, map[string]provisioning.Provisioner{"virtfusion": p}, every, limit)
	svc := w.service(t, "active")
	svc.Set("power_state", "online")
	if err := w.app.Save(svc); err != nil {
		t.Fatal(err)
	}
	return w, p, watch, svc
}

func powerState(t *testing.T, app core.App, id string) string {
	t.Helper()
	svc, err := app.FindRecordById("services", id)
	if err != nil {
		t.Fatal(err)
	}
	return svc.GetString("power_state")
}

// waitPower waits until the service shows want, or fails.
func waitPower(t *testing.T, app core.App, id, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for powerState(t, app, id) != want {
		if time.Now().After(deadline) {
			t.Fatalf("power state %q, want %q", powerState(t, app, id), want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestPowerWatchFollowsActionToItsEnd(t *testing.T) {
	cases := []struct {
		action, transition string
		path               []string // what the platform reports, read by read
		end                string
		reads              int // reads until the end state
	}{
		{provisioning.PowerStop, "stopping", []string{"online", "stopping", "offline"}, "offline", 3},
		{provisioning.PowerKill, "stopping", []string{"offline"}, "offline", 1},
		{provisioning.PowerStart, "starting", []string{"offline", "starting", "online"}, "online", 3},
		// online before the restart took effect is not its end
		{provisioning.PowerRestart, "restarting", []string{"online", "stopping", "starting", "online"}, "online", 4},
	}
	for _, c := range cases {
		t.Run(c.action, func(t *testing.T) {
			w, p, watch, svc := watchWorld(t, "", 30*time.Millisecond, 5*time.Second)
			p.path = c.path
			state, err := watch.Start(context.Background(), svc, c.action)
			if err != nil || string(state) != c.transition {
				t.Fatalf("start: %q %v", state, err)
			}
			if got := powerState(t, w.app, svc.Id); got != c.transition {
				t.Fatalf("after the action the service shows %q, want %q", got, c.transition)
			}
			waitPower(t, w.app, svc.Id, c.end)
			watch.Stop()
			if got := p.count(); got != c.reads {
				t.Errorf("%d reads, want %d: the watch must stop at the end state and not before", got, c.reads)
			}
			done, _ := w.app.FindRecordById("services", svc.Id)
			if done.GetInt("memory_total_mb") != 2048 || done.GetInt("disk_total_mb") != 40960 || done.GetInt("memory_used_mb") != 700 {
				t.Errorf("the end state carries the reading: memory %d of %d, disk total %d",
					done.GetInt("memory_used_mb"), done.GetInt("memory_total_mb"), done.GetInt("disk_total_mb"))
			}
		})
	}
}

func TestPowerWatchWritesWhatThePlatformSaysAfterTheLimit(t *testing.T) {
	for _, c := range []struct {
		name  string
		down  bool
		state string
		want  string
	}{
		{"still online", false, "online", "online"},
		{"no answer", true, "", "unknown"},
	} {
		t.Run(c.name, func(t *testing.T) {
			w, p, watch, svc := watchWorld(t, c.state, 10*time.Millisecond, 80*time.Millisecond)
			p.down = c.down
			if _, err := watch.Start(context.Background(), svc, provisioning.PowerStop); err != nil {
				t.Fatal(err)
			}
			waitPower(t, w.app, svc.Id, c.want)
			if p.count() < 5 {
				t.Errorf("gave up after %d reads, before the limit", p.count())
			}
		})
	}
}

func TestPowerWatchLeavesATerminatedServiceAlone(t *testing.T) {
	w, p, watch, svc := watchWorld(t, "online", 10*time.Millisecond, 5*time.Second)
	if _, err := watch.Start(context.Background(), svc, provisioning.PowerStop); err != nil {
		t.Fatal(err)
	}
	current, _ := w.app.FindRecordById("services", svc.Id)
	current.Set("status", "terminated")
	if err := w.app.Save(current); err != nil {
		t.Fatal(err)
	}
	p.set("offline")
	stopped := make(chan struct{})
	go func() { watch.Stop(); close(stopped) }()
	time.Sleep(100 * time.Millisecond)
	if got := powerState(t, w.app, svc.Id); got != "stopping" {
		t.Errorf("a terminated service was written: power %q", got)
	}
	reads := p.count()
	time.Sleep(50 * time.Millisecond)
	if p.count() != reads {
		t.Error("the watch kept polling a terminated service")
	}
	<-stopped
}

func TestPowerWatchSecondActionReplacesTheFirst(t *testing.T) {
	w, p, watch, svc := watchWorld(t, "online", 10*time.Millisecond, 5*time.Second)
	if _, err := watch.Start(context.Background(), svc, provisioning.PowerStop); err != nil {
		t.Fatal(err)
	}
	state, err := watch.Start(context.Background(), svc, provisioning.PowerStart)
	if err != nil || state != "starting" {
		t.Fatalf("second action: %q %v", state, err)
	}
	waitPower(t, w.app, svc.Id, "online") // the start's end
	// The stop's end would now be reached: a stop watch still running
	// would write it.
	p.set("offline")
	time.Sleep(100 * time.Millisecond)
	if got := powerState(t, w.app, svc.Id); got != "online" {
		t.Errorf("the replaced watch wrote %q", got)
	}
	if n := p.count(); n > 3 {
		t.Errorf("%d reads after the start ended: a watch is still polling", n)
	}
}

func TestPowerWatchStopsWhenTheAppTerminates(t *testing.T) {
	w, p, watch, svc := watchWorld(t, "online", 10*time.Millisecond, time.Minute)
	if _, err := watch.Start(context.Background(), svc, provisioning.PowerStop); err != nil {
		t.Fatal(err)
	}
	time.Sleep(30 * time.Millisecond)
	if err := w.app.OnTerminate().Trigger(&core.TerminateEvent{App: w.app}); err != nil {
		t.Fatal(err)
	}
	reads := p.count()
	time.Sleep(60 * time.Millisecond)
	if p.count() != reads {
		t.Error("the watch polls after the app terminated")
	}
	if got := powerState(t, w.app, svc.Id); got != "stopping" {
		t.Errorf("power %q: a stopped watch writes nothing", got)
	}
}

func TestStatusSyncKeepsAWatchedTransition(t *testing.T) {
	w, p, watch, svc := watchWorld(t, "online", time.Hour, time.Hour)
	if _, err := watch.Start(context.Background(), svc, provisioning.PowerStop); err != nil {
		t.Fatal(err)
	}
	s := &provisioning.Syncer{App: w.app, Drivers: map[string]provisioning.Provisioner{"virtfusion": p}}
	if _, err := s.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	got, _ := w.app.FindRecordById("services", svc.Id)
	if got.GetString("power_state") != "stopping" {
		t.Errorf("the sync overwrote the transition with %q", got.GetString("power_state"))
	}
	if got.GetInt("memory_used_mb") != 700 {
		t.Error("the sync still writes usage during a transition")
	}
}

// A sync that asked the platform before a power action and saves after
// its watch ended must not write its stale state over the watch's end state.
func TestStatusSyncStaleReadLosesToAWatch(t *testing.T) {
	w, p, watch, svc := watchWorld(t, "online", 5*time.Millisecond, 5*time.Second)
	p.onRead = func() { // the sync's read, answered "online" after this
		if _, err := watch.Start(context.Background(), svc, provisioning.PowerStop); err != nil {
			t.Error(err)
		}
		p.set("offline")
		waitPower(t, w.app, svc.Id, "offline")
	}
	s := &provisioning.Syncer{App: w.app, Drivers: map[string]provisioning.Provisioner{"virtfusion": p}}
	if _, err := s.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := powerState(t, w.app, svc.Id); got != "offline" {
		t.Errorf("the stale sync wrote %q over the watch's end state", got)
	}
}

// A platform that cannot read power (SynergyCP) answers unknown: the watch
// writes that at the first read instead of showing "Stopping…" for a
// minute and then a state it never had.
func TestPowerWatchEndsWhenThePlatformCannotTell(t *testing.T) {
	w, p, watch, svc := watchWorld(t, "unknown", 10*time.Millisecond, 5*time.Second)
	if _, err := watch.Start(context.Background(), svc, provisioning.PowerStop); err != nil {
		t.Fatal(err)
	}
	waitPower(t, w.app, svc.Id, "unknown")
	if n := p.count(); n > 2 {
		t.Errorf("kept asking a platform that cannot tell: %d reads", n)
	}
}
