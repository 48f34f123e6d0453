package hooks_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/ezscale/ezscale/internal/testutil"
)

func TestStaffStatusEditsQueuePlatformActions(t *testing.T) {
	w := newOrderWorld(t)
	svc := activeService(t, w.app, w.alice, w.vpsUSD)
	url := "/api/collections/services/records/" + svc.Id
	steps := []struct {
		body   map[string]any
		status int
		action string
		reason string
	}{
		{map[string]any{"status": "suspended", "suspend_reason": "abuse"}, 200, "suspend", "abuse"},
		{map[string]any{"status": "active"}, 200, "unsuspend", ""},
		{map[string]any{"status": "suspended"}, 200, "suspend", "staff"},
		{map[string]any{"status": "terminated"}, 200, "terminate", "staff"},
		{map[string]any{"status": "active"}, 400, "", "staff"},
	}
	for i, s := range steps {
		res := w.api.Do(http.MethodPatch, url, w.staffTok, s.body)
		if res.Status != s.status {
			t.Fatalf("step %d %v: %d %s", i, s.body, res.Status, res.Body)
		}
		fresh, _ := w.app.FindRecordById("services", svc.Id)
		if fresh.GetString("suspend_reason") != s.reason {
			t.Errorf("step %d: reason %q, want %q", i, fresh.GetString("suspend_reason"), s.reason)
		}
		if s.action != "" {
			if _, err := w.app.FindFirstRecordByFilter("provisioning_jobs", "service = {:s} && action = {:a} && requested_by ~ 'staff'",
				map[string]any{"s": svc.Id, "a": s.action}); err != nil {
				t.Errorf("step %d: no %s job", i, s.action)
			}
		} else if !strings.Contains(string(res.Body), "cannot go from terminated to active") {
			t.Errorf("refusal message: %s", res.Body)
		}
	}
}

func TestStaffRetryOfAFailedJob(t *testing.T) {
	w := newOrderWorld(t)
	svc := activeService(t, w.app, w.alice, w.vpsUSD)
	job := testutil.Create(t, w.app, "provisioning_jobs", map[string]any{"service": svc.Id, "action": "suspend", "status": "failed",
		"attempts": 8, "max_attempts": 8, "last_error": "503", "run_after": "2026-01-01 00:00:00.000Z"})
	res := w.api.Do(http.MethodPatch, "/api/collections/provisioning_jobs/records/"+job.Id, w.staffTok, map[string]any{"status": "pending"})
	if res.Status != 200 {
		t.Fatalf("retry: %d %s", res.Status, res.Body)
	}
	job, _ = w.app.FindRecordById("provisioning_jobs", job.Id)
	if job.GetInt("attempts") != 0 || job.GetDateTime("run_after").Time().Year() == 2026 && job.GetDateTime("run_after").Time().Month() == 1 {
		t.Errorf("retried job: attempts %d run_after %v", job.GetInt("attempts"), job.GetDateTime("run_after"))
	}
}
