package provisioning_test

import (
	"context"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/integrations/provisioning"
)

// racingPlatform runs during while a platform call is in flight, as staff
// or another job would change the service meanwhile.
type racingPlatform struct {
	*fakePlatform
	during func()
	status map[string]provisioning.Status
}

func (r *racingPlatform) race() {
	if r.during != nil {
		r.during()
	}
}
func (r *racingPlatform) Create(ctx context.Context, req provisioning.CreateRequest) (provisioning.Created, error) {
	r.race()
	return r.fakePlatform.Create(ctx, req)
}
func (r *racingPlatform) Unsuspend(ctx context.Context, ref provisioning.Ref) error {
	r.race()
	return r.fakePlatform.Unsuspend(ctx, ref)
}
func (r *racingPlatform) ChangePlan(ctx context.Context, ref provisioning.Ref, cfg map[string]any) error {
	r.race()
	return r.fakePlatform.ChangePlan(ctx, ref, cfg)
}
func (r *racingPlatform) Status(context.Context, []provisioning.Ref) (map[string]provisioning.Status, error) {
	r.race()
	return r.status, nil
}

// update changes a service as staff would in the dashboard, meanwhile.
func update(t *testing.T, app core.App, id string, fields map[string]any) {
	t.Helper()
	svc, err := app.FindRecordById("services", id)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range fields {
		svc.Set(k, v)
	}
	if err := app.Save(svc); err != nil {
		t.Fatal(err)
	}
}

func TestStaffSuspensionDuringAJobSurvives(t *testing.T) {
	cases := []struct {
		name           string
		action         provisioning.Action
		status, reason string
	}{
		// Paid while suspended for non-payment; staff suspend it for abuse meanwhile.
		{"unsuspend after payment", provisioning.ActionUnsuspend, "suspended", "overdue"},
		// Staff brought it back, then suspended it again before the platform answered.
		{"unsuspend by staff", provisioning.ActionUnsuspend, "active", ""},
		{"change plan", provisioning.ActionChangePlan, "active", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			svc := w.service(t, tc.status)
			update(t, w.app, svc.Id, map[string]any{"suspend_reason": tc.reason, "platform_service_id": "vf-1"})
			w.worker.Drivers["virtfusion"] = &racingPlatform{fakePlatform: w.platform, during: func() {
				update(t, w.app, svc.Id, map[string]any{"status": "suspended", "suspend_reason": "abuse"})
			}}
			job := w.enqueue(t, svc, tc.action)
			w.drain(t)
			job, _ = w.app.FindRecordById(provisioning.Collection, job.Id)
			got, _ := w.app.FindRecordById("services", svc.Id)
			if job.GetString("status") != "succeeded" {
				t.Fatalf("job %s: %s", job.GetString("status"), job.GetString("last_error"))
			}
			if got.GetString("status") != "suspended" || got.GetString("suspend_reason") != "abuse" {
				t.Errorf("staff's suspension was overwritten: %s (%s)", got.GetString("status"), got.GetString("suspend_reason"))
			}
			if n, _ := w.app.CountRecords("outbox", dbx.NewExp("template != 'service_suspended'")); n != 0 {
				t.Errorf("%d notices about a change that did not stick", n)
			}
			// The platform lifted a suspension staff still want: it is
			// suspended there again.
			resuspended, _ := w.app.CountRecords(provisioning.Collection, dbx.HashExp{"action": provisioning.ActionSuspend, "status": "succeeded"})
			want := int64(0)
			if tc.action == provisioning.ActionUnsuspend {
				want = 1
			}
			if resuspended != want {
				t.Errorf("suspend jobs run after the %s: %d, want %d", tc.action, resuspended, want)
			}
		})
	}
}

func TestUnsuspendAfterPaymentLiftsTheOverdueSuspension(t *testing.T) {
	w := newWorld(t)
	svc := w.service(t, "suspended")
	update(t, w.app, svc.Id, map[string]any{"suspend_reason": "overdue", "platform_service_id": "vf-1"})
	w.enqueue(t, svc, provisioning.ActionUnsuspend)
	w.drain(t)
	got, _ := w.app.FindRecordById("services", svc.Id)
	if got.GetString("status") != "active" || got.GetString("suspend_reason") != "" {
		t.Errorf("after the unsuspend job: %s (%s)", got.GetString("status"), got.GetString("suspend_reason"))
	}
}

func TestStatusSyncDuringACreateKeepsBothResults(t *testing.T) {
	w := newWorld(t)
	svc := w.service(t, "provisioning")
	w.worker.Drivers["virtfusion"] = &racingPlatform{fakePlatform: w.platform, during: func() {
		update(t, w.app, svc.Id, map[string]any{"power_state": "online", "cpu_percent": 40, "staff_notes": "rack 7"})
	}}
	w.enqueue(t, svc, provisioning.ActionCreate)
	w.drain(t)
	got, _ := w.app.FindRecordById("services", svc.Id)
	if got.GetString("platform_service_id") != "vf-"+svc.Id || got.GetString("status") != "active" || got.GetString("credentials") == "" {
		t.Errorf("the create's result: %q %s", got.GetString("platform_service_id"), got.GetString("status"))
	}
	if got.GetString("power_state") != "online" || got.GetFloat("cpu_percent") != 40 || got.GetString("staff_notes") != "rack 7" {
		t.Errorf("the change made during the create was lost: %s %v %q", got.GetString("power_state"), got.GetFloat("cpu_percent"), got.GetString("staff_notes"))
	}
}

func TestStatusSyncKeepsChangesMadeWhileThePlatformAnswers(t *testing.T) {
	w := newWorld(t)
	svc := w.service(t, "active")
	update(t, w.app, svc.Id, map[string]any{"platform_service_id": "vf-old"})
	p := &racingPlatform{fakePlatform: w.platform, status: map[string]provisioning.Status{svc.Id: {State: "online", CPUPercent: 12.5}}}
	p.during = func() {
		update(t, w.app, svc.Id, map[string]any{"status": "suspended", "suspend_reason": "staff", "platform_service_id": "vf-new"})
	}
	s := &provisioning.Syncer{App: w.app, Drivers: map[string]provisioning.Provisioner{"virtfusion": p}}
	if res, err := s.Run(context.Background()); err != nil || res.Changed != 1 {
		t.Fatalf("sync: %+v %v", res, err)
	}
	got, _ := w.app.FindRecordById("services", svc.Id)
	if got.GetString("status") != "suspended" || got.GetString("suspend_reason") != "staff" || got.GetString("platform_service_id") != "vf-new" {
		t.Errorf("the sync wrote back what it read: %s (%s) %s", got.GetString("status"), got.GetString("suspend_reason"), got.GetString("platform_service_id"))
	}
	if got.GetString("power_state") != "online" || got.GetFloat("cpu_percent") != 12.5 {
		t.Errorf("the sync's own result: %s %v", got.GetString("power_state"), got.GetFloat("cpu_percent"))
	}
}

// Staff suspending a service while its unsuspend runs queue a suspend of
// their own: it runs after, and no second one is added.
func TestStaffSuspendQueuedDuringAnUnsuspendRunsOnce(t *testing.T) {
	w := newWorld(t)
	svc := w.service(t, "suspended")
	update(t, w.app, svc.Id, map[string]any{"suspend_reason": "overdue", "platform_service_id": "vf-1"})
	w.worker.Drivers["virtfusion"] = &racingPlatform{fakePlatform: w.platform, during: func() {
		update(t, w.app, svc.Id, map[string]any{"suspend_reason": "abuse"})
		w.enqueue(t, svc, provisioning.ActionSuspend)
	}}
	w.enqueue(t, svc, provisioning.ActionUnsuspend)
	w.drain(t)
	if n, _ := w.app.CountRecords(provisioning.Collection, dbx.HashExp{"action": provisioning.ActionSuspend}); n != 1 {
		t.Errorf("suspend jobs: %d, want staff's one", n)
	}
}
