package provisioning_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/integrations/pterodactyl"
	"github.com/ezscale/ezscale/integrations/pterodactyl/pterodactylsim"
	"github.com/ezscale/ezscale/integrations/synergycp"
	"github.com/ezscale/ezscale/integrations/synergycp/synergycpsim"
	"github.com/ezscale/ezscale/integrations/virtfusion"
	"github.com/ezscale/ezscale/integrations/virtfusion/virtfusionsim"
	"github.com/ezscale/ezscale/internal/secrets"
	"github.com/ezscale/ezscale/internal/testutil"
)

// reinstallRig is one service built on a platform's simulator through the
// queue, ready to be reinstalled.
type reinstallRig struct {
	app    core.App
	box    *secrets.Box
	worker *provisioning.Worker
	svc    *core.Record
}

func newReinstallRig(t *testing.T, platform, serviceType string, driver provisioning.Provisioner, config, options map[string]any) *reinstallRig {
	t.Helper()
	app := testutil.NewApp(t)
	box, _ := secrets.New([]byte("0123456789abcdef0123456789abcdef"))
	customer := testutil.Customer(t, app, "reinstall@example.com", "USD")
	plan := testutil.Create(t, app, "plans", map[string]any{"name": "Plan " + platform, "slug": platform, "service_type": serviceType,
		"platform": platform, "status": "active", "platform_config": config})
	svc := testutil.Create(t, app, "services", map[string]any{"customer": customer.Id, "plan": plan.Id, "service_type": serviceType,
		"platform": platform, "status": "provisioning", "options": options, "hostname": "box1.example.com"})
	r := &reinstallRig{app: app, box: box, svc: svc, worker: &provisioning.Worker{App: app, Box: box, Workers: 1, BaseDelay: time.Minute,
		Timeout: 5 * time.Second, Drivers: map[string]provisioning.Provisioner{platform: driver}}}
	if _, err := provisioning.Enqueue(context.Background(), app, provisioning.Job{ServiceID: svc.Id, Action: provisioning.ActionCreate,
		RunAfter: time.Now().UTC().Add(-time.Second)}); err != nil {
		t.Fatal(err)
	}
	r.run(t)
	if r.service(t).GetString("status") != "active" {
		t.Fatalf("service not built: %v", r.service(t).FieldsData())
	}
	return r
}

// run works every due job, one at a time.
func (r *reinstallRig) run(t *testing.T) {
	t.Helper()
	for i := 0; i < 20; i++ {
		job, err := r.worker.Claim("test")
		if err != nil {
			t.Fatal(err)
		}
		if job == nil {
			return
		}
		r.worker.Process(context.Background(), job)
	}
	t.Fatal("the queue never emptied")
}

func (r *reinstallRig) service(t *testing.T) *core.Record {
	t.Helper()
	svc, err := r.app.FindRecordById("services", r.svc.Id)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func (r *reinstallRig) ref(t *testing.T) provisioning.Ref {
	svc := r.service(t)
	return provisioning.Ref{ServiceID: svc.Id, PlatformServiceID: svc.GetString("platform_service_id"), PlatformUserID: svc.GetString("platform_user_id")}
}

func (r *reinstallRig) request(t *testing.T, id, name string) *core.Record {
	t.Helper()
	job, err := provisioning.RequestReinstall(context.Background(), r.app, r.service(t), provisioning.ReinstallChoice{ID: id, Name: name}, nil, "test")
	if err != nil {
		t.Fatal(err)
	}
	if !r.service(t).GetBool("reinstalling") || !provisioning.ReinstallQueued(r.app, r.svc.Id) {
		t.Fatal("a requested reinstall does not show")
	}
	// Due now (Enqueue stamps the app clock, which may be a little ahead).
	job.Set("run_after", time.Now().UTC().Add(-time.Second))
	if err := r.app.Save(job); err != nil {
		t.Fatal(err)
	}
	return job
}

// due makes a job waiting for its retry due now.
func (r *reinstallRig) due(t *testing.T, job *core.Record) *core.Record {
	t.Helper()
	job, _ = r.app.FindRecordById(provisioning.Collection, job.Id)
	job.Set("run_after", time.Now().UTC().Add(-time.Second))
	if err := r.app.Save(job); err != nil {
		t.Fatal(err)
	}
	return job
}

func (r *reinstallRig) job(t *testing.T, job *core.Record) *core.Record {
	t.Helper()
	job, err := r.app.FindRecordById(provisioning.Collection, job.Id)
	if err != nil {
		t.Fatal(err)
	}
	return job
}

func (r *reinstallRig) credentials(t *testing.T) map[string]string {
	t.Helper()
	creds, err := r.box.Open(r.service(t).GetString("credentials"))
	if err != nil {
		t.Fatal(err)
	}
	return creds
}

func (r *reinstallRig) option(t *testing.T, key string) string {
	t.Helper()
	options := map[string]any{}
	_ = r.service(t).UnmarshalJSONField("options", &options)
	s, _ := options[key].(string)
	return s
}

// expectDone checks a finished reinstall: job succeeded, the service no
// longer reinstalling and recording what was installed.
func (r *reinstallRig) expectDone(t *testing.T, job *core.Record, key, installed string) {
	t.Helper()
	if j := r.job(t, job); j.GetString("status") != "succeeded" {
		t.Fatalf("reinstall job %s: %s", j.GetString("status"), j.GetString("last_error"))
	}
	if r.service(t).GetBool("reinstalling") || provisioning.ReinstallQueued(r.app, r.svc.Id) {
		t.Error("the service still shows reinstalling")
	}
	if got := r.option(t, key); got != installed {
		t.Errorf("options.%s = %q, want %q", key, got, installed)
	}
}

// expectRetry checks a job that failed for now: waiting, still showing.
func (r *reinstallRig) expectRetry(t *testing.T, job *core.Record) {
	t.Helper()
	j := r.job(t, job)
	if j.GetString("status") != "pending" || !j.GetDateTime("run_after").Time().After(time.Now()) {
		t.Fatalf("after a passing failure: %s, due %v (%s)", j.GetString("status"), j.GetDateTime("run_after"), j.GetString("last_error"))
	}
	if !r.service(t).GetBool("reinstalling") {
		t.Error("a reinstall waiting for its retry stopped showing")
	}
}

// expectFailed checks a refused job: failed at once, the flag cleared.
func (r *reinstallRig) expectFailed(t *testing.T, job *core.Record, errPart string) {
	t.Helper()
	j := r.job(t, job)
	if j.GetString("status") != "failed" || !strings.Contains(j.GetString("last_error"), errPart) {
		t.Fatalf("refused reinstall: %s %q, want failed with %q", j.GetString("status"), j.GetString("last_error"), errPart)
	}
	if r.service(t).GetBool("reinstalling") {
		t.Error("a failed reinstall still shows reinstalling")
	}
}

func virtfusionRig(t *testing.T) (*reinstallRig, *virtfusionsim.Simulator, int) {
	sim := virtfusionsim.New("vf-token")
	u, stop := sim.Start()
	t.Cleanup(stop)
	drv, err := virtfusion.New(virtfusion.Config{URL: u, Token: "vf-token"})
	if err != nil {
		t.Fatal(err)
	}
	r := newReinstallRig(t, "virtfusion", "vps", drv, map[string]any{"package_id": 1, "hypervisor_group_id": 1,
		"os_templates": map[string]any{"debian-12": 1, "ubuntu-24.04": 2}}, map[string]any{"os": "debian-12", "hostname": "box1.example.com"})
	id, _ := strconv.Atoi(r.service(t).GetString("platform_service_id"))
	return r, sim, id
}

func TestReinstallVirtFusionRebuildsWithTheChosenTemplate(t *testing.T) {
	r, sim, id := virtfusionRig(t)
	choices, err := r.worker.Drivers["virtfusion"].(provisioning.Reinstaller).ReinstallChoices(context.Background(), r.ref(t),
		map[string]any{"package_id": 1, "hypervisor_group_id": 1, "os_templates": map[string]any{"debian-12": 1}})
	if err != nil || len(choices) != 4 {
		t.Fatalf("choices %v %v", choices, err)
	}
	for _, c := range choices {
		if c.Current != (c.ID == "1") {
			t.Errorf("choice %+v: the installed template is 1", c)
		}
	}
	oldPassword := r.credentials(t)["password"]

	job := r.request(t, "2", "Ubuntu Server 24.04 LTS")
	r.run(t)
	r.expectDone(t, job, "os", "ubuntu-24.04") // the plan's name for template 2
	template, rebuilds, password, _ := sim.ServerOS(id)
	if template != 2 || rebuilds != 1 {
		t.Fatalf("simulator: template %d after %d rebuilds", template, rebuilds)
	}
	if creds := r.credentials(t); creds["password"] != password || password == oldPassword || creds["username"] != "root" {
		t.Errorf("credentials after the rebuild: %v, the server's password %q", creds, password)
	}

	// A template the plan does not name is recorded by VirtFusion's name.
	job = r.request(t, "4", "Rocky Linux 9")
	r.run(t)
	r.expectDone(t, job, "os", "Rocky Linux 9")
}

func TestReinstallVirtFusionFailuresRetryOrFail(t *testing.T) {
	r, sim, id := virtfusionRig(t)

	job := r.request(t, "2", "Ubuntu")
	sim.FailNext(1, http.StatusServiceUnavailable, 0)
	r.run(t)
	r.expectRetry(t, job)
	sim.FailNext(1, http.StatusTooManyRequests, 7*time.Second)
	r.due(t, job)
	r.run(t)
	r.expectRetry(t, job)
	if d := time.Until(r.job(t, job).GetDateTime("run_after").Time()); d < 5*time.Second || d > 8*time.Second {
		t.Errorf("Retry-After not honoured: due in %v", d)
	}
	if _, rebuilds, _, _ := sim.ServerOS(id); rebuilds != 0 {
		t.Fatalf("%d rebuilds while the panel failed", rebuilds)
	}

	// The build happens but its answer is lost: the retry leaves the
	// server with the chosen template and the stored password its own.
	sim.DropNextResponseOn(http.MethodPost, "/servers/"+strconv.Itoa(id)+"/build")
	r.due(t, job)
	r.run(t)
	r.expectRetry(t, job)
	r.due(t, job)
	r.run(t)
	r.expectDone(t, job, "os", "ubuntu-24.04")
	template, _, password, _ := sim.ServerOS(id)
	if template != 2 || r.credentials(t)["password"] != password {
		t.Errorf("after a lost answer: template %d, stored password %q, server's %q", template, r.credentials(t)["password"], password)
	}

	// A template VirtFusion does not offer fails at once.
	job = r.request(t, "99", "Nonsense OS")
	r.run(t)
	r.expectFailed(t, job, "not offered")
}

func pterodactylRig(t *testing.T) (*reinstallRig, *pterodactylsim.Simulator) {
	sim := pterodactylsim.New("ptla_app", "ptlc_client")
	u, stop := sim.Start()
	t.Cleanup(stop)
	sim.SetInstallTime(time.Minute) // still installing when the test looks
	drv, err := pterodactyl.New(pterodactyl.Config{URL: u, AppKey: "ptla_app", ClientKey: "ptlc_client"})
	if err != nil {
		t.Fatal(err)
	}
	r := newReinstallRig(t, "pterodactyl", "game_server", drv, map[string]any{"location_id": 1, "nest_id": 1,
		"eggs":   map[string]any{"minecraft": 5},
		"limits": map[string]any{"memory": 4096, "swap": 0, "disk": 20480, "io": 500, "cpu": 200}, "feature_limits": map[string]any{"databases": 1, "backups": 1, "allocations": 1}},
		map[string]any{"game": "minecraft"})
	return r, sim
}

func TestReinstallPterodactylChangesTheEgg(t *testing.T) {
	r, sim := pterodactylRig(t)
	choices, err := r.worker.Drivers["pterodactyl"].(provisioning.Reinstaller).ReinstallChoices(context.Background(), r.ref(t),
		map[string]any{"location_id": 1, "nest_id": 1, "eggs": map[string]any{"minecraft": 5},
			"limits": map[string]any{"memory": 4096, "swap": 0, "disk": 20480, "io": 500, "cpu": 200}, "feature_limits": map[string]any{"databases": 1, "backups": 1}})
	if err != nil || len(choices) != 2 || choices[0].ID != "5" || !choices[0].Current || choices[1].Name != "Rust" || choices[1].Current {
		t.Fatalf("choices: the nest's two eggs, Minecraft installed: %+v %v", choices, err)
	}

	job := r.request(t, "6", "Rust")
	// The startup change lands but its answer is lost: the retry
	// reinstalls without changing it again.
	sim.DropNext(func(req *http.Request) bool { return strings.HasSuffix(req.URL.Path, "/startup") })
	r.run(t)
	r.expectRetry(t, job)
	r.due(t, job)
	r.run(t)
	r.expectDone(t, job, "game", "Rust")
	srv, _ := sim.Server(r.svc.Id)
	if srv.Egg != 6 || srv.Image != "ghcr.io/pterodactyl/games:rust" || srv.Env["HOSTNAME"] != "A Rust Server" || !strings.HasPrefix(srv.Startup, "./RustDedicated") {
		t.Errorf("server after the egg change: egg %d image %s env %v startup %s", srv.Egg, srv.Image, srv.Env, srv.Startup)
	}
	if srv.Status == nil || *srv.Status != "installing" || sim.Reinstalls(srv.ID) != 1 {
		t.Errorf("want one reinstall, installing: %v, %d", srv.Status, sim.Reinstalls(srv.ID))
	}

	// Same egg: the reinstall's answer is lost while the server installs;
	// the retry does not reinstall it a second time.
	job = r.request(t, "6", "Rust")
	sim.FinishInstalls()
	sim.DropNext(func(req *http.Request) bool { return strings.HasSuffix(req.URL.Path, "/reinstall") })
	r.run(t)
	r.expectRetry(t, job)
	r.due(t, job)
	r.run(t)
	r.expectDone(t, job, "game", "Rust")
	if n := sim.Reinstalls(srv.ID); n != 2 {
		t.Errorf("%d reinstalls, want 2 (one per job)", n)
	}

	sim.FailNext(1, http.StatusBadGateway, 0)
	job = r.request(t, "5", "Vanilla Minecraft")
	r.run(t)
	r.expectRetry(t, job)
	r.due(t, job)
	r.run(t)
	r.expectDone(t, job, "game", "minecraft")

	job = r.request(t, "77", "No such egg")
	r.run(t)
	r.expectFailed(t, job, "egg 77")
}

func synergyRig(t *testing.T) (*reinstallRig, *synergycpsim.Simulator, int) {
	sim := synergycpsim.New("scp-key")
	u, stop := sim.Start()
	t.Cleanup(stop)
	sim.SetInstallTime(time.Minute)
	drv, err := synergycp.New(synergycp.Config{URL: u, Key: "scp-key"})
	if err != nil {
		t.Fatal(err)
	}
	r := newReinstallRig(t, "synergycp", "dedicated", drv, map[string]any{
		"hardware":    map[string]any{"cpu": "E3-1270v6", "ram_gb": 32, "disks": []any{"1TB-SSD", "1TB-SSD"}},
		"location_id": "LOC-LA1"}, map[string]any{"os": "os-debian12"})
	id, _ := strconv.Atoi(r.service(t).GetString("platform_service_id"))
	return r, sim, id
}

func TestReinstallSynergyCPReloadsTheOS(t *testing.T) {
	r, sim, id := synergyRig(t)
	choices, err := r.worker.Drivers["synergycp"].(provisioning.Reinstaller).ReinstallChoices(context.Background(), r.ref(t), nil)
	if err != nil || len(choices) != 4 || choices[0].Name != "Debian 12" || !choices[0].Current || choices[1].Current {
		t.Fatalf("choices: four profiles, Debian installed: %+v %v", choices, err)
	}

	job := r.request(t, "2", "Ubuntu 24.04")
	// The install is queued but its answer is lost: the retry finds it
	// and queues no second one.
	sim.DropNext(func(req *http.Request) bool { return req.Method == http.MethodPost })
	r.run(t)
	r.expectRetry(t, job)
	r.due(t, job)
	r.run(t)
	r.expectDone(t, job, "os", "Ubuntu 24.04")
	profiles, password := sim.Installs(id)
	if strings.Join(profiles, ",") != "Debian 12,Ubuntu 24.04" {
		t.Errorf("installs %v, want the provision's and one reload", profiles)
	}
	if creds := r.credentials(t); creds["root_password"] != password || len(password) != 20 {
		t.Errorf("stored root password %q, the install's %q", creds["root_password"], password)
	}

	// Another reload while that one runs waits for it.
	job = r.request(t, "3", "AlmaLinux 9")
	r.run(t)
	r.expectRetry(t, job)
	sim.SetInstallTime(time.Millisecond)
	r.due(t, job)
	r.run(t)
	r.expectDone(t, job, "os", "AlmaLinux 9")

	job = r.request(t, "42", "No such profile")
	r.run(t)
	r.expectFailed(t, job, "does not exist")
}

func TestReinstallRequestIsRefusedWhileOneIsUnderWay(t *testing.T) {
	r, _, _ := virtfusionRig(t)
	r.request(t, "2", "Ubuntu")
	if _, err := provisioning.RequestReinstall(context.Background(), r.app, r.service(t), provisioning.ReinstallChoice{ID: "1"}, nil, "test"); err != provisioning.ErrReinstallBusy {
		t.Fatalf("a second reinstall: %v", err)
	}
}
