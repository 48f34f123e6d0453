package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Bandwidth overage billing (billing/bandwidth): how long a draft overage
// invoice waits for staff to waive lines before it is issued, and a
// shorter settle delay. ElastiFlow's flow records arrive within minutes,
// so six hours after a period ends its traffic is complete; the first
// default of 24 hours is lowered only where staff never changed it.
func init() {
	m.Register(func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("settings")
		if err != nil {
			return err
		}
		c.Fields.Add(&core.NumberField{Name: "bandwidth_overage_review_hours", OnlyInt: true, Min: zero,
			Help: "hours a draft overage invoice waits for staff to waive lines before it is issued; 0 = at once"})
		if err := app.Save(c); err != nil {
			return err
		}
		return setBandwidthSettings(app, func(r *core.Record) {
			r.Set("bandwidth_overage_review_hours", 24)
			if r.GetInt("bandwidth_settle_hours") == 24 {
				r.Set("bandwidth_settle_hours", 6)
			}
		})
	}, func(app core.App) error {
		if err := setBandwidthSettings(app, func(r *core.Record) {
			if r.GetInt("bandwidth_settle_hours") == 6 {
				r.Set("bandwidth_settle_hours", 24)
			}
		}); err != nil {
			return err
		}
		c, err := app.FindCollectionByNameOrId("settings")
		if err != nil {
			return err
		}
		c.Fields.RemoveByName("bandwidth_overage_review_hours")
		return app.Save(c)
	})
}

// setBandwidthSettings changes the settings record, if there is one.
func setBandwidthSettings(app core.App, change func(*core.Record)) error {
	recs, err := app.FindAllRecords("settings")
	if err != nil {
		return err
	}
	for _, r := range recs {
		change(r)
		if err := app.Save(r); err != nil {
			return err
		}
	}
	return nil
}
