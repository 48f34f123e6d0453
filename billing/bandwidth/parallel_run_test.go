package bandwidth_test

import (
	"testing"

	"github.com/ezscale/ezscale/billing/bandwidth"
	"github.com/ezscale/ezscale/internal/testutil"
)

// TestHeldCustomerIsNotMeteredUntilCutover: WHMCS bills the overage of
// the customers it still serves and alerts them; this platform stores no
// usage for them (so no alert and no overage invoice) until the cutover,
// then measures their current period from its start.
func TestHeldCustomerIsNotMeteredUntilCutover(t *testing.T) {
	w := newWorld(t)
	svc := w.service(t, "metered", 100, 150, false)
	src := newSource()
	src.set(svc.Id, "2026-03-06", 120*gb, 0)
	testutil.HoldForWHMCS(t, w.app, w.customer.Id, true)

	if res := w.run(t, src, midPeriod); res.Services != 0 || res.Alerts != 0 || len(src.calls) != 0 {
		t.Fatalf("held: %+v, %d source calls; want nothing measured", res, len(src.calls))
	}
	if n := w.count(t, bandwidth.UsageCollection, "service = {:s}", map[string]any{"s": svc.Id}); n != 0 {
		t.Fatalf("held: %d usage rows", n)
	}

	testutil.HoldForWHMCS(t, w.app, w.customer.Id, false)
	if res := w.run(t, src, midPeriod); res.Services != 1 || res.Alerts == 0 {
		t.Fatalf("after the cutover: %+v; want the service measured and alerted", res)
	}
	if u := w.usage(t, svc.Id); u.GetInt64("overage_bytes") != 20*gb {
		t.Errorf("overage %d, want 20 GB", u.GetInt64("overage_bytes"))
	}
}
