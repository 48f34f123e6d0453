// Package elastiflow reads per-service traffic from ElastiFlow's flow records in Elasticsearch.
package elastiflow

import "errors"

// Service is one service whose traffic is wanted, with the addresses it owns.
type Service struct {
	ID  string
	IPs []string
}

// DayUsage is one service's traffic on one UTC day.
type DayUsage struct {
	ServiceID, Day string // Day is UTC YYYY-MM-DD
	BytesIn        int64
	BytesOut       int64
}

// Stats tells how much work a query took, for progress output and benchmarks.
type Stats struct {
	Requests int
	Pages    int
}

// ErrUnavailable is wrapped by every error that means Elasticsearch could not answer.
var ErrUnavailable = errors.New("elasticsearch unavailable")
