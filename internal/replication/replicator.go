package replication

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/benbjohnson/litestream"
	lss3 "github.com/benbjohnson/litestream/s3"
)

// DBName is the database that is replicated. auxiliary.db holds only the
// request and job logs, which a restored server starts afresh: streaming
// them would double the traffic for nothing the books need.
const DBName = "data.db"

// Replicator streams one data directory's database to the replica.
type Replicator struct {
	cfg    Config
	logger *slog.Logger
	db     *litestream.DB
	store  *litestream.Store

	mu         sync.Mutex
	opened     bool
	openErr    error
	caughtUpAt time.Time // last time the replica held every committed transaction
	broken     bool

	onBroken func(error)
	onHealed func()

	flushMu  sync.Mutex
	pending  *flushRound // the next sync, not yet started
	flushing bool        // flushLoop is running

	cancel context.CancelFunc
	done   chan struct{}
}

// Status is how far the replica trails the database.
type Status struct {
	Lag    time.Duration // 0 when the replica holds every committed transaction
	Broken bool          // Lag has passed Config.MaxLag, or the replica cannot be opened
	Err    error         // why it cannot be opened, when that is the cause
}

// checkEvery is how often the lag is measured.
const checkEvery = time.Second

// newClient is the S3 client for cfg, path-style whenever an endpoint is
// named (every S3-compatible store but AWS's accepts that).
func newClient(cfg Config, path string) *lss3.ReplicaClient {
	c := lss3.NewReplicaClient()
	c.Bucket, c.Path, c.Region = cfg.Bucket, path, cfg.Region
	c.AccessKeyID, c.SecretAccessKey = cfg.AccessKey, cfg.SecretKey
	if cfg.Endpoint != "" {
		c.Endpoint, c.ForcePathStyle = cfg.Endpoint, true
	}
	return c
}

// Start begins replicating dataDir's database and returns at once: when
// the storage cannot be reached it keeps retrying in the background, and
// the app keeps serving (Status reports it broken meanwhile). onBroken and
// onHealed, either may be nil, are called when replication breaks and
// when it recovers: the alerting hooks.
func Start(dataDir string, cfg Config, logger *slog.Logger, onBroken func(error), onHealed func()) *Replicator {
	db := litestream.NewDB(filepath.Join(dataDir, DBName))
	db.SetLogger(logger)
	client := newClient(cfg, cfg.Path)
	replica := litestream.NewReplicaWithClient(db, client)
	replica.SyncInterval = time.Second
	db.Replica = replica
	store := litestream.NewStore([]*litestream.DB{db}, litestream.CompactionLevels{
		{Level: 0},
		{Level: 1, Interval: 30 * time.Second},
		{Level: 2, Interval: 5 * time.Minute},
		{Level: 3, Interval: time.Hour},
	})
	ctx, cancel := context.WithCancel(context.Background())
	r := &Replicator{cfg: cfg, logger: logger, db: db, store: store, caughtUpAt: time.Now(),
		onBroken: onBroken, onHealed: onHealed, cancel: cancel, done: make(chan struct{})}
	go r.run(ctx)
	return r
}

// run opens the store, retrying with backoff, then measures the lag.
func (r *Replicator) run(ctx context.Context) {
	defer close(r.done)
	backoff := time.Second
	for {
		err := r.store.Open(ctx)
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return
		}
		r.logger.Error("replication: cannot open the replica; retrying", "url", r.cfg.URL(), "in", backoff, "error", err)
		r.mu.Lock()
		r.openErr = err
		r.mu.Unlock()
		r.check(time.Now())
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, time.Minute)
	}
	r.mu.Lock()
	r.opened, r.openErr = true, nil
	r.mu.Unlock()
	r.logger.Info("replication: streaming", "db", r.db.Path(), "url", r.cfg.URL())
	tick := time.NewTicker(checkEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			r.check(now)
		}
	}
}

// check compares the replica's position with the database's and raises or
// clears "broken".
func (r *Replicator) check(now time.Time) {
	r.mu.Lock()
	if r.opened {
		if pos, err := r.db.Pos(); err == nil && r.db.Replica.Pos().TXID >= pos.TXID {
			r.caughtUpAt = now
		}
	}
	st := r.statusLocked(now)
	changed := st.Broken != r.broken
	r.broken = st.Broken
	r.mu.Unlock()
	switch {
	case changed && st.Broken:
		err := st.Err
		if err == nil {
			err = errors.New("the replica trails the database by " + st.Lag.Round(time.Second).String())
		}
		r.logger.Error("replication broken", "url", r.cfg.URL(), "error", err)
		if r.onBroken != nil {
			r.onBroken(err)
		}
	case changed:
		r.logger.Info("replication recovered", "url", r.cfg.URL())
		if r.onHealed != nil {
			r.onHealed()
		}
	}
}

func (r *Replicator) statusLocked(now time.Time) Status {
	lag := now.Sub(r.caughtUpAt)
	if r.opened && lag < checkEvery {
		lag = 0
	}
	return Status{Lag: lag, Broken: r.openErr != nil || lag > r.cfg.MaxLag, Err: r.openErr}
}

// Status is the replica's state now.
func (r *Replicator) Status() Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.statusLocked(time.Now())
}

// Sync pushes every committed transaction to the replica now and waits for
// it: the drill's and a planned failover's last step.
func (r *Replicator) Sync(ctx context.Context) error {
	r.mu.Lock()
	opened := r.opened
	r.mu.Unlock()
	if !opened {
		return errors.New("replication is not running (the replica could not be opened yet)")
	}
	began := time.Now()
	if err := r.db.Sync(ctx); err != nil {
		return err
	}
	if err := r.db.Replica.Sync(ctx); err != nil {
		return err
	}
	// Everything committed before began is on the replica now; the lag
	// need not wait for the next check to say so.
	r.mu.Lock()
	if began.After(r.caughtUpAt) {
		r.caughtUpAt = began
	}
	r.mu.Unlock()
	return nil
}

// Close stops replicating after a last sync of what is committed.
func (r *Replicator) Close(ctx context.Context) error {
	r.cancel()
	<-r.done
	r.mu.Lock()
	opened := r.opened
	r.mu.Unlock()
	if !opened {
		return nil
	}
	return r.store.Close(ctx)
}

// ReplicationLag is how far the replica trails the database, and an error
// when replication is broken: the metrics and the health check read it.
func (r *Replicator) ReplicationLag(context.Context) (time.Duration, error) {
	st := r.Status()
	switch {
	case st.Err != nil:
		return st.Lag, fmt.Errorf("the replica cannot be opened: %w", st.Err)
	case st.Broken:
		return st.Lag, fmt.Errorf("the replica trails the database by %s (at most %s)", st.Lag.Round(time.Second), r.cfg.MaxLag)
	}
	return st.Lag, nil
}
