package metrics

import (
	"context"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/prometheus/client_golang/prometheus"
)

const replicationKey = "ezscale.replication"

// Replication is what the replication code reports through: how far the
// replica is behind the database, or why replication is broken. The
// health check and the metrics read it; without one, replication is off
// and neither mentions it.
type Replication interface {
	ReplicationLag(ctx context.Context) (time.Duration, error)
}

// SetReplication makes r app's replication status (nil: replication off).
func SetReplication(app core.App, r Replication) {
	if r == nil {
		app.Store().Remove(replicationKey)
		return
	}
	app.Store().Set(replicationKey, r)
}

// ReplicationOf is app's replication status, nil when replication is off.
func ReplicationOf(app core.App) Replication {
	r, _ := app.Store().Get(replicationKey).(Replication)
	return r
}

var (
	replicationUpDesc = prometheus.NewDesc(namespace+"_replication_up",
		"1 when the database streams to its replica, 0 when replication is broken; absent when it is off.", nil, nil)
	replicationLagDesc = prometheus.NewDesc(namespace+"_replication_lag_seconds",
		"How far the replica is behind the database.", nil, nil)
)

// replicationTimeout bounds the replication code's answer at scrape time.
const replicationTimeout = 2 * time.Second

type replicationCollector struct{ app core.App }

func (r *replicationCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- replicationUpDesc
	ch <- replicationLagDesc
}

func (r *replicationCollector) Collect(ch chan<- prometheus.Metric) {
	rep := ReplicationOf(r.app)
	if rep == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), replicationTimeout)
	defer cancel()
	lag, err := rep.ReplicationLag(ctx)
	if err != nil {
		ch <- prometheus.MustNewConstMetric(replicationUpDesc, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(replicationUpDesc, prometheus.GaugeValue, 1)
	ch <- prometheus.MustNewConstMetric(replicationLagDesc, prometheus.GaugeValue, lag.Seconds())
}
