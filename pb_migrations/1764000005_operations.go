package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Day-to-day operation: the provisioning queue, bandwidth accounting, the
// support ticket mirror and announcements.
func init() {
	m.Register(func(app core.App) error {
		jobs := core.NewBaseCollection("provisioning_jobs")
		if err := addRelations(app, jobs, relationSpec{"service", "services", true, true}); err != nil {
			return err
		}
		jobs.Fields.Add(
			&core.SelectField{Name: "action", Required: true, MaxSelect: 1,
				Values: []string{"create", "suspend", "unsuspend", "terminate", "change_plan"}},
			&core.SelectField{Name: "status", Required: true, MaxSelect: 1,
				Values: []string{"pending", "running", "succeeded", "failed", "cancelled"},
				Help:   "set a failed job back to pending to retry it"},
			&core.TextField{Name: "dedupe_key", Max: 200, Help: "one job per cause, e.g. invoice:<id>:create"},
			&core.JSONField{Name: "payload", MaxSize: 50000},
			countField("attempts"),
			countField("max_attempts"),
			&core.DateField{Name: "run_after"},
			&core.DateField{Name: "locked_at"},
			&core.TextField{Name: "locked_by", Max: 100},
			&core.DateField{Name: "finished_at"},
			&core.TextField{Name: "last_error", Max: 5000},
			&core.JSONField{Name: "response", MaxSize: 100000, Help: "the platform's last answer (secrets removed)"},
			&core.TextField{Name: "requested_by", Max: 100, Help: "who caused it: staff id, customer id, job name"},
		)
		timestamps(jobs)
		jobs.AddIndex("idx_provisioning_jobs_due", false, "status, run_after", "")
		jobs.AddIndex("idx_provisioning_jobs_service", false, "service", "")
		jobs.AddIndex("idx_provisioning_jobs_dedupe", true, "dedupe_key", "dedupe_key != ''")
		if err := app.Save(jobs); err != nil {
			return err
		}

		usage := core.NewBaseCollection("bandwidth_usage")
		ownedBy(usage)
		if err := addRelations(app, usage,
			relationSpec{"customer", "customers", true, true},
			relationSpec{"service", "services", true, true},
			relationSpec{"invoice", "invoices", false, false},
		); err != nil {
			return err
		}
		usage.Fields.Add(
			&core.DateField{Name: "period_start", Required: true},
			&core.DateField{Name: "period_end", Required: true},
			countField("bytes_in"),
			countField("bytes_out"),
			countField("bytes_total"),
			&core.NumberField{Name: "quota_bytes", OnlyInt: true, Min: zero, Help: "0 = unmetered"},
			countField("overage_bytes"),
			&core.DateField{Name: "alerted_75_at"},
			&core.DateField{Name: "alerted_90_at"},
			&core.DateField{Name: "alerted_100_at"},
			&core.BoolField{Name: "final", Help: "settled: no later flows change it"},
			&core.DateField{Name: "measured_at"},
		)
		timestamps(usage)
		usage.AddIndex("idx_bandwidth_usage_service_period", true, "service, period_start", "")
		usage.AddIndex("idx_bandwidth_usage_customer", false, "customer", "")
		usage.AddIndex("idx_bandwidth_usage_period_end", false, "period_end, final", "")

		daily := core.NewBaseCollection("bandwidth_daily")
		ownedBy(daily)
		if err := addRelations(app, daily,
			relationSpec{"customer", "customers", true, true},
			relationSpec{"service", "services", true, true},
		); err != nil {
			return err
		}
		daily.Fields.Add(
			&core.TextField{Name: "day", Required: true, Min: 10, Max: 10, Pattern: `^\d{4}-\d{2}-\d{2}$`, Help: "UTC day, YYYY-MM-DD"},
			countField("bytes_in"),
			countField("bytes_out"),
		)
		timestamps(daily)
		daily.AddIndex("idx_bandwidth_daily_service_day", true, "service, day", "")
		daily.AddIndex("idx_bandwidth_daily_customer", false, "customer", "")

		tickets := core.NewBaseCollection("support_tickets")
		ownedBy(tickets)
		// The mirror of SupportPal is disposable: it is rebuilt by the sync.
		if err := addRelations(app, tickets,
			relationSpec{"customer", "customers", true, true},
			relationSpec{"service", "services", false, false},
		); err != nil {
			return err
		}
		tickets.Fields.Add(
			&core.NumberField{Name: "supportpal_id", Required: true, OnlyInt: true, Min: one},
			&core.TextField{Name: "number", Max: 40},
			&core.TextField{Name: "subject", Required: true, Max: 500, Presentable: true},
			&core.TextField{Name: "status", Max: 100},
			&core.TextField{Name: "priority", Max: 100},
			&core.TextField{Name: "department", Max: 100},
			&core.DateField{Name: "last_reply_at"},
			&core.SelectField{Name: "last_reply_by", MaxSelect: 1, Values: []string{"staff", "customer"}},
			&core.NumberField{Name: "last_notified_message_id", Hidden: true, OnlyInt: true, Min: zero},
		)
		timestamps(tickets)
		tickets.AddIndex("idx_support_tickets_supportpal_id", true, "supportpal_id", "")
		tickets.AddIndex("idx_support_tickets_customer_reply", false, "customer, last_reply_at", "")

		news := core.NewBaseCollection("announcements")
		news.ListRule = types.Pointer(`published = true && published_at <= @now`)
		news.ViewRule = news.ListRule
		news.Fields.Add(
			&core.TextField{Name: "title", Required: true, Max: 200, Presentable: true},
			&core.TextField{Name: "slug", Required: true, Max: 120, Pattern: `^[a-z0-9]+(?:-[a-z0-9]+)*$`},
			&core.EditorField{Name: "body", MaxSize: 100000},
			&core.BoolField{Name: "published"},
			&core.DateField{Name: "published_at"},
			&core.BoolField{Name: "pinned", Help: "shown on the customer dashboard"},
		)
		timestamps(news)
		news.AddIndex("idx_announcements_slug", true, "slug", "")
		news.AddIndex("idx_announcements_published", false, "published, published_at", "")

		return saveAll(app, usage, daily, tickets, news)
	}, func(app core.App) error {
		return deleteAll(app, "announcements", "support_tickets", "bandwidth_daily", "bandwidth_usage", "provisioning_jobs")
	})
}
