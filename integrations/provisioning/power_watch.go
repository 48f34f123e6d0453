package provisioning

import (
	"context"
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/audit"
)

// Power watch timing: a platform takes seconds to carry out a power
// action, so after one the service is asked about every PowerWatchEvery
// for up to PowerWatchFor, instead of waiting for the five-minute sync.
const (
	PowerWatchEvery = 3 * time.Second
	PowerWatchFor   = time.Minute
)

// transitions is the state a service shows from an accepted action until
// the platform reports it done.
var transitions = map[string]PowerState{
	PowerStart:   PowerStarting,
	PowerStop:    PowerStopping,
	PowerKill:    PowerStopping,
	PowerRestart: PowerRestarting,
}

// powerWatchKey is where an app keeps its PowerWatch, so the routes that
// start watches and the status sync that must not undo them share one.
const powerWatchKey = "ezscale.provisioning.powerWatch"

var registerMu sync.Mutex

// PowerWatch follows services through power actions: it writes the
// transition at once, then polls the one service's platform until it
// reports the action's end state, and writes that. Its goroutines live
// with the app, not the request that started them, and stop when the app
// terminates.
type PowerWatch struct {
	syncer *Syncer
	every  time.Duration
	limit  time.Duration

	ctx    context.Context // cancelled when the app terminates
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	running map[string]*watch    // by service id
	started map[string]time.Time // the last watch's start, by service id
}

type watch struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// WatchPower gives app a power watch polling drivers every `every` for up
// to limit, replacing (and stopping) one it had.
func WatchPower(app core.App, drivers map[string]Provisioner, every, limit time.Duration) *PowerWatch {
	registerMu.Lock()
	defer registerMu.Unlock()
	if old, ok := app.Store().GetOk(powerWatchKey); ok {
		old.(*PowerWatch).Stop()
	}
	return register(app, drivers, every, limit)
}

// PowerWatchOf is app's power watch, made with the default timing on first
// use.
func PowerWatchOf(app core.App, drivers map[string]Provisioner) *PowerWatch {
	registerMu.Lock()
	defer registerMu.Unlock()
	if w, ok := app.Store().GetOk(powerWatchKey); ok {
		return w.(*PowerWatch)
	}
	return register(app, drivers, PowerWatchEvery, PowerWatchFor)
}

func register(app core.App, drivers map[string]Provisioner, every, limit time.Duration) *PowerWatch {
	ctx, cancel := context.WithCancel(context.Background())
	w := &PowerWatch{syncer: &Syncer{App: app, Drivers: drivers}, every: every, limit: limit,
		ctx: ctx, cancel: cancel, running: map[string]*watch{}, started: map[string]time.Time{}}
	app.Store().Set(powerWatchKey, w)
	app.OnTerminate().BindFunc(func(e *core.TerminateEvent) error {
		w.Stop()
		return e.Next()
	})
	return w
}

// watching is app's power watch, or nil when no power action was sent.
func watching(app core.App) *PowerWatch {
	w, ok := app.Store().GetOk(powerWatchKey)
	if !ok {
		return nil
	}
	return w.(*PowerWatch)
}

// Stop ends every watch and waits for them; the transitions stay written
// and the status sync settles them.
func (w *PowerWatch) Stop() {
	w.cancel()
	w.wg.Wait()
}

// holds reports whether a watch owns the service's power state: one runs,
// or one started after since (when a status read began), so neither a sync
// nor a stale read overwrites the transition or the end state it wrote.
func (w *PowerWatch) holds(serviceID string, since time.Time) bool {
	if w == nil {
		return false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	_, running := w.running[serviceID]
	return running || !w.started[serviceID].Before(since)
}

// Start writes the transition of action onto the service and watches it
// in the background, replacing a watch the service had. Call it once the
// platform accepted the action. It returns the transition written.
func (w *PowerWatch) Start(ctx context.Context, rec *core.Record, action string) (PowerState, error) {
	transition, ok := transitions[action]
	if !ok {
		return "", ErrNotSupported
	}
	svc := AsService(rec)
	driver := w.syncer.Drivers[svc.Platform()]
	if driver == nil {
		return "", ErrNotSupported
	}
	wctx, cancel := context.WithTimeout(w.ctx, w.limit+30*time.Second)
	next := &watch{cancel: cancel, done: make(chan struct{})}
	w.mu.Lock()
	old := w.running[svc.Id]
	w.running[svc.Id] = next
	w.started[svc.Id] = time.Now()
	w.mu.Unlock()
	if old != nil {
		old.cancel()
		<-old.done // its last write lands before the new transition
	}
	actx := audit.WithActor(ctx, audit.Job("power-watch"))
	if _, err := w.syncer.update(actx, svc.Id, func(current *Service) bool {
		if current.PowerState() == transition {
			return false
		}
		current.SetPowerState(transition)
		return true
	}); err != nil {
		w.finish(svc.Id, next)
		return "", err
	}
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		defer w.finish(svc.Id, next)
		w.follow(audit.WithActor(wctx, audit.Job("power-watch")), driver, svc.Ref(), action)
	}()
	return transition, nil
}

// finish removes a watch that ended, unless another replaced it.
func (w *PowerWatch) finish(id string, wt *watch) {
	wt.cancel()
	w.mu.Lock()
	if w.running[id] == wt {
		delete(w.running, id)
	}
	w.mu.Unlock()
	close(wt.done)
}

// follow polls until the platform reports the action done, then writes
// what it reports; after the limit it writes whatever the platform says
// (unknown if it does not answer). A cancelled watch writes nothing.
func (w *PowerWatch) follow(ctx context.Context, driver Provisioner, ref Ref, action string) {
	deadline := time.Now().Add(w.limit)
	ticker := time.NewTicker(w.every)
	defer ticker.Stop()
	left := false // the service was seen not online (a restart's way down)
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		if !w.live(ref.ServiceID) {
			return
		}
		last := !time.Now().Before(deadline)
		st, ok := w.read(ctx, driver, ref)
		if ctx.Err() != nil {
			return
		}
		if ok && PowerState(st.State) != PowerOnline {
			left = true
		}
		// A platform that cannot tell the power state (SynergyCP's contract
		// has no power reading) ends the watch at once: a transition shown
		// for a minute and then dropped would only mislead.
		cannotTell := ok && PowerState(st.State) == PowerUnknown
		if !last && !cannotTell && !(ok && done(action, PowerState(st.State), left)) {
			continue
		}
		if !ok {
			st = Status{State: string(PowerUnknown)}
		}
		if _, err := w.syncer.update(ctx, ref.ServiceID, func(current *Service) bool {
			return apply(current, st, false)
		}); err != nil {
			w.syncer.App.Logger().Warn("power watch: saving the state failed", "service", ref.ServiceID, "error", err)
		}
		return
	}
}

// live reports whether the service is still one the sync follows: a
// service terminated meanwhile is left alone.
func (w *PowerWatch) live(id string) bool {
	svc, err := FindService(w.syncer.App, id)
	return err == nil && svc.Status().followed()
}

// read asks the platform for the one service, or reports it did not
// answer. A driver that panics counts as no answer: the watch runs in the
// background, where a panic would end the whole platform.
func (w *PowerWatch) read(ctx context.Context, driver Provisioner, ref Ref) (st Status, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			w.syncer.App.Logger().Error("power watch: the driver panicked", "service", ref.ServiceID, "panic", r)
			st, ok = Status{}, false
		}
	}()
	rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	statuses, err := driver.Status(rctx, []Ref{ref})
	if err != nil {
		return Status{}, false
	}
	st, ok = statuses[ref.ServiceID]
	return st, ok
}

// done reports whether state is the end of action: stop and kill end
// offline, start online, and a restart online after it was seen down or
// going down (before that, online is the state before the restart).
func done(action string, state PowerState, left bool) bool {
	switch action {
	case PowerStop, PowerKill:
		return state == PowerOffline
	case PowerStart:
		return state == PowerOnline
	case PowerRestart:
		return state == PowerOnline && left
	}
	return true
}
