package provisioning_test

import (
	"testing"

	"github.com/ezscale/ezscale/internal/testutil"
)

// TestHeldCustomersJobsWait: WHMCS provisions the customers it still
// serves; a job queued for one of their services is not run here while
// they are held (it waits, and the cutover cancels what is left), and a
// job after the cutover runs.
func TestHeldCustomersJobsWait(t *testing.T) {
	w := newWorld(t)
	svc := w.service(t, "active")
	testutil.HoldForWHMCS(t, w.app, w.customer.Id, true)
	job := w.enqueue(t, svc, "suspend")
	w.drain(t)
	if got, _ := w.app.FindRecordById("provisioning_jobs", job.Id); got.GetString("status") != "pending" || len(w.platform.calls) != 0 {
		t.Fatalf("held: job %s, platform calls %v; want it pending and the platform untouched", got.GetString("status"), w.platform.calls)
	}

	testutil.HoldForWHMCS(t, w.app, w.customer.Id, false)
	w.drain(t)
	if got, _ := w.app.FindRecordById("provisioning_jobs", job.Id); got.GetString("status") != "succeeded" || len(w.platform.calls) != 1 {
		t.Fatalf("after the cutover: job %s, platform calls %v; want it run once", got.GetString("status"), w.platform.calls)
	}
}
