package metrics

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// unmatchedRoute labels a request no route matched: its raw path would
// give Prometheus a series per path a scanner tries.
const unmatchedRoute = "unmatched"

// requests counts the API's requests and their latency by route pattern
// ("GET /api/collections/{collection}/records/{id}") and status.
type requests struct {
	total    *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newRequests() *requests {
	return &requests{
		total: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "http_requests_total",
			Help: "Requests answered, by route pattern and status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "http_request_duration_seconds",
			Help:    "Time to answer a request, by route pattern.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route"}),
	}
}

func (r *requests) Describe(ch chan<- *prometheus.Desc) {
	r.total.Describe(ch)
	r.duration.Describe(ch)
}

func (r *requests) Collect(ch chan<- prometheus.Metric) {
	r.total.Collect(ch)
	r.duration.Collect(ch)
}

// ObserveRequest records one answered request. pattern is the router's
// pattern (http.Request.Pattern), never the raw path; empty when no route
// matched.
func (m *Metrics) ObserveRequest(pattern string, status int, took time.Duration) {
	if pattern == "" {
		pattern = unmatchedRoute
	}
	m.requests.total.WithLabelValues(pattern, strconv.Itoa(status)).Inc()
	m.requests.duration.WithLabelValues(pattern).Observe(took.Seconds())
}
