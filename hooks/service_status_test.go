package hooks_test

import (
	"net/http"
	"strings"
	"testing"
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
