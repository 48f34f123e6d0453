package provisioning_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/integrations/pterodactyl"
	"github.com/ezscale/ezscale/integrations/pterodactyl/pterodactylsim"
	"github.com/ezscale/ezscale/internal/testutil"
)

// A game server whose node stays down is still terminated: the queue
// retries the panel's delete, force-deletes on the last attempt, and tells
// staff in the same transaction that records the termination.
func TestTerminateForceDeletesOnTheLastAttempt(t *testing.T) {
	sim := pterodactylsim.New("ptla_test", "ptlc_test")
	url, stop := sim.Start()
	t.Cleanup(stop)
	driver, err := pterodactyl.New(pterodactyl.Config{URL: url, AppKey: "ptla_test", ClientKey: "ptlc_test",
		HTTPClient: &http.Client{Timeout: 5 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	w := newWorld(t)
	w.worker.Drivers = map[string]provisioning.Provisioner{"pterodactyl": driver}
	config := map[string]any{"location_id": 1, "nest_id": 1, "eggs": map[string]any{"minecraft": 5},
		"limits":         map[string]any{"memory": 1024, "swap": 0, "disk": 4096, "io": 500, "cpu": 100},
		"feature_limits": map[string]any{"databases": 0, "backups": 0}}
	plan := testutil.Create(t, w.app, "plans", map[string]any{"name": "Minecraft", "slug": "mc", "service_type": "game_server",
		"platform": "pterodactyl", "status": "active", "platform_config": config})
	svc := testutil.Create(t, w.app, "services", map[string]any{"customer": w.customer.Id, "plan": plan.Id,
		"service_type": "game_server", "platform": "pterodactyl", "status": "active"})
	created, err := driver.Create(context.Background(), provisioning.CreateRequest{ServiceID: svc.Id, Config: config,
		Customer: provisioning.Customer{ID: w.customer.Id, Email: w.customer.Email(), Name: "A"}})
	if err != nil {
		t.Fatal(err)
	}
	svc.Set("platform_service_id", created.PlatformServiceID)
	if err := w.app.Save(svc); err != nil {
		t.Fatal(err)
	}

	sim.SetNodeDown(true)
	job := w.enqueue(t, svc, provisioning.ActionTerminate)
	job.Set("max_attempts", 2)
	if err := w.app.Save(job); err != nil {
		t.Fatal(err)
	}
	w.drain(t)
	job, _ = w.app.FindRecordById(provisioning.Collection, job.Id)
	if job.GetString("status") != "pending" || !strings.Contains(job.GetString("last_error"), "DaemonConnectionException") {
		t.Fatalf("first attempt: %s %q, want a retry", job.GetString("status"), job.GetString("last_error"))
	}
	if _, ok := sim.Server(svc.Id); !ok {
		t.Fatal("the first attempt force-deleted the server")
	}
	if n, _ := w.app.CountRecords("outbox", nil); n != 0 {
		t.Fatalf("%d messages queued after a retryable failure", n)
	}

	job.Set("run_after", time.Now().UTC().Add(-time.Second))
	if err := w.app.Save(job); err != nil {
		t.Fatal(err)
	}
	w.drain(t)
	job, _ = w.app.FindRecordById(provisioning.Collection, job.Id)
	svc, _ = w.app.FindRecordById("services", svc.Id)
	if job.GetString("status") != "succeeded" || svc.GetString("status") != "terminated" {
		t.Fatalf("last attempt: job %s (%q), service %s", job.GetString("status"), job.GetString("last_error"), svc.GetString("status"))
	}
	if _, ok := sim.Server(svc.Id); ok {
		t.Fatal("the server is still on the panel")
	}
	notice, err := w.app.FindFirstRecordByFilter("outbox", "template = 'provisioning_notice'")
	if err != nil {
		t.Fatal("staff were not told about the force delete")
	}
	if body := notice.GetString("body_text") + notice.GetString("subject"); !strings.Contains(body, "force-deleted") ||
		!strings.Contains(body, svc.Id) {
		t.Errorf("staff notice %q", body)
	}
}
