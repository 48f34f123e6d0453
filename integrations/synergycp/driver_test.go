package synergycp

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/integrations/synergycp/synergycpsim"
)

const testKey = "integration-key-123"

func planConfig() map[string]any {
	return map[string]any{
		"hardware":    map[string]any{"cpu": "E3-1270v6", "ram_gb": float64(32), "disks": []any{"1TB-SSD", "1TB-SSD"}},
		"location_id": "LOC-LA1",
		"ips_billing": "IP-29",
	}
}

func createReq(serviceID string) provisioning.CreateRequest {
	return provisioning.CreateRequest{
		ServiceID: serviceID,
		Customer:  provisioning.Customer{ID: "42", Email: "jane@example.com", Name: "Jane Doe"},
		Config:    planConfig(),
		Options:   map[string]string{"os": "os-debian12", "hostname": "srv1.customer.example"},
		Password:  "S3cure-Root-Pass",
	}
}

func setup(t *testing.T) (*synergycpsim.Simulator, *Driver) {
	t.Helper()
	sim := synergycpsim.New(testKey)
	u, stop := sim.Start()
	t.Cleanup(stop)
	d, err := New(Config{URL: u, Key: testKey, HTTPClient: &http.Client{Timeout: 5 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	return sim, d
}

func asProvErr(t *testing.T, err error) *provisioning.Error {
	t.Helper()
	var pe *provisioning.Error
	if !errors.As(err, &pe) {
		t.Fatalf("want *provisioning.Error, got %T: %v", err, err)
	}
	return pe
}

func TestLifecycle(t *testing.T) {
	sim, d := setup(t)
	ctx := context.Background()
	if d.Name() != "synergycp" {
		t.Fatal(d.Name())
	}
	stock := sim.InStock()

	c, err := d.Create(ctx, createReq("1842"))
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if c.PlatformServiceID == "" || c.PlatformUserID == "" || len(c.IPs) != 1 || c.Hostname != "srv1.customer.example" {
		t.Fatalf("created: %+v", c)
	}
	if c.Credentials["root_password"] != "S3cure-Root-Pass" {
		t.Fatalf("credentials: %+v", c.Credentials)
	}
	if sim.Assigned() != 1 || sim.InStock() != stock-1 || sim.Clients() != 1 {
		t.Fatalf("assigned=%d stock=%d clients=%d", sim.Assigned(), sim.InStock(), sim.Clients())
	}
	sid, _ := strconv.Atoi(c.PlatformServiceID)
	srv, _ := sim.Server(sid)
	if srv.BillingID != "1842" || srv.OS != "os-debian12" || srv.CPU != "E3-1270v6" || srv.Group != "LOC-LA1" {
		t.Fatalf("sim server: %+v", srv)
	}
	ref := provisioning.Ref{ServiceID: "1842", PlatformServiceID: c.PlatformServiceID, PlatformUserID: c.PlatformUserID}

	st, err := d.Status(ctx, []provisioning.Ref{ref})
	if err != nil || st["1842"].State != "unknown" || len(st["1842"].IPs) != 1 || st["1842"].BandwidthB != 1000 {
		t.Fatalf("status: %+v %v", st, err)
	}

	if err := d.Suspend(ctx, ref); err != nil {
		t.Fatalf("suspend: %v", err)
	}
	if srv, _ := sim.Server(sid); srv.Active {
		t.Fatal("not suspended in simulator")
	}
	if st, _ := d.Status(ctx, []provisioning.Ref{ref}); st["1842"].State != "suspended" {
		t.Fatalf("status after suspend: %+v", st)
	}
	// Power needs an active access: suspended client is refused.
	if err := d.Power(ctx, ref, provisioning.PowerRestart); err == nil || !asProvErr(t, err).Permanent {
		t.Fatalf("power while suspended: %v", err)
	}
	if err := d.Unsuspend(ctx, ref); err != nil {
		t.Fatalf("unsuspend: %v", err)
	}
	if st, _ := d.Status(ctx, []provisioning.Ref{ref}); st["1842"].State != "unknown" {
		t.Fatalf("status after unsuspend: %+v", st)
	}

	for action, want := range map[string]string{
		provisioning.PowerRestart: "reset", provisioning.PowerStart: "on",
		provisioning.PowerStop: "soft", provisioning.PowerKill: "off",
	} {
		if err := d.Power(ctx, ref, action); err != nil {
			t.Fatalf("power %s: %v", action, err)
		}
		if srv, _ := sim.Server(sid); srv.LastPower != want {
			t.Fatalf("power %s: sim got %q want %q", action, srv.LastPower, want)
		}
	}
	if err := d.Power(ctx, ref, "hibernate"); !errors.Is(err, provisioning.ErrNotSupported) {
		t.Fatalf("unknown power action: %v", err)
	}

	login, err := d.LoginURL(ctx, ref)
	if err != nil || !strings.Contains(login, "/auth/sso?") || !strings.Contains(login, "view_type=server") ||
		!strings.Contains(login, "view_id="+c.PlatformServiceID) || strings.Contains(login, testKey) {
		t.Fatalf("login url %q %v", login, err)
	}

	if err := d.ChangePlan(ctx, ref, planConfig()); !errors.Is(err, provisioning.ErrNotSupported) {
		t.Fatalf("change plan: %v", err)
	}

	if err := d.Terminate(ctx, ref); err != nil {
		t.Fatalf("terminate: %v", err)
	}
	if sim.Assigned() != 0 || sim.InStock() != stock {
		t.Fatalf("after terminate assigned=%d stock=%d", sim.Assigned(), sim.InStock())
	}
	if srv, _ := sim.Server(sid); srv.BillingID != "" || srv.Assigned {
		t.Fatalf("not wiped: %+v", srv)
	}
	// Terminate again: already gone is fine; other calls report not found.
	if err := d.Terminate(ctx, ref); err != nil {
		t.Fatalf("terminate twice: %v", err)
	}
	if err := d.Suspend(ctx, ref); !errors.Is(err, provisioning.ErrNotFound) {
		t.Fatalf("suspend after terminate: %v", err)
	}
	if st, err := d.Status(ctx, []provisioning.Ref{ref}); err != nil || st["1842"].State != "unknown" {
		t.Fatalf("status after terminate: %+v %v", st, err)
	}
}

func TestCreateIdempotentAndClientReused(t *testing.T) {
	sim, d := setup(t)
	ctx := context.Background()
	a, err := d.Create(ctx, createReq("1842"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := d.Create(ctx, createReq("1842"))
	if err != nil {
		t.Fatal(err)
	}
	if a.PlatformServiceID != b.PlatformServiceID || a.PlatformUserID != b.PlatformUserID {
		t.Fatalf("second create differs: %+v vs %+v", a, b)
	}
	if sim.Assigned() != 1 || sim.Clients() != 1 {
		t.Fatalf("assigned=%d clients=%d", sim.Assigned(), sim.Clients())
	}
	// A second service for the same customer reuses the client.
	c, err := d.Create(ctx, createReq("1843"))
	if err != nil {
		t.Fatal(err)
	}
	if c.PlatformUserID != a.PlatformUserID || c.PlatformServiceID == a.PlatformServiceID {
		t.Fatalf("second service: %+v vs %+v", c, a)
	}
	if sim.Assigned() != 2 || sim.Clients() != 1 {
		t.Fatalf("assigned=%d clients=%d", sim.Assigned(), sim.Clients())
	}
}

func TestDroppedProvisionThenRetry(t *testing.T) {
	sim := synergycpsim.New(testKey)
	var dropped atomic.Bool
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/server/provision" && dropped.CompareAndSwap(false, true) {
			sim.DropNextResponse()
		}
		sim.ServeHTTP(w, r)
	}))
	defer ts.Close()
	d, err := New(Config{URL: ts.URL, Key: testKey})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_, err = d.Create(ctx, createReq("1842"))
	if err == nil {
		t.Fatal("want error from dropped response")
	}
	if pe := asProvErr(t, err); pe.Permanent {
		t.Fatalf("dropped connection must be retryable: %+v", pe)
	}
	if sim.Assigned() != 1 {
		t.Fatalf("action not done: assigned=%d", sim.Assigned())
	}
	c, err := d.Create(ctx, createReq("1842"))
	if err != nil {
		t.Fatalf("retry: %v", err)
	}
	if sim.Assigned() != 1 || sim.Clients() != 1 || c.PlatformServiceID == "" {
		t.Fatalf("after retry assigned=%d clients=%d %+v", sim.Assigned(), sim.Clients(), c)
	}
}

func TestOutOfStock(t *testing.T) {
	sim, d := setup(t)
	ctx := context.Background()
	for _, id := range []string{"1", "2"} {
		if _, err := d.Create(ctx, createReq(id)); err != nil {
			t.Fatal(err)
		}
	}
	_, err := d.Create(ctx, createReq("3"))
	if !errors.Is(err, provisioning.ErrNoHardware) || !strings.Contains(err.Error(), "no matching server in stock") || !strings.Contains(err.Error(), "E3-1270v6") {
		t.Fatalf("out of stock: %v", err)
	}
	if sim.Assigned() != 2 {
		t.Fatalf("assigned=%d", sim.Assigned())
	}
	// Hardware that does not exist at all is also "not in stock".
	req := createReq("4")
	req.Config["location_id"] = "LOC-NY1"
	if _, err := d.Create(ctx, req); !errors.Is(err, provisioning.ErrNoHardware) {
		t.Fatalf("wrong location: %v", err)
	}
}

func TestWrongKey(t *testing.T) {
	sim := synergycpsim.New(testKey)
	u, stop := sim.Start()
	defer stop()
	d, err := New(Config{URL: u, Key: "wrong"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = d.Create(context.Background(), createReq("1842"))
	pe := asProvErr(t, err)
	if !pe.Permanent || pe.Status != 401 || !strings.Contains(pe.Message, "Invalid API key") ||
		!strings.Contains(pe.Message, "authentication failed") || strings.Contains(pe.Message, "wrong") {
		t.Fatalf("wrong key: %+v", pe)
	}
	if sim.Assigned() != 0 || sim.Clients() != 0 {
		t.Fatal("nothing should be created")
	}
}

func TestServiceUnavailableThenSuccess(t *testing.T) {
	sim, d := setup(t)
	ctx := context.Background()
	sim.FailNext(1, http.StatusServiceUnavailable, 0)
	_, err := d.Create(ctx, createReq("1842"))
	pe := asProvErr(t, err)
	if pe.Permanent || pe.Status != 503 {
		t.Fatalf("503: %+v", pe)
	}
	if _, err := d.Create(ctx, createReq("1842")); err != nil {
		t.Fatalf("after 503: %v", err)
	}
	if sim.Assigned() != 1 {
		t.Fatalf("assigned=%d", sim.Assigned())
	}
}

func TestRateLimited(t *testing.T) {
	sim, d := setup(t)
	sim.FailNext(1, http.StatusTooManyRequests, 7*time.Second)
	_, err := d.Create(context.Background(), createReq("1842"))
	pe := asProvErr(t, err)
	if pe.Permanent || pe.Status != 429 || pe.RetryAfter != 7*time.Second {
		t.Fatalf("429: %+v", pe)
	}
}

func TestPermanentStatuses(t *testing.T) {
	for _, st := range []int{403, 422} {
		sim, d := setup(t)
		sim.FailNext(1, st, 0)
		_, err := d.Create(context.Background(), createReq("1842"))
		if pe := asProvErr(t, err); !pe.Permanent || pe.Status != st {
			t.Fatalf("%d: %+v", st, pe)
		}
	}
}

func TestTimeoutRetryable(t *testing.T) {
	sim := synergycpsim.New(testKey)
	u, stop := sim.Start()
	defer stop()
	d, err := New(Config{URL: u, Key: testKey, HTTPClient: &http.Client{Timeout: 50 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	sim.SetLatency(300 * time.Millisecond)
	_, err = d.Create(context.Background(), createReq("1842"))
	if pe := asProvErr(t, err); pe.Permanent {
		t.Fatalf("timeout: %+v", pe)
	}
	sim.SetLatency(0)
	if _, err := d.Create(context.Background(), createReq("1842")); err != nil {
		t.Fatal(err)
	}
}

func TestNotFoundByPlatformID(t *testing.T) {
	_, d := setup(t)
	err := d.Suspend(context.Background(), provisioning.Ref{PlatformServiceID: "99999"})
	if !errors.Is(err, provisioning.ErrNotFound) {
		t.Fatalf("want ErrNotFound, got %v", err)
	}
}

func TestNewValidation(t *testing.T) {
	for _, cfg := range []Config{{URL: "", Key: "k"}, {URL: "http://x", Key: ""}, {URL: "ftp://x", Key: "k"}} {
		if _, err := New(cfg); err == nil {
			t.Fatalf("New(%+v) should fail", cfg)
		}
	}
}

func TestValidateConfig(t *testing.T) {
	d := &Driver{}
	hw := func() map[string]any {
		return map[string]any{"cpu": "E3-1270v6", "ram_gb": 32, "disks": []any{"1TB-SSD"}}
	}
	with := func(mut func(m map[string]any)) map[string]any {
		m := map[string]any{"hardware": hw(), "location_id": "LOC-LA1"}
		mut(m)
		return m
	}
	cases := []struct {
		name string
		cfg  map[string]any
		ok   bool
		want string
	}{
		{"minimal", with(func(map[string]any) {}), true, ""},
		{"full", with(func(m map[string]any) {
			m["ips_billing"], m["port_speed_billing"], m["max_bandwidth"], m["default_os"] = "IP-29", "speed-1000", "20000GB", "os-debian12"
		}), true, ""},
		{"numeric location", with(func(m map[string]any) { m["location_id"] = float64(7) }), true, ""},
		{"float ram from json", with(func(m map[string]any) { m["hardware"].(map[string]any)["ram_gb"] = float64(64) }), true, ""},
		{"nil", nil, false, "empty"},
		{"no hardware", with(func(m map[string]any) { delete(m, "hardware") }), false, "hardware is required"},
		{"hardware not object", with(func(m map[string]any) { m["hardware"] = "big" }), false, "must be an object"},
		{"no cpu", with(func(m map[string]any) { delete(m["hardware"].(map[string]any), "cpu") }), false, "cpu"},
		{"ram string", with(func(m map[string]any) { m["hardware"].(map[string]any)["ram_gb"] = "32" }), false, "ram_gb"},
		{"ram fraction", with(func(m map[string]any) { m["hardware"].(map[string]any)["ram_gb"] = 1.5 }), false, "ram_gb"},
		{"ram zero", with(func(m map[string]any) { m["hardware"].(map[string]any)["ram_gb"] = 0 }), false, "ram_gb"},
		{"disks empty", with(func(m map[string]any) { m["hardware"].(map[string]any)["disks"] = []any{} }), false, "disks"},
		{"disks not strings", with(func(m map[string]any) { m["hardware"].(map[string]any)["disks"] = []any{1} }), false, "disks"},
		{"unknown hardware key", with(func(m map[string]any) { m["hardware"].(map[string]any)["gpu"] = "x" }), false, "gpu"},
		{"no location", with(func(m map[string]any) { delete(m, "location_id") }), false, "location_id"},
		{"location bool", with(func(m map[string]any) { m["location_id"] = true }), false, "location_id"},
		{"ips not string", with(func(m map[string]any) { m["ips_billing"] = 29 }), false, "ips_billing"},
		{"unknown key", with(func(m map[string]any) { m["locaton"] = "x" }), false, "locaton"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := d.ValidateConfig(tc.cfg)
			if tc.ok != (err == nil) {
				t.Fatalf("ok=%v err=%v", tc.ok, err)
			}
			if err != nil && !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not mention %q", err, tc.want)
			}
		})
	}
}

func TestCreateMissingOS(t *testing.T) {
	sim, d := setup(t)
	req := createReq("1842")
	req.Options = map[string]string{}
	_, err := d.Create(context.Background(), req)
	if pe := asProvErr(t, err); !pe.Permanent || !strings.Contains(pe.Message, "operating system") {
		t.Fatalf("missing os: %+v", pe)
	}
	if sim.Requests() != 0 {
		t.Fatalf("no request expected, got %d", sim.Requests())
	}
}

func TestVIPRefusal(t *testing.T) {
	sim, d := setup(t)
	ctx := context.Background()
	c, err := d.Create(ctx, createReq("1842"))
	if err != nil {
		t.Fatal(err)
	}
	ref := provisioning.Ref{ServiceID: "1842", PlatformServiceID: c.PlatformServiceID}
	sim.SetVIP(true)
	for name, op := range map[string]func(context.Context, provisioning.Ref) error{"suspend": d.Suspend, "terminate": d.Terminate} {
		err := op(ctx, ref)
		if pe := asProvErr(t, err); !pe.Permanent || !strings.Contains(pe.Message, "VIP") {
			t.Fatalf("%s: %+v", name, pe)
		}
	}
	if sim.Assigned() != 1 {
		t.Fatal("VIP server must stay assigned")
	}
}

func TestListPaginates(t *testing.T) {
	sim, d := setup(t)
	for i := 0; i < 202; i++ {
		sim.AddServer(synergycpsim.Server{ID: 5000 + i, CPU: "X", Mem: "mem-1", Disks: []string{"D"}, Group: "G"})
	}
	n := 0
	q := map[string][]string{"cpu_billing": {"X"}}
	if err := d.c.list(context.Background(), "/server", q, func(json.RawMessage) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 202 {
		t.Fatalf("listed %d, want 202", n)
	}
}
