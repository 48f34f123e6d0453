// Package bandwidth accounts for the traffic of services: it keeps each
// service's bytes per UTC day and per billing period from the flow
// records (a Source, ElastiFlow in production), warns customers as they
// approach their plan's quota, and bills what exceeds it once the period
// has ended and late flow records have had time to arrive.
package bandwidth

import (
	"context"
	"io"
	"time"

	"github.com/ezscale/ezscale/integrations/elastiflow"
	"github.com/ezscale/ezscale/internal/audit"
)

// Source reports traffic per service and UTC day. It pages internally, so
// one call answers for every service of a run.
type Source interface {
	Usage(ctx context.Context, services []elastiflow.Service, from, to time.Time) ([]elastiflow.DayUsage, elastiflow.Stats, error)
}

// BytesPerGB is a decimal gigabyte: quotas and overage prices are in GB of
// 10^9 bytes, as traffic is sold.
const BytesPerGB = 1_000_000_000

// Collections this package writes.
const (
	UsageCollection = "bandwidth_usage"
	DailyCollection = "bandwidth_daily"
)

// Options of a run or a settle pass.
type Options struct {
	Now      time.Time
	Progress io.Writer
	// ServicesPerTx is how many services' days and totals commit together:
	// one transaction per row would be slow, one for the whole run would
	// hold the write lock for long.
	ServicesPerTx int
}

func (o Options) withDefaults() Options {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	o.Now = o.Now.UTC()
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	if o.ServicesPerTx <= 0 {
		o.ServicesPerTx = 200
	}
	return o
}

// Actor is who the bandwidth runs' invoices are attributed to in the audit log.
var Actor = audit.Job("bandwidth")

// dayLayout is the form of bandwidth_daily.day.
const dayLayout = "2006-01-02"
