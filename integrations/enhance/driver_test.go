package enhance

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/ezscale/integrations/enhance/enhancesim"
	"github.com/ezscale/ezscale/integrations/provisioning"
)

const testToken = "test-token-123"

func setup(t *testing.T) (*enhancesim.Simulator, *Driver) {
	t.Helper()
	sim := enhancesim.New(testToken)
	u, stop := sim.Start()
	t.Cleanup(stop)
	d, err := New(Config{URL: u, Token: testToken, OrgID: sim.MOOrgID(), HTTPClient: &http.Client{Timeout: 5 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	return sim, d
}

func request(service, customer, domain string) provisioning.CreateRequest {
	return provisioning.CreateRequest{
		ServiceID: service,
		Customer:  provisioning.Customer{ID: customer, Email: customer + "@example.com", Name: "Cust " + customer},
		Config:    map[string]any{"plan_id": float64(1)},
		Options:   map[string]string{"domain": domain},
		Password:  "Xk9p2-long-random-pw",
	}
}

func refOf(req provisioning.CreateRequest, c provisioning.Created) provisioning.Ref {
	return provisioning.Ref{ServiceID: req.ServiceID, PlatformServiceID: c.PlatformServiceID, PlatformUserID: c.PlatformUserID}
}

func state(t *testing.T, d *Driver, r provisioning.Ref) string {
	t.Helper()
	m, err := d.Status(context.Background(), []provisioning.Ref{r})
	if err != nil {
		t.Fatal(err)
	}
	st, ok := m[r.ServiceID]
	if !ok {
		return "absent"
	}
	return st.State
}

func TestLifecycle(t *testing.T) {
	sim, d := setup(t)
	ctx := context.Background()
	req := request("svc1", "cus1", "acme.example")
	c, err := d.Create(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if c.PlatformUserID == "" || strings.Count(c.PlatformServiceID, "/") != 2 {
		t.Fatalf("created = %+v", c)
	}
	if len(c.IPs) != 1 || c.IPs[0] != "203.0.113.10" || c.Hostname != "acme.example" {
		t.Fatalf("created = %+v", c)
	}
	if c.Credentials["username"] != "cus1@example.com" || c.Credentials["password"] != req.Password {
		t.Fatalf("credentials = %v", c.Credentials)
	}
	if sim.Customers() != 1 || sim.Logins() != 1 || sim.Subscriptions() != 1 || sim.Websites() != 1 {
		t.Fatalf("sim: %d customers %d logins %d subs %d websites", sim.Customers(), sim.Logins(), sim.Subscriptions(), sim.Websites())
	}
	r := refOf(req, c)
	parsed, _ := parseRef(r)
	sim.SetTransfer(parsed.sub, 123456)
	m, err := d.Status(ctx, []provisioning.Ref{r})
	if err != nil {
		t.Fatal(err)
	}
	if st := m["svc1"]; st.State != "online" || st.BandwidthB != 123456 || st.DiskUsedMB != 5 || len(st.IPs) != 1 || st.CheckedAt.IsZero() {
		t.Fatalf("status = %+v", st)
	}
	link, err := d.LoginURL(ctx, r)
	if err != nil || !strings.Contains(link, "/login/sessions/sso?otp=") {
		t.Fatalf("LoginURL = %q, %v", link, err)
	}
	if err := d.Power(ctx, r, provisioning.PowerRestart); err != provisioning.ErrNotSupported {
		t.Fatalf("Power = %v", err)
	}
	if err := d.Suspend(ctx, r); err != nil {
		t.Fatal(err)
	}
	if s := state(t, d, r); s != "suspended" {
		t.Fatalf("after suspend: %s", s)
	}
	if err := d.Unsuspend(ctx, r); err != nil {
		t.Fatal(err)
	}
	if s := state(t, d, r); s != "online" {
		t.Fatalf("after unsuspend: %s", s)
	}
	if err := d.ChangePlan(ctx, r, map[string]any{"plan_id": 2}); err != nil {
		t.Fatal(err)
	}
	if err := d.Terminate(ctx, r); err != nil {
		t.Fatal(err)
	}
	if sim.Websites() != 0 || sim.Subscriptions() != 0 {
		t.Fatalf("after terminate: %d websites %d subs", sim.Websites(), sim.Subscriptions())
	}
	if s := state(t, d, r); s != "absent" {
		t.Fatalf("status after terminate: %s", s)
	}
	if err := d.Terminate(ctx, r); err != provisioning.ErrNotFound {
		t.Fatalf("second terminate = %v", err)
	}
	if err := d.Suspend(ctx, r); err != provisioning.ErrNotFound {
		t.Fatalf("suspend after terminate = %v", err)
	}
}

func TestCreateIdempotent(t *testing.T) {
	sim, d := setup(t)
	ctx := context.Background()
	req := request("svc1", "cus1", "acme.example")
	c1, err := d.Create(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	req.Password = "another-password-1"
	c2, err := d.Create(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if c1.PlatformServiceID != c2.PlatformServiceID || c1.PlatformUserID != c2.PlatformUserID {
		t.Fatalf("second create differs: %+v vs %+v", c1, c2)
	}
	if _, ok := c2.Credentials["password"]; ok {
		t.Fatalf("second create returned a password the login does not have")
	}
	if sim.Websites() != 1 || sim.Subscriptions() != 1 || sim.Customers() != 1 || sim.Logins() != 1 {
		t.Fatalf("duplicates: %d websites %d subs %d customers %d logins", sim.Websites(), sim.Subscriptions(), sim.Customers(), sim.Logins())
	}

	// A second service of the same customer (same plan) reuses the org,
	// found by name even without PlatformUserID, and gets its own
	// subscription and website.
	req2 := request("svc2", "cus1", "second.example")
	c3, err := d.Create(ctx, req2)
	if err != nil {
		t.Fatal(err)
	}
	if c3.PlatformUserID != c1.PlatformUserID || c3.PlatformServiceID == c1.PlatformServiceID {
		t.Fatalf("second service: %+v (first %+v)", c3, c1)
	}
	// And with PlatformUserID known.
	req3 := request("svc3", "cus1", "third.example")
	req3.Customer.PlatformUserID = c1.PlatformUserID
	c4, err := d.Create(ctx, req3)
	if err != nil || c4.PlatformUserID != c1.PlatformUserID {
		t.Fatalf("third service: %+v %v", c4, err)
	}
	if sim.Customers() != 1 || sim.Logins() != 1 || sim.Subscriptions() != 3 || sim.Websites() != 3 {
		t.Fatalf("after 3 services: %d customers %d logins %d subs %d websites", sim.Customers(), sim.Logins(), sim.Subscriptions(), sim.Websites())
	}
	m, err := d.Status(ctx, []provisioning.Ref{refOf(req, c1), refOf(req2, c3), refOf(req3, c4)})
	if err != nil || len(m) != 3 || m["svc2"].State != "online" || m["svc3"].State != "online" {
		t.Fatalf("status of 3 services: %v %v", m, err)
	}
	// Another customer gets another org.
	if _, err := d.Create(ctx, request("svc4", "cus2", "other.example")); err != nil {
		t.Fatal(err)
	}
	if sim.Customers() != 2 || sim.Logins() != 2 {
		t.Fatalf("second customer: %d customers %d logins", sim.Customers(), sim.Logins())
	}
	// The same domain in another service is refused, permanently.
	_, err = d.Create(ctx, request("svc5", "cus1", "acme.example"))
	var pe *provisioning.Error
	if !errors.As(err, &pe) || !pe.Permanent {
		t.Fatalf("duplicate domain: %v", err)
	}
}

func TestDroppedWebsiteCreateThenRetry(t *testing.T) {
	sim, d := setup(t)
	ctx := context.Background()
	req := request("svc1", "cus1", "acme.example")
	sim.DropNextResponseTo(http.MethodPost, "/websites")
	_, err := d.Create(ctx, req)
	var pe *provisioning.Error
	if !errors.As(err, &pe) || pe.Permanent {
		t.Fatalf("dropped response: want retryable *Error, got %v", err)
	}
	if sim.Websites() != 1 {
		t.Fatalf("the dropped request should still have created the website: %d", sim.Websites())
	}
	c, err := d.Create(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if sim.Websites() != 1 || sim.Subscriptions() != 1 || sim.Customers() != 1 {
		t.Fatalf("after retry: %d websites %d subs %d customers", sim.Websites(), sim.Subscriptions(), sim.Customers())
	}
	if s := state(t, d, refOf(req, c)); s != "online" {
		t.Fatalf("state %s", s)
	}

	// Drop the answer to every create (POST) step in turn: each retry gets
	// one step further, and there is still one of each at the end.
	sim2, d2 := setup(t)
	req2 := request("svc2", "cus2", "drop.example")
	failures := 0
	for i := 0; i < 10; i++ {
		sim2.DropNextResponseTo(http.MethodPost, "")
		if _, err := d2.Create(ctx, req2); err == nil {
			break
		}
		failures++
	}
	if failures != 5 { // customer, login, member, subscription, website
		t.Fatalf("dropped %d creates, want 5", failures)
	}
	if _, err := d2.Create(ctx, req2); err != nil {
		t.Fatal(err)
	}
	if sim2.Websites() != 1 || sim2.Subscriptions() != 1 || sim2.Customers() != 1 || sim2.Logins() != 1 {
		t.Fatalf("drops: %d websites %d subs %d customers %d logins", sim2.Websites(), sim2.Subscriptions(), sim2.Customers(), sim2.Logins())
	}
}

func TestWrongToken(t *testing.T) {
	sim := enhancesim.New(testToken)
	u, stop := sim.Start()
	defer stop()
	d, err := New(Config{URL: u + "/api/", Token: "wrong", OrgID: sim.MOOrgID()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = d.Create(context.Background(), request("svc1", "cus1", "acme.example"))
	var pe *provisioning.Error
	if !errors.As(err, &pe) || !pe.Permanent || pe.Status != http.StatusForbidden {
		t.Fatalf("wrong token: %#v", err)
	}
	if !strings.Contains(pe.Message, "unauthorized") || !strings.Contains(pe.Message, "Invalid or expired access token") {
		t.Fatalf("message not readable: %q", pe.Message)
	}
	if sim.Customers() != 0 {
		t.Fatal("created with a wrong token")
	}
}

func TestRetryableErrors(t *testing.T) {
	sim, d := setup(t)
	ctx := context.Background()
	req := request("svc1", "cus1", "acme.example")

	sim.FailNext(1, http.StatusServiceUnavailable, 0)
	_, err := d.Create(ctx, req)
	var pe *provisioning.Error
	if !errors.As(err, &pe) || pe.Permanent || pe.Status != 503 {
		t.Fatalf("503: %#v", err)
	}
	c, err := d.Create(ctx, req)
	if err != nil {
		t.Fatal(err)
	}

	sim.FailNext(1, http.StatusTooManyRequests, 7*time.Second)
	err = d.Suspend(ctx, refOf(req, c))
	if !errors.As(err, &pe) || pe.Permanent || pe.Status != 429 || pe.RetryAfter != 7*time.Second {
		t.Fatalf("429: %#v", err)
	}
	sim.FailNext(1, http.StatusTooManyRequests, 0)
	err = d.Suspend(ctx, refOf(req, c))
	if !errors.As(err, &pe) || pe.RetryAfter != defaultRetryAfter {
		t.Fatalf("429 without Retry-After: %#v", err)
	}

	sim.FailNext(1, http.StatusUnprocessableEntity, 0)
	err = d.Suspend(ctx, refOf(req, c))
	if !errors.As(err, &pe) || !pe.Permanent {
		t.Fatalf("422: %#v", err)
	}

	// Timeout: retryable.
	sim.SetLatency(300 * time.Millisecond)
	tctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	err = d.Unsuspend(tctx, refOf(req, c))
	if !errors.As(err, &pe) || pe.Permanent {
		t.Fatalf("timeout: %#v", err)
	}
	sim.SetLatency(0)

	// A validation 422 from the API (unknown plan gives 404 → permanent in create).
	bad := request("svc2", "cus1", "b.example")
	bad.Config = map[string]any{"plan_id": 99}
	_, err = d.Create(ctx, bad)
	if !errors.As(err, &pe) || !pe.Permanent {
		t.Fatalf("unknown plan: %#v", err)
	}
	// Malformed id → plain-text 404 → ErrNotFound.
	broken := provisioning.Ref{ServiceID: "x", PlatformServiceID: "3f9c1b7a-2d4e-4c8f-b1a6-5e7d9c0f1a23/1/6106382b-143f-4d24-9bea-0e9368ad2a1f"}
	if err := d.Suspend(ctx, broken); err != provisioning.ErrNotFound {
		t.Fatalf("unknown service: %v", err)
	}
	if err := d.Suspend(ctx, provisioning.Ref{ServiceID: "x", PlatformServiceID: "nonsense"}); !errors.As(err, &pe) || !pe.Permanent {
		t.Fatalf("bad ref: %v", err)
	}
}

func TestValidateConfig(t *testing.T) {
	d, err := New(Config{URL: "https://cp.example.net", Token: "t", OrgID: "6d1a5c2e-8f0b-4b7e-9a51-0c2f3e4d5a61"})
	if err != nil {
		t.Fatal(err)
	}
	if d.base != "https://cp.example.net/api" {
		t.Fatalf("base %s", d.base)
	}
	cases := []struct {
		name string
		cfg  map[string]any
		ok   bool
	}{
		{"float", map[string]any{"plan_id": float64(4)}, true},
		{"int", map[string]any{"plan_id": 4}, true},
		{"string", map[string]any{"plan_id": "4"}, true},
		{"php", map[string]any{"plan_id": 4, "php_version": "php83"}, true},
		{"missing", map[string]any{}, false},
		{"nil", map[string]any{"plan_id": nil}, false},
		{"zero", map[string]any{"plan_id": 0}, false},
		{"negative", map[string]any{"plan_id": -2}, false},
		{"fraction", map[string]any{"plan_id": 1.5}, false},
		{"word", map[string]any{"plan_id": "max"}, false},
		{"bool", map[string]any{"plan_id": true}, false},
		{"bad php", map[string]any{"plan_id": 4, "php_version": "8.3"}, false},
	}
	for _, c := range cases {
		err := d.ValidateConfig(c.cfg)
		if (err == nil) != c.ok {
			t.Errorf("%s: err = %v", c.name, err)
		}
		var pe *provisioning.Error
		if err != nil && (!errors.As(err, &pe) || !pe.Permanent) {
			t.Errorf("%s: not a permanent *Error: %v", c.name, err)
		}
	}
	for _, cfg := range []Config{
		{URL: "", Token: "t", OrgID: "6d1a5c2e-8f0b-4b7e-9a51-0c2f3e4d5a61"},
		{URL: "https://x", Token: "", OrgID: "6d1a5c2e-8f0b-4b7e-9a51-0c2f3e4d5a61"},
		{URL: "https://x", Token: "t", OrgID: "mo"},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
	// Create refuses bad input before calling the API.
	_, err = d.Create(context.Background(), provisioning.CreateRequest{ServiceID: "s", Config: map[string]any{"plan_id": 1},
		Customer: provisioning.Customer{ID: "c", Email: "a@b.c"}, Options: map[string]string{"domain": "not a domain"}})
	var pe *provisioning.Error
	if !errors.As(err, &pe) || !pe.Permanent {
		t.Fatalf("bad domain: %v", err)
	}
}

func TestSimulatorAuthAndValidation(t *testing.T) {
	sim := enhancesim.New(testToken)
	u, stop := sim.Start()
	defer stop()
	resp, err := http.Get(u + "/api/orgs/" + sim.MOOrgID())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("no token: %d", resp.StatusCode)
	}
	d, _ := New(Config{URL: u, Token: testToken, OrgID: sim.MOOrgID()})
	err = d.do(context.Background(), http.MethodPost, "/orgs/"+sim.MOOrgID()+"/customers", nil, map[string]any{"name": ""}, nil)
	var pe *provisioning.Error
	if !errors.As(err, &pe) || pe.Status != 422 || !pe.Permanent {
		t.Fatalf("validation: %#v", err)
	}
	err = d.do(context.Background(), http.MethodGet, "/orgs/not-a-uuid", nil, nil, nil)
	if !errors.As(err, &pe) || pe.Status != 404 || !strings.Contains(pe.Message, "UUID parsing failed") {
		t.Fatalf("malformed uuid: %#v", err)
	}
}
