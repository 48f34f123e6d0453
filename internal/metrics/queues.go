package metrics

import (
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/ezscale/ezscale/internal/clock"
)

var (
	provisioningJobsDesc = prometheus.NewDesc(namespace+"_provisioning_jobs",
		"Provisioning jobs waiting (pending), being worked on (running) or given up (failed, for staff).", []string{"status"}, nil)
	outboxDesc = prometheus.NewDesc(namespace+"_outbox_messages",
		"Outbox messages not yet delivered (pending, sending) or given up (failed).", []string{"status"}, nil)
	webhookEventsDesc = prometheus.NewDesc(namespace+"_webhook_events",
		"Gateway webhook events not yet processed (received) or failed, by gateway.", []string{"gateway", "status"}, nil)
	webhookLagDesc = prometheus.NewDesc(namespace+"_webhook_oldest_unprocessed_seconds",
		"Age of the oldest webhook event received and not yet processed; 0 when none waits.", nil, nil)
)

// queueStatuses are the states counted: the work still to do and the work
// given up. Done work is history, not depth.
var (
	provisioningStatuses = []string{"pending", "running", "failed"}
	outboxStatuses       = []string{"pending", "sending", "failed"}
)

// queues reads the queue depths and the webhook backlog at scrape time,
// from the status indexes of each table.
type queues struct{ app core.App }

func (q *queues) Describe(ch chan<- *prometheus.Desc) {
	ch <- provisioningJobsDesc
	ch <- outboxDesc
	ch <- webhookEventsDesc
	ch <- webhookLagDesc
}

func (q *queues) Collect(ch chan<- prometheus.Metric) {
	for _, t := range []struct {
		table    string
		desc     *prometheus.Desc
		statuses []string
	}{
		{"provisioning_jobs", provisioningJobsDesc, provisioningStatuses},
		{"outbox", outboxDesc, outboxStatuses},
	} {
		counts, err := countByStatus(q.app, t.table, t.statuses)
		if err != nil {
			ch <- prometheus.NewInvalidMetric(t.desc, err)
			continue
		}
		for _, s := range t.statuses {
			ch <- prometheus.MustNewConstMetric(t.desc, prometheus.GaugeValue, float64(counts[s]), s)
		}
	}
	q.collectWebhooks(ch)
}

// countByStatus counts table's rows in each of statuses.
func countByStatus(app core.App, table string, statuses []string) (map[string]int64, error) {
	var rows []struct {
		Status string `db:"status"`
		N      int64  `db:"n"`
	}
	in := make([]any, len(statuses))
	for i, s := range statuses {
		in[i] = s
	}
	err := app.DB().Select("status", "COUNT(*) AS n").From(table).
		Where(dbx.In("status", in...)).GroupBy("status").All(&rows)
	if err != nil {
		return nil, fmt.Errorf("%s by status: %w", table, err)
	}
	out := map[string]int64{}
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, nil
}

func (q *queues) collectWebhooks(ch chan<- prometheus.Metric) {
	var rows []struct {
		Gateway string `db:"gateway"`
		Status  string `db:"status"`
		N       int64  `db:"n"`
		Oldest  string `db:"oldest"`
	}
	err := q.app.DB().NewQuery(`SELECT gateway, status, COUNT(*) AS n, MIN(created) AS oldest
		FROM webhook_events WHERE status IN ('received', 'failed') GROUP BY gateway, status`).All(&rows)
	if err != nil {
		err = fmt.Errorf("webhook events by status: %w", err)
		ch <- prometheus.NewInvalidMetric(webhookEventsDesc, err)
		ch <- prometheus.NewInvalidMetric(webhookLagDesc, err)
		return
	}
	lag := 0.0
	now := clock.Now(q.app)
	for _, r := range rows {
		ch <- prometheus.MustNewConstMetric(webhookEventsDesc, prometheus.GaugeValue, float64(r.N), r.Gateway, r.Status)
		if r.Status != "received" {
			continue
		}
		oldest, err := types.ParseDateTime(r.Oldest)
		if err != nil {
			ch <- prometheus.NewInvalidMetric(webhookLagDesc, fmt.Errorf("webhook event created %q: %w", r.Oldest, err))
			return
		}
		lag = max(lag, now.Sub(oldest.Time()).Seconds())
	}
	ch <- prometheus.MustNewConstMetric(webhookLagDesc, prometheus.GaugeValue, lag)
}
