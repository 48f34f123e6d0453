package replication

import (
	"context"
	"fmt"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/metrics"
)

// AckTimeout bounds how long an acknowledgement waits for the replica.
// Gateways give a webhook about 10 s before they count it failed and
// redeliver; an answer that cannot be made safe by then is better a 503
// (redelivered, applied idempotently) than a 200 the next crash forgets.
const AckTimeout = 5 * time.Second

// syncTimeout bounds one flush to the replica.
const syncTimeout = 30 * time.Second

// flushRound is one sync to the replica that every caller who joined it
// before it started waits for.
type flushRound struct {
	done chan struct{}
	err  error
}

// Flush returns once every transaction committed before the call is on
// the replica. Concurrent callers share a sync (group commit): a caller
// joins the round not yet started, so one upload covers a burst of
// webhooks instead of one each.
func (r *Replicator) Flush(ctx context.Context) error {
	r.flushMu.Lock()
	round := r.pending
	if round == nil {
		round = &flushRound{done: make(chan struct{})}
		r.pending = round
		if !r.flushing {
			r.flushing = true
			go r.flushLoop()
		}
	}
	r.flushMu.Unlock()
	select {
	case <-round.done:
		return round.err
	case <-ctx.Done():
		return fmt.Errorf("the replica did not confirm in time: %w", ctx.Err())
	}
}

// flushLoop runs the pending rounds one after another until none is left.
func (r *Replicator) flushLoop() {
	for {
		r.flushMu.Lock()
		round := r.pending
		r.pending = nil
		if round == nil {
			r.flushing = false
			r.flushMu.Unlock()
			return
		}
		r.flushMu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), syncTimeout)
		round.err = r.Sync(ctx)
		cancel()
		close(round.done)
	}
}

// appKey is where Register keeps the app's running replicator.
const appKey = "ezscale.replication"

// Register makes r app's replicator: Durable waits for it, and the metrics
// and the health check report its lag.
// A nil r turns both off.
func Register(app core.App, r *Replicator) {
	if r == nil {
		app.Store().Remove(appKey)
		metrics.SetReplication(app, nil)
		return
	}
	app.Store().Set(appKey, r)
	metrics.SetReplication(app, r)
}

// Durable returns once what app has committed so far is on its replica,
// waiting at most AckTimeout; with replication off it returns at once.
// Whatever is acknowledged to the outside after it (a gateway's webhook
// answered 200) survives the loss of this machine.
func Durable(ctx context.Context, app core.App) error {
	r, _ := app.Store().Get(appKey).(*Replicator)
	if r == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, AckTimeout)
	defer cancel()
	return r.Flush(ctx)
}
