package hooks_test

import (
	"net/http"
	"testing"

	"github.com/pocketbase/dbx"
)

// TestDashboardTerminationEndsTheSubscription: a service staff terminate by
// editing its status in the dashboard must not go on being billed — its
// subscription is cancelled with it, and one terminate job is queued.
func TestDashboardTerminationEndsTheSubscription(t *testing.T) {
	w := newOrderWorld(t)
	svc := activeService(t, w.app, w.alice, w.vpsUSD)
	res := w.api.Do(http.MethodPatch, "/api/collections/services/records/"+svc.Id, w.staffTok, map[string]any{"status": "terminated"})
	if res.Status != http.StatusOK {
		t.Fatalf("terminate: %d %s", res.Status, res.Body)
	}
	sub, err := w.app.FindRecordById("subscriptions", svc.GetString("subscription"))
	if err != nil {
		t.Fatal(err)
	}
	if sub.GetString("status") != "cancelled" || sub.GetDateTime("cancelled_at").IsZero() {
		t.Errorf("subscription %s after termination, want cancelled now", sub.GetString("status"))
	}
	jobs, err := w.app.CountRecords("provisioning_jobs", dbx.HashExp{"service": svc.Id, "action": "terminate"})
	if err != nil {
		t.Fatal(err)
	}
	if jobs != 1 {
		t.Errorf("%d terminate jobs, want 1", jobs)
	}
}
