package virtfusion

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/integrations/virtfusion/virtfusionsim"
)

const testToken = "sim-token-123"

func setup(t *testing.T) (*virtfusionsim.Simulator, *Driver) {
	t.Helper()
	sim := virtfusionsim.New(testToken)
	u, stop := sim.Start()
	t.Cleanup(stop)
	d, err := New(Config{URL: u, Token: testToken, HTTPClient: &http.Client{Timeout: 5 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	return sim, d
}

func planConfigMap() map[string]any {
	// As it arrives from JSON: numbers are float64.
	return map[string]any{"package_id": float64(4), "hypervisor_group_id": float64(1), "ipv4": float64(1),
		"os_templates": map[string]any{"debian-12": float64(12), "ubuntu-24.04": float64(15)}}
}

func createReq(service, customer string) provisioning.CreateRequest {
	return provisioning.CreateRequest{
		ServiceID: service,
		Customer:  provisioning.Customer{ID: customer, Email: customer + "@example.com", Name: "Jane Doe"},
		Config:    planConfigMap(),
		Options:   map[string]string{"os": "debian-12", "hostname": "vps-" + service + ".example.com"},
	}
}

func asPErr(t *testing.T, err error) *provisioning.Error {
	t.Helper()
	var pe *provisioning.Error
	if !errors.As(err, &pe) {
		t.Fatalf("want *provisioning.Error, got %T %v", err, err)
	}
	return pe
}

func TestLifecycle(t *testing.T) {
	sim, d := setup(t)
	ctx := context.Background()
	c, err := d.Create(ctx, createReq("svc1", "k3x9pq7abcde12f"))
	if err != nil {
		t.Fatal(err)
	}
	if c.PlatformServiceID == "" || c.PlatformUserID != "k3x9pq7abcde12f" || len(c.IPs) != 1 ||
		c.Hostname != "vps-svc1.example.com" || c.Credentials["password"] == "" || c.Credentials["username"] != "root" {
		t.Fatalf("created = %+v", c)
	}
	ref := provisioning.Ref{ServiceID: "svc1", PlatformServiceID: c.PlatformServiceID, PlatformUserID: c.PlatformUserID}
	id, _ := strconv.Atoi(c.PlatformServiceID)

	st, err := d.Status(ctx, []provisioning.Ref{ref})
	if err != nil {
		t.Fatal(err)
	}
	s := st["svc1"]
	if s.State != "online" || len(s.IPs) != 1 || s.MemoryUsedMB != 1024 || s.DiskUsedMB != 5120 ||
		s.BandwidthB == 0 || s.CPUPercent == 0 || s.CheckedAt.IsZero() {
		t.Fatalf("status = %+v", s)
	}

	if err := d.Suspend(ctx, ref); err != nil {
		t.Fatal(err)
	}
	if st, _ := d.Status(ctx, []provisioning.Ref{ref}); st["svc1"].State != "suspended" {
		t.Fatalf("after suspend: %+v", st)
	}
	if err := d.Unsuspend(ctx, ref); err != nil {
		t.Fatal(err)
	}
	if st, _ := d.Status(ctx, []provisioning.Ref{ref}); st["svc1"].State != "online" {
		t.Fatalf("after unsuspend: %+v", st)
	}
	if err := d.Power(ctx, ref, provisioning.PowerStop); err != nil {
		t.Fatal(err)
	}
	if st, _ := d.Status(ctx, []provisioning.Ref{ref}); st["svc1"].State != "offline" {
		t.Fatalf("after stop: %+v", st)
	}
	if err := d.Power(ctx, ref, provisioning.PowerRestart); err != nil {
		t.Fatal(err)
	}
	if _, _, running, last, _ := sim.ServerState(id); !running || last != "restart" {
		t.Fatalf("after restart: running=%v last=%q", running, last)
	}
	if err := d.Power(ctx, ref, "hibernate"); err != provisioning.ErrNotSupported {
		t.Fatalf("unknown power action: %v", err)
	}

	login, err := d.LoginURL(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(login, strings.TrimSuffix(d.c.api.String(), "/api/v1")+"/token_authentication?t1=") {
		t.Fatalf("login url %q", login)
	}
	// Without PlatformUserID the owner's extRelationId is needed; this
	// customer uses a relation string, so that is a clear permanent error.
	if _, err := d.LoginURL(ctx, provisioning.Ref{ServiceID: "svc1", PlatformServiceID: c.PlatformServiceID}); !asPErr(t, err).Permanent {
		t.Fatalf("login without user: %v", err)
	}

	if err := d.ChangePlan(ctx, ref, map[string]any{"package_id": 7, "hypervisor_group_id": 1,
		"os_templates": map[string]any{"debian-12": 12}}); err != nil {
		t.Fatal(err)
	}

	if err := d.Terminate(ctx, ref); err != nil {
		t.Fatal(err)
	}
	if sim.Servers() != 0 {
		t.Fatalf("servers after terminate = %d", sim.Servers())
	}
	st, err = d.Status(ctx, []provisioning.Ref{ref})
	if err != nil || len(st) != 0 {
		t.Fatalf("status after terminate: %v %+v", err, st)
	}
	if err := d.Suspend(ctx, ref); err != provisioning.ErrNotFound {
		t.Fatalf("suspend deleted: %v", err)
	}
	if err := d.Terminate(ctx, ref); err != nil {
		t.Fatalf("terminate twice: %v", err)
	}
}

func TestNumericCustomerAndLoginFallback(t *testing.T) {
	_, d := setup(t)
	ctx := context.Background()
	c, err := d.Create(ctx, createReq("s9", "42"))
	if err != nil {
		t.Fatal(err)
	}
	u, err := d.LoginURL(ctx, provisioning.Ref{ServiceID: "s9", PlatformServiceID: c.PlatformServiceID})
	if err != nil || !strings.Contains(u, "/token_authentication?") {
		t.Fatalf("login %q %v", u, err)
	}
}

func TestCreateIdempotentAndUserReuse(t *testing.T) {
	sim, d := setup(t)
	ctx := context.Background()
	a1, err := d.Create(ctx, createReq("svcA", "cust1"))
	if err != nil {
		t.Fatal(err)
	}
	a2, err := d.Create(ctx, createReq("svcA", "cust1"))
	if err != nil {
		t.Fatal(err)
	}
	if a1.PlatformServiceID != a2.PlatformServiceID || sim.Servers() != 1 {
		t.Fatalf("twice: %s vs %s, servers=%d", a1.PlatformServiceID, a2.PlatformServiceID, sim.Servers())
	}
	if len(a2.IPs) != 1 {
		t.Fatalf("second create IPs %v", a2.IPs)
	}
	b, err := d.Create(ctx, createReq("svcB", "cust1"))
	if err != nil {
		t.Fatal(err)
	}
	if b.PlatformServiceID == a1.PlatformServiceID || sim.Servers() != 2 || sim.Users() != 1 {
		t.Fatalf("second service: servers=%d users=%d", sim.Servers(), sim.Users())
	}
	if b.Credentials["virtfusion_user_id"] != a1.Credentials["virtfusion_user_id"] {
		t.Fatalf("user not reused: %v vs %v", b.Credentials, a1.Credentials)
	}
	if _, err := d.Create(ctx, createReq("svcC", "cust2")); err != nil {
		t.Fatal(err)
	}
	if sim.Users() != 2 || sim.Servers() != 3 {
		t.Fatalf("other customer: users=%d servers=%d", sim.Users(), sim.Servers())
	}
}

func TestCreateDroppedResponses(t *testing.T) {
	for _, tc := range []struct{ method, path string }{
		{"POST", "/users"},
		{"POST", "/servers"},   // server created, answer lost: adopted unbuilt
		{"POST", "/servers/1"}, // build done, answer lost: found by name
	} {
		t.Run(tc.method+tc.path, func(t *testing.T) {
			sim, d := setup(t)
			ctx := context.Background()
			prefix := tc.path
			if prefix == "/servers/1" { // server ids start at 100
				prefix = "/servers/100/build"
			}
			sim.DropNextResponseOn(tc.method, prefix)
			_, err := d.Create(ctx, createReq("svcD", "cust1"))
			if pe := asPErr(t, err); pe.Permanent {
				t.Fatalf("dropped answer must be retryable: %v", err)
			}
			c, err := d.Create(ctx, createReq("svcD", "cust1"))
			if err != nil {
				t.Fatal(err)
			}
			if sim.Servers() != 1 || sim.Users() != 1 || c.PlatformServiceID != "100" {
				t.Fatalf("servers=%d users=%d id=%s", sim.Servers(), sim.Users(), c.PlatformServiceID)
			}
			if st, _, _, _, _ := sim.ServerState(100); st != "queued" && st != "complete" {
				t.Fatalf("server not built: %q", st)
			}
		})
	}
}

func TestDropNextResponseGeneric(t *testing.T) {
	sim, d := setup(t)
	ctx := context.Background()
	c, err := d.Create(ctx, createReq("svcE", "cust1"))
	if err != nil {
		t.Fatal(err)
	}
	ref := provisioning.Ref{ServiceID: "svcE", PlatformServiceID: c.PlatformServiceID}
	sim.DropNextResponse()
	if err := d.Suspend(ctx, ref); err == nil {
		t.Fatal("want error on dropped response")
	}
	if _, susp, _, _, _ := sim.ServerState(100); !susp {
		t.Fatal("action must have happened")
	}
}

func TestWrongToken(t *testing.T) {
	sim := virtfusionsim.New(testToken)
	u, stop := sim.Start()
	defer stop()
	d, err := New(Config{URL: u, Token: "wrong"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = d.Create(context.Background(), createReq("s1", "c1"))
	pe := asPErr(t, err)
	if !pe.Permanent || pe.Status != 401 || !strings.Contains(pe.Message, "token") {
		t.Fatalf("got %+v", pe)
	}
	t.Log(pe.Message)
	if sim.Users() != 0 {
		t.Fatal("nothing must be created")
	}
}

func TestRetryableAndRetryAfter(t *testing.T) {
	sim, d := setup(t)
	ctx := context.Background()
	sim.FailNext(1, 503, 0)
	_, err := d.Create(ctx, createReq("s1", "c1"))
	if pe := asPErr(t, err); pe.Permanent || pe.Status != 503 {
		t.Fatalf("503: %+v", pe)
	}
	c, err := d.Create(ctx, createReq("s1", "c1"))
	if err != nil {
		t.Fatal(err)
	}
	sim.FailNext(1, 429, 30*time.Second)
	err = d.Suspend(ctx, provisioning.Ref{ServiceID: "s1", PlatformServiceID: c.PlatformServiceID})
	if pe := asPErr(t, err); pe.Permanent || pe.Status != 429 || pe.RetryAfter != 30*time.Second {
		t.Fatalf("429: %+v", pe)
	}
	sim.FailNext(1, 422, 0)
	err = d.Unsuspend(ctx, provisioning.Ref{ServiceID: "s1", PlatformServiceID: c.PlatformServiceID})
	if pe := asPErr(t, err); !pe.Permanent || !strings.Contains(pe.Message, "simulated failure") {
		t.Fatalf("422: %+v", pe)
	}
	if sim.Servers() != 1 {
		t.Fatalf("servers=%d", sim.Servers())
	}
}

func TestTimeoutRetryable(t *testing.T) {
	sim := virtfusionsim.New(testToken)
	u, stop := sim.Start()
	defer stop()
	d, _ := New(Config{URL: u, Token: testToken, HTTPClient: &http.Client{Timeout: 50 * time.Millisecond}})
	sim.SetLatency(300 * time.Millisecond)
	_, err := d.Create(context.Background(), createReq("s1", "c1"))
	if pe := asPErr(t, err); pe.Permanent {
		t.Fatalf("timeout must be retryable: %+v", pe)
	}
}

func TestCreateBadOS(t *testing.T) {
	sim, d := setup(t)
	r := createReq("s1", "c1")
	r.Options["os"] = "windows"
	_, err := d.Create(context.Background(), r)
	if pe := asPErr(t, err); !pe.Permanent || !strings.Contains(pe.Message, "debian-12") {
		t.Fatalf("%+v", pe)
	}
	if len(sim.Requests()) != 0 {
		t.Fatal("no API calls expected")
	}
}

func TestNew(t *testing.T) {
	if _, err := New(Config{Token: "x"}); err == nil {
		t.Fatal("missing URL accepted")
	}
	if _, err := New(Config{URL: "https://cp.example.com"}); err == nil {
		t.Fatal("missing token accepted")
	}
	d, err := New(Config{URL: "https://cp.example.com/", Token: "x"})
	if err != nil || d.c.api.String() != "https://cp.example.com/api/v1" || d.c.panel.String() != "https://cp.example.com" {
		t.Fatalf("%v %v", err, d)
	}
	if d.Name() != "virtfusion" {
		t.Fatal(d.Name())
	}
}

func TestValidateConfig(t *testing.T) {
	d := &Driver{}
	ok := planConfigMap()
	cases := []struct {
		name string
		cfg  map[string]any
		want string // "" = valid
	}{
		{"valid json numbers", ok, ""},
		{"valid ints, no ipv4", map[string]any{"package_id": 4, "hypervisor_group_id": "2",
			"os_templates": map[string]int{"debian": 3}}, ""},
		{"missing package", map[string]any{"hypervisor_group_id": 1, "os_templates": map[string]any{"d": 1}}, "package_id is required"},
		{"package not int", map[string]any{"package_id": "four", "hypervisor_group_id": 1, "os_templates": map[string]any{"d": 1}}, "package_id must be an integer"},
		{"package fractional", map[string]any{"package_id": 4.5, "hypervisor_group_id": 1, "os_templates": map[string]any{"d": 1}}, "package_id must be an integer"},
		{"package zero", map[string]any{"package_id": 0, "hypervisor_group_id": 1, "os_templates": map[string]any{"d": 1}}, "package_id must be a positive"},
		{"missing group", map[string]any{"package_id": 1, "os_templates": map[string]any{"d": 1}}, "hypervisor_group_id is required"},
		{"negative ipv4", map[string]any{"package_id": 1, "hypervisor_group_id": 1, "ipv4": -1, "os_templates": map[string]any{"d": 1}}, "ipv4 must be 0 or more"},
		{"ipv4 bool", map[string]any{"package_id": 1, "hypervisor_group_id": 1, "ipv4": true, "os_templates": map[string]any{"d": 1}}, "ipv4 must be an integer"},
		{"missing templates", map[string]any{"package_id": 1, "hypervisor_group_id": 1}, "os_templates is required"},
		{"empty templates", map[string]any{"package_id": 1, "hypervisor_group_id": 1, "os_templates": map[string]any{}}, "at least one OS"},
		{"templates wrong type", map[string]any{"package_id": 1, "hypervisor_group_id": 1, "os_templates": []any{1}}, "os_templates must be an object"},
		{"template id bad", map[string]any{"package_id": 1, "hypervisor_group_id": 1, "os_templates": map[string]any{"debian": "x"}}, `os_templates["debian"] must be a positive template id`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := d.ValidateConfig(tc.cfg)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("unexpected: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
}
