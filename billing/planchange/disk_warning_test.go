package planchange_test

import (
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/planchange"
	"github.com/ezscale/ezscale/internal/testutil"
)

// A downgrade to a plan with less disk than the service uses is quoted
// with a warning naming both sizes; one that fits, or to a plan that does
// not state its disk, is quoted without.
func TestQuoteWarnsWhenTargetDiskTooSmall(t *testing.T) {
	w := newWorld(t)
	setDisk := func(price *core.Record, mb int) {
		t.Helper()
		plan, err := w.app.FindRecordById("plans", price.GetString("plan"))
		if err != nil {
			t.Fatal(err)
		}
		plan.Set("disk_mb", mb)
		if err := w.app.Save(plan); err != nil {
			t.Fatal(err)
		}
	}
	setDisk(w.small, 40*1024)
	setDisk(w.large, 80*1024)

	cases := []struct {
		name   string
		usedMB int
		to     *core.Record
		want   bool
	}{
		{"downgrade beyond the new disk", 50 * 1024, w.small, true},
		{"downgrade that fits", 30 * 1024, w.small, false},
		{"exactly the new disk", 40 * 1024, w.small, false},
		{"plan without a stated disk", 500 * 1024, w.large, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			from := w.huge
			if c.to == w.large {
				setDisk(w.large, 0)
			}
			svc := w.service(t, from)
			svc.Set("disk_used_mb", c.usedMB)
			if err := w.app.Save(svc); err != nil {
				t.Fatal(err)
			}
			q, err := planchange.QuoteChange(w.app, svc, c.to.Id, half)
			if err != nil {
				t.Fatal(err)
			}
			if q.Kind != planchange.KindDowngrade {
				t.Fatalf("kind = %s, want a downgrade", q.Kind)
			}
			if !c.want {
				if len(q.Warnings) != 0 {
					t.Fatalf("warnings = %+v, want none", q.Warnings)
				}
				return
			}
			if len(q.Warnings) != 1 {
				t.Fatalf("warnings = %+v, want one", q.Warnings)
			}
			got := q.Warnings[0]
			if got.Code != planchange.WarningDiskTooSmall || got.UsedMB != int64(c.usedMB) || got.PlanMB != 40*1024 ||
				!strings.Contains(got.Message, "40 GB") || !strings.Contains(got.Message, "50 GB") {
				t.Fatalf("warning = %+v", got)
			}
		})
	}
}

// A game server plan states its disk in the Pterodactyl limits of its
// platform config; the quote reads it there when disk_mb is not set.
func TestPlanDiskFromGameServerLimits(t *testing.T) {
	app := testutil.NewApp(t)
	plan := testutil.Create(t, app, "plans", map[string]any{"name": "mc", "slug": "mc", "service_type": "game_server",
		"platform": "pterodactyl", "status": "active", "platform_config": map[string]any{"limits": map[string]int{"disk": 10240}}})
	if got := planchange.PlanDiskMB(plan); got != 10240 {
		t.Fatalf("disk = %d, want 10240 from limits.disk", got)
	}
	plan.Set("disk_mb", 20480)
	if got := planchange.PlanDiskMB(plan); got != 20480 {
		t.Fatalf("disk = %d, want disk_mb 20480 first", got)
	}
}
