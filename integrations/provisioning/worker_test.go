package provisioning_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/internal/secrets"
	"github.com/ezscale/ezscale/internal/testutil"
)

// fakePlatform counts calls and answers from a script.
type fakePlatform struct {
	mu      sync.Mutex
	creates map[string]int
	calls   []string
	fail    error
}

func (f *fakePlatform) Name() string                        { return "virtfusion" }
func (f *fakePlatform) ValidateConfig(map[string]any) error { return nil }
func (f *fakePlatform) record(call string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, call)
	return f.fail
}
func (f *fakePlatform) Create(_ context.Context, r provisioning.CreateRequest) (provisioning.Created, error) {
	if err := f.record("create " + r.ServiceID); err != nil {
		return provisioning.Created{}, err
	}
	f.mu.Lock()
	f.creates[r.ServiceID]++
	f.mu.Unlock()
	time.Sleep(2 * time.Millisecond)
	return provisioning.Created{PlatformServiceID: "vf-" + r.ServiceID, PlatformUserID: "u-" + r.Customer.ID, IPs: []string{"192.0.2.10"},
		Credentials: map[string]string{"username": "root", "password": r.Password}}, nil
}
func (f *fakePlatform) Suspend(_ context.Context, r provisioning.Ref) error {
	return f.record("suspend " + r.ServiceID)
}
func (f *fakePlatform) Unsuspend(_ context.Context, r provisioning.Ref) error {
	return f.record("unsuspend " + r.ServiceID)
}
func (f *fakePlatform) Terminate(_ context.Context, r provisioning.Ref) error {
	return f.record("terminate " + r.ServiceID)
}
func (f *fakePlatform) ChangePlan(_ context.Context, r provisioning.Ref, _ map[string]any) error {
	return f.record("change " + r.ServiceID)
}
func (f *fakePlatform) Status(context.Context, []provisioning.Ref) (map[string]provisioning.Status, error) {
	return nil, nil
}
func (f *fakePlatform) Power(context.Context, provisioning.Ref, string) error { return nil }
func (f *fakePlatform) LoginURL(context.Context, provisioning.Ref) (string, error) {
	return "", provisioning.ErrNotSupported
}

type world struct {
	app      core.App
	platform *fakePlatform
	worker   *provisioning.Worker
	customer *core.Record
	plan     *core.Record
}

func newWorld(t *testing.T) *world {
	t.Helper()
	app := testutil.NewApp(t)
	box, _ := secrets.New([]byte("0123456789abcdef0123456789abcdef"))
	p := &fakePlatform{creates: map[string]int{}}
	plan, _ := testutil.Plan(t, app, "vps", "USD", 1000)
	return &world{app: app, platform: p, customer: testutil.Customer(t, app, "a@example.com", "USD"), plan: plan,
		worker: &provisioning.Worker{App: app, Drivers: map[string]provisioning.Provisioner{"virtfusion": p}, Box: box,
			Workers: 4, BaseDelay: time.Minute}}
}

func (w *world) service(t *testing.T, status string) *core.Record {
	t.Helper()
	return testutil.Create(t, w.app, "services", map[string]any{"customer": w.customer.Id, "plan": w.plan.Id,
		"service_type": "vps", "platform": "virtfusion", "status": status})
}

func (w *world) enqueue(t *testing.T, svc *core.Record, action provisioning.Action) *core.Record {
	t.Helper()
	job, err := provisioning.Enqueue(context.Background(), w.app, provisioning.Job{ServiceID: svc.Id, Action: action,
		DedupeKey: string(action) + ":" + svc.Id, RunAfter: time.Now().UTC().Add(-time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	return job
}

// drain runs the pool until no job is due.
func (w *world) drain(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func(n int) {
			defer wg.Done()
			for ctx.Err() == nil {
				job, err := w.worker.Claim(fmt.Sprintf("w%d", n))
				if err != nil {
					t.Error(err)
					return
				}
				if job == nil {
					return
				}
				w.worker.Process(ctx, job)
			}
		}(i)
	}
	wg.Wait()
}

func TestPoolRunsEachJobOnce(t *testing.T) {
	w := newWorld(t)
	var svcs []*core.Record
	for i := 0; i < 50; i++ {
		svc := w.service(t, "provisioning")
		w.enqueue(t, svc, provisioning.ActionCreate)
		svcs = append(svcs, svc)
	}
	w.drain(t)
	box, _ := secrets.New([]byte("0123456789abcdef0123456789abcdef"))
	for _, s := range svcs {
		if n := w.platform.creates[s.Id]; n != 1 {
			t.Fatalf("service %s created %d times", s.Id, n)
		}
		fresh, _ := w.app.FindRecordById("services", s.Id)
		if fresh.GetString("status") != "active" || fresh.GetString("platform_service_id") != "vf-"+s.Id {
			t.Fatalf("service after create: %v", fresh.FieldsData())
		}
		creds, err := box.Open(fresh.GetString("credentials"))
		if err != nil || creds["username"] != "root" || len(creds["password"]) != 20 {
			t.Fatalf("credentials: %v %v", creds, err)
		}
	}
	if n, _ := w.app.CountRecords("provisioning_jobs", dbx.HashExp{"status": "succeeded"}); n != 50 {
		t.Errorf("%d jobs succeeded", n)
	}
	ready, _ := w.app.FindAllRecords("outbox", dbx.HashExp{"template": "service_ready"})
	if len(ready) != 50 || strings.Contains(ready[0].GetString("body_text")+ready[0].GetString("subject"), "root") {
		t.Errorf("%d service-ready emails; no secret may sit in the outbox", len(ready))
	}
}

func TestJobsOfOneServiceRunInOrder(t *testing.T) {
	w := newWorld(t)
	svc := w.service(t, "active")
	w.enqueue(t, svc, provisioning.ActionSuspend)
	w.enqueue(t, svc, provisioning.ActionUnsuspend)
	w.enqueue(t, svc, provisioning.ActionTerminate)
	w.drain(t)
	want := fmt.Sprint([]string{"suspend " + svc.Id, "unsuspend " + svc.Id, "terminate " + svc.Id})
	if got := fmt.Sprint(w.platform.calls); got != want {
		t.Errorf("calls %s, want %s", got, want)
	}
	if fresh, _ := w.app.FindRecordById("services", svc.Id); fresh.GetString("status") != "terminated" {
		t.Errorf("status %s", fresh.GetString("status"))
	}
}

func TestFailuresRetryOrFail(t *testing.T) {
	w := newWorld(t)
	svc := w.service(t, "active")
	job := w.enqueue(t, svc, provisioning.ActionSuspend)

	w.platform.fail = &provisioning.Error{Status: 503, Message: "503 from the panel"}
	w.drain(t)
	job, _ = w.app.FindRecordById("provisioning_jobs", job.Id)
	if job.GetString("status") != "pending" || job.GetDateTime("run_after").Time().Before(time.Now().Add(50*time.Second)) {
		t.Errorf("after a 5xx: %s, run after %v", job.GetString("status"), job.GetDateTime("run_after"))
	}

	w.platform.fail = &provisioning.Error{Status: 429, RetryAfter: 7 * time.Second, Message: "429"}
	job.Set("run_after", time.Now().UTC().Add(-time.Second))
	_ = w.app.Save(job)
	w.drain(t)
	job, _ = w.app.FindRecordById("provisioning_jobs", job.Id)
	if d := time.Until(job.GetDateTime("run_after").Time()); d < 5*time.Second || d > 8*time.Second {
		t.Errorf("Retry-After not honoured: due in %v", d)
	}

	w.platform.fail = &provisioning.Error{Status: 401, Permanent: true, Message: "401 invalid API token"}
	job.Set("run_after", time.Now().UTC().Add(-time.Second))
	_ = w.app.Save(job)
	w.drain(t)
	job, _ = w.app.FindRecordById("provisioning_jobs", job.Id)
	if job.GetString("status") != "failed" || job.GetString("last_error") != "401 invalid API token" {
		t.Errorf("wrong key: %s %q", job.GetString("status"), job.GetString("last_error"))
	}
	if _, err := w.app.FindFirstRecordByFilter("outbox", "template = 'provisioning_failed'"); err != nil {
		t.Error("no staff alert for a failed job")
	}
}

func TestCrashedJobIsTakenUpAfterItsLease(t *testing.T) {
	w := newWorld(t)
	svc := w.service(t, "provisioning")
	job := w.enqueue(t, svc, provisioning.ActionCreate)
	// A worker claimed it and died.
	job.Set("status", "running")
	job.Set("locked_at", time.Now().UTC().Add(-time.Hour))
	_ = w.app.Save(job)
	w.drain(t)
	if n := w.platform.creates[svc.Id]; n != 1 {
		t.Errorf("a crashed job ran %d times after restart", n)
	}
	// One still within its lease is left alone.
	svc2 := w.service(t, "provisioning")
	job2 := w.enqueue(t, svc2, provisioning.ActionCreate)
	job2.Set("status", "running")
	job2.Set("locked_at", time.Now().UTC())
	_ = w.app.Save(job2)
	w.drain(t)
	if n := w.platform.creates[svc2.Id]; n != 0 {
		t.Error("a job still running elsewhere was run again")
	}
}

func TestManualPlatformAlertsStaff(t *testing.T) {
	w := newWorld(t)
	w.worker.Drivers["manual"] = provisioning.Manual{}
	svc := testutil.Create(t, w.app, "services", map[string]any{"customer": w.customer.Id, "plan": w.plan.Id,
		"service_type": "dedicated", "platform": "manual", "status": "provisioning"})
	job := w.enqueue(t, svc, provisioning.ActionCreate)
	w.drain(t)
	job, _ = w.app.FindRecordById("provisioning_jobs", job.Id)
	if job.GetString("status") != "failed" || !strings.Contains(job.GetString("last_error"), "staff must set up") {
		t.Errorf("manual create: %s %q", job.GetString("status"), job.GetString("last_error"))
	}
}
