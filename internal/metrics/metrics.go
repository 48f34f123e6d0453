// Package metrics is what the platform tells Prometheus: requests by route
// pattern, scheduled job runs, and the queues, webhooks, replication and
// business figures read from the database when Prometheus scrapes. Every
// name starts with ezscale_. Each app has its own registry (tests run many
// apps in one process); the handler serves it on the metrics listener
// (EZ_METRICS_ADDR), never on the public one.
package metrics

import (
	"net/http"
	"sync"

	"github.com/pocketbase/pocketbase/core"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

const storeKey = "ezscale.metrics"

// Metrics is one app's registry and the instruments the code updates.
type Metrics struct {
	registry *prometheus.Registry
	requests *requests
	jobs     *Jobs
}

var forMu sync.Mutex

// For is app's metrics, made on first use.
func For(app core.App) *Metrics {
	forMu.Lock()
	defer forMu.Unlock()
	if m, ok := app.Store().Get(storeKey).(*Metrics); ok {
		return m
	}
	m := &Metrics{registry: prometheus.NewRegistry(), requests: newRequests(), jobs: newJobs(app)}
	m.registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{Namespace: namespace}),
		m.requests, m.jobs,
		&queues{app: app}, &business{app: app}, &replicationCollector{app: app},
	)
	app.Store().Set(storeKey, m)
	return m
}

// namespace prefixes every metric name.
const namespace = "ezscale"

// Handler answers Prometheus' scrapes. A figure that cannot be read fails
// the scrape with the error rather than reporting a wrong value.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{ErrorHandling: promhttp.HTTPErrorOnError})
}

// Jobs is the scheduled jobs' runs, for the scheduler to report to and the
// health check to read.
func (m *Metrics) Jobs() *Jobs { return m.jobs }
