package bandwidth

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/integrations/notify"
	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/internal/settings"
)

// Thresholds are the quota percentages customers are warned at, each
// recorded in its own alerted_<n>_at field so it is sent once per period.
var Thresholds = []int{75, 90, 100}

// queueAlerts warns the customers of services whose open periods crossed
// a threshold not yet alerted: one email with the highest threshold
// reached (a jump from 50 % to 95 % says 90 % once, not 75 % and 90 %),
// every crossed threshold marked, and staff told on Discord at 100 %.
// Staff may turn a threshold off by leaving it out of the setting
// bandwidth_alert_percents. Unmetered services (quota 0) get none.
func queueAlerts(ctx context.Context, tx core.App, serviceIDs []any, now time.Time) (int, error) {
	if len(serviceIDs) == 0 {
		return 0, nil
	}
	s, err := settings.Load(tx)
	if err != nil {
		return 0, err
	}
	rows, err := tx.FindAllRecords(UsageCollection, dbx.In("service", serviceIDs...), dbx.HashExp{"final": false},
		dbx.NewExp("quota_bytes > 0"))
	if err != nil {
		return 0, fmt.Errorf("usage to check for alerts: %w", err)
	}
	sent := 0
	for _, u := range rows {
		total, quota := u.GetInt64("bytes_total"), u.GetInt64("quota_bytes")
		highest := 0
		for _, pct := range Thresholds {
			field := fmt.Sprintf("alerted_%d_at", pct)
			if !slices.Contains(s.BandwidthAlertPercents, pct) || !u.GetDateTime(field).IsZero() || !reached(total, quota, pct) {
				continue
			}
			u.Set(field, now)
			highest = pct
		}
		if highest == 0 {
			continue
		}
		if err := alert(ctx, tx, u, highest); err != nil {
			return sent, err
		}
		if err := tx.SaveWithContext(ctx, u); err != nil {
			return sent, fmt.Errorf("bandwidth_usage %s: %w", u.Id, err)
		}
		sent++
	}
	return sent, nil
}

// reached says whether total is at least pct percent (at most 100) of
// quota, in integers with no rounding to cross early. Below the quota,
// total×100 cannot overflow for any quota under 92 PB.
func reached(total, quota int64, pct int) bool {
	return total >= quota || total*100 >= quota*int64(pct)
}

// percentOf is total as a whole percentage of quota, rounded down and
// capped at 10,000 % so it never overflows.
func percentOf(total, quota int64) int {
	if total/quota >= 100 {
		return 10_000
	}
	return int(total * 100 / quota)
}

// alert queues the customer's email about u at pct percent and, at 100 %,
// the staff notice.
func alert(ctx context.Context, tx core.App, u *core.Record, pct int) error {
	svc, err := tx.FindRecordById(provisioning.ServicesCollection, u.GetString("service"))
	if err != nil {
		return fmt.Errorf("bandwidth_usage %s: service %s: %w", u.Id, u.GetString("service"), err)
	}
	customer, err := tx.FindRecordById(customers.Collection, u.GetString("customer"))
	if err != nil {
		return fmt.Errorf("bandwidth_usage %s: customer %s: %w", u.Id, u.GetString("customer"), err)
	}
	used, quota := u.GetInt64("bytes_total"), u.GetInt64("quota_bytes")
	percent := percentOf(used, quota)
	key := fmt.Sprintf("bandwidth_usage:%s:alert_%d", u.Id, pct)
	if _, err := notify.Customer(ctx, tx, notify.Email{Key: "bandwidth_alert", Customer: customer, DedupeKey: key,
		Data: notify.Data{"Service": notify.ServiceFacts(tx, svc), "Percent": percent, "Used": used, "Quota": quota,
			"Link": notify.ServiceLink(tx, svc.Id)}}); err != nil {
		return fmt.Errorf("bandwidth alert of service %s: %w", svc.Id, err)
	}
	if pct < 100 {
		return nil
	}
	_, err = notify.Staff(ctx, tx, notify.Alert{Key: "bandwidth_over_quota", Customer: customer, DedupeKey: key + ":staff",
		Data: notify.Data{"Service": notify.ServiceFacts(tx, svc), "Used": used, "Quota": quota, "Percent": percent}})
	if err != nil {
		return fmt.Errorf("over-quota notice of service %s: %w", svc.Id, err)
	}
	return nil
}
