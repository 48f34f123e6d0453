package pterodactyl

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/integrations/pterodactyl/pterodactylsim"
)

const (
	testAppKey    = "ptla_Zr3kT9pQw2Ab8nDmXc4VbN7yHs5LjEq1UoRt6WiPa0Ke"
	testClientKey = "ptlc_Qm4nB7vC2xZ9lK8jH5gF3dS1aP0oI6uY4tR2eW9qZ3Xc"
)

func planConfigMap() map[string]any {
	// shaped like JSON-decoded platform_config: numbers are float64
	return map[string]any{
		"location_id": float64(1),
		"nest_id":     float64(1),
		"eggs":        map[string]any{"minecraft": float64(5), "rust": float64(6)},
		"limits": map[string]any{"memory": float64(4096), "swap": float64(0), "disk": float64(20480),
			"io": float64(500), "cpu": float64(200)},
		"feature_limits": map[string]any{"databases": float64(1), "backups": float64(3), "allocations": float64(2)},
		"environment":    map[string]any{"VANILLA_VERSION": "1.21.1"},
	}
}

func setup(t *testing.T) (*pterodactylsim.Simulator, *Driver) {
	t.Helper()
	sim := pterodactylsim.New(testAppKey, testClientKey)
	u, stop := sim.Start()
	t.Cleanup(stop)
	d, err := New(Config{URL: u + "/", AppKey: testAppKey, ClientKey: testClientKey,
		HTTPClient: &http.Client{Timeout: 5 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	return sim, d
}

func createReq(service, customer string) provisioning.CreateRequest {
	return provisioning.CreateRequest{
		ServiceID: service,
		Customer:  provisioning.Customer{ID: customer, Email: "jane" + customer + "@example.com", Name: "Jane Doe"},
		Config:    planConfigMap(),
		Options:   map[string]string{"game": "minecraft", "hostname": "Survival SMP"},
		Password:  "s3cret-Passw0rd",
	}
}

func ref(c provisioning.Created, service string) provisioning.Ref {
	return provisioning.Ref{ServiceID: service, PlatformServiceID: c.PlatformServiceID, PlatformUserID: c.PlatformUserID}
}

func status(t *testing.T, d *Driver, r provisioning.Ref) provisioning.Status {
	t.Helper()
	m, err := d.Status(context.Background(), []provisioning.Ref{r})
	if err != nil {
		t.Fatalf("status: %v", err)
	}
	return m[r.ServiceID]
}

func TestLifecycle(t *testing.T) {
	sim, d := setup(t)
	ctx := context.Background()
	c, err := d.Create(ctx, createReq("1842", "42"))
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if c.PlatformServiceID == "" || c.PlatformUserID == "" || len(c.IPs) != 1 || c.IPs[0] != "203.0.113.20" ||
		c.Hostname != "203.0.113.20:25565" || c.Credentials["password"] != "s3cret-Passw0rd" ||
		c.Credentials["identifier"] == "" {
		t.Fatalf("created = %+v", c)
	}
	srv, ok := sim.Server("1842")
	if !ok || srv.Egg != 5 || srv.Memory != 4096 || srv.Env["VANILLA_VERSION"] != "1.21.1" ||
		srv.Env["SERVER_JARFILE"] != "server.jar" || srv.Name != "Survival SMP" || srv.Image == "" {
		t.Fatalf("server on panel = %+v", srv)
	}
	r := ref(c, "1842")

	st := status(t, d, r)
	if st.State != "online" || st.MemoryUsedMB != 1585 || st.CPUPercent != 31.418 ||
		st.BandwidthB != 7634518+1842200 || st.DiskUsedMB == 0 || len(st.IPs) != 1 || st.CheckedAt.IsZero() {
		t.Fatalf("status = %+v", st)
	}

	if err := d.Suspend(ctx, r); err != nil {
		t.Fatalf("suspend: %v", err)
	}
	if err := d.Suspend(ctx, r); err != nil { // idempotent
		t.Fatalf("suspend again: %v", err)
	}
	if st := status(t, d, r); st.State != "suspended" {
		t.Fatalf("after suspend state = %q", st.State)
	}
	// the client API refuses a suspended server's power: 409, retryable
	var pe *provisioning.Error
	if err := d.Power(ctx, r, provisioning.PowerStart); !errors.As(err, &pe) || pe.Status != 409 || pe.Permanent {
		t.Fatalf("power on suspended: %v", err)
	}
	if err := d.Unsuspend(ctx, r); err != nil {
		t.Fatalf("unsuspend: %v", err)
	}
	if st := status(t, d, r); st.State != "offline" {
		t.Fatalf("after unsuspend state = %q", st.State)
	}
	if err := d.Power(ctx, r, provisioning.PowerRestart); err != nil {
		t.Fatalf("restart: %v", err)
	}
	if st := status(t, d, r); st.State != "online" {
		t.Fatalf("after restart state = %q", st.State)
	}
	if err := d.Power(ctx, r, provisioning.PowerStop); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if st := status(t, d, r); st.State != "offline" {
		t.Fatalf("after stop state = %q", st.State)
	}
	if err := d.Power(ctx, r, "explode"); !errors.As(err, &pe) || !pe.Permanent {
		t.Fatalf("bad power action: %v", err)
	}

	bigger := planConfigMap()
	bigger["limits"].(map[string]any)["memory"] = float64(8192)
	bigger["feature_limits"].(map[string]any)["backups"] = float64(5)
	if err := d.ChangePlan(ctx, r, bigger); err != nil {
		t.Fatalf("change plan: %v", err)
	}
	if srv, _ := sim.Server("1842"); srv.Memory != 8192 || srv.Backups != 5 {
		t.Fatalf("after build: memory %d backups %d", srv.Memory, srv.Backups)
	}

	u, err := d.LoginURL(ctx, r)
	if err != nil || !strings.HasSuffix(u, "/server/"+c.Credentials["identifier"]) || strings.Contains(u, "//server") {
		t.Fatalf("login url = %q, %v", u, err)
	}

	if err := d.Terminate(ctx, r); err != nil {
		t.Fatalf("terminate: %v", err)
	}
	if sim.Servers() != 0 {
		t.Fatalf("servers after terminate = %d", sim.Servers())
	}
	if err := d.Terminate(ctx, r); err != provisioning.ErrNotFound {
		t.Fatalf("terminate again: %v, want ErrNotFound", err)
	}
	if err := d.Suspend(ctx, r); err != provisioning.ErrNotFound {
		t.Fatalf("suspend after terminate: %v", err)
	}
	// by numeric id too
	if err := d.Suspend(ctx, provisioning.Ref{PlatformServiceID: c.PlatformServiceID}); err != provisioning.ErrNotFound {
		t.Fatalf("suspend by id after terminate: %v", err)
	}
	if st := status(t, d, r); st.State != "unknown" {
		t.Fatalf("status after terminate = %q", st.State)
	}
}

func TestCreateIdempotentAndUserReused(t *testing.T) {
	sim, d := setup(t)
	ctx := context.Background()
	a, err := d.Create(ctx, createReq("100", "7"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := d.Create(ctx, createReq("100", "7"))
	if err != nil {
		t.Fatal(err)
	}
	if sim.Servers() != 1 || a.PlatformServiceID != b.PlatformServiceID {
		t.Fatalf("servers=%d a=%s b=%s", sim.Servers(), a.PlatformServiceID, b.PlatformServiceID)
	}
	if _, ok := b.Credentials["password"]; ok {
		t.Fatal("second create must not return a password it did not set")
	}
	req := createReq("101", "7")
	req.Options["game"] = "rust"
	c, err := d.Create(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if sim.Servers() != 2 || sim.Users() != 1 || c.PlatformUserID != a.PlatformUserID {
		t.Fatalf("servers=%d users=%d user a=%s c=%s", sim.Servers(), sim.Users(), a.PlatformUserID, c.PlatformUserID)
	}
	if srv, _ := sim.Server("101"); srv.Egg != 6 || srv.Env["HOSTNAME"] != "A Rust Server" {
		t.Fatalf("rust server = %+v", srv)
	}
	// a customer without our external id but with the same email is found by email
	req = createReq("102", "")
	req.Customer.Email = "JANE7@example.com"
	if _, err := d.Create(ctx, req); err != nil {
		t.Fatal(err)
	}
	if sim.Users() != 1 || sim.Servers() != 3 {
		t.Fatalf("users=%d servers=%d", sim.Users(), sim.Servers())
	}
	// unknown game: permanent, nothing created
	req = createReq("103", "7")
	req.Options["game"] = "tetris"
	var pe *provisioning.Error
	if _, err := d.Create(ctx, req); !errors.As(err, &pe) || !pe.Permanent || !strings.Contains(pe.Message, "tetris") {
		t.Fatalf("unknown game: %v", err)
	}
}

func TestDroppedCreateResponseThenRetry(t *testing.T) {
	sim, d := setup(t)
	ctx := context.Background()
	if _, err := d.Create(ctx, createReq("200", "9")); err != nil { // user exists now
		t.Fatal(err)
	}
	sim.DropNextResponse() // the next mutation is POST /servers
	_, err := d.Create(ctx, createReq("201", "9"))
	var pe *provisioning.Error
	if !errors.As(err, &pe) || pe.Permanent {
		t.Fatalf("dropped response: err = %v, want retryable", err)
	}
	if sim.Servers() != 2 {
		t.Fatalf("panel did the work: servers = %d", sim.Servers())
	}
	c, err := d.Create(ctx, createReq("201", "9"))
	if err != nil || c.PlatformServiceID == "" {
		t.Fatalf("retry: %+v %v", c, err)
	}
	if sim.Servers() != 2 {
		t.Fatalf("servers after retry = %d, want 2", sim.Servers())
	}

	// dropped POST /users for a new customer: retry reuses the user
	sim.DropNextResponse()
	if _, err := d.Create(ctx, createReq("202", "10")); err == nil {
		t.Fatal("want error on dropped user create")
	}
	if _, err := d.Create(ctx, createReq("202", "10")); err != nil {
		t.Fatal(err)
	}
	if sim.Users() != 2 || sim.Servers() != 3 {
		t.Fatalf("users=%d servers=%d", sim.Users(), sim.Servers())
	}
}

func TestWrongKeyIsPermanent(t *testing.T) {
	sim, _ := setup(t)
	u, stop := sim.Start()
	defer stop()
	d, err := New(Config{URL: u, AppKey: "ptla_wrongwrongwrongwrongwrongwrongwrongwrongwr", ClientKey: testClientKey})
	if err != nil {
		t.Fatal(err)
	}
	_, err = d.Create(context.Background(), createReq("300", "1"))
	var pe *provisioning.Error
	if !errors.As(err, &pe) || !pe.Permanent || pe.Status != 401 ||
		!strings.Contains(pe.Message, "401 Unauthenticated.") || !strings.Contains(pe.Message, "/api/application/") {
		t.Fatalf("err = %#v", err)
	}
	// application key on the client API: 403
	d2, _ := New(Config{URL: u, AppKey: testAppKey, ClientKey: testAppKey})
	if _, err := d2.Create(context.Background(), createReq("301", "1")); err != nil {
		t.Fatal(err)
	}
	err = d2.Power(context.Background(), provisioning.Ref{ServiceID: "301"}, provisioning.PowerStart)
	if !errors.As(err, &pe) || !pe.Permanent || pe.Status != 403 || !strings.Contains(pe.Message, "application API key") {
		t.Fatalf("app key on client api: %v", err)
	}
	// no client key: power unsupported, status panel-only
	d3, _ := New(Config{URL: u, AppKey: testAppKey})
	if err := d3.Power(context.Background(), provisioning.Ref{ServiceID: "301"}, provisioning.PowerStart); err != provisioning.ErrNotSupported {
		t.Fatalf("power without client key: %v", err)
	}
	if m, err := d3.Status(context.Background(), []provisioning.Ref{{ServiceID: "301"}}); err != nil || m["301"].State != "unknown" || len(m["301"].IPs) != 1 {
		t.Fatalf("status without client key: %+v %v", m, err)
	}
}

func TestServerErrorThenSuccess(t *testing.T) {
	sim, d := setup(t)
	sim.FailNext(1, http.StatusServiceUnavailable, 0)
	_, err := d.Create(context.Background(), createReq("400", "1"))
	var pe *provisioning.Error
	if !errors.As(err, &pe) || pe.Permanent || pe.Status != 503 {
		t.Fatalf("503: %v", err)
	}
	if _, err := d.Create(context.Background(), createReq("400", "1")); err != nil {
		t.Fatalf("after 503: %v", err)
	}
	if sim.Servers() != 1 {
		t.Fatalf("servers = %d", sim.Servers())
	}
}

func TestRateLimited(t *testing.T) {
	sim, d := setup(t)
	sim.FailNext(1, http.StatusTooManyRequests, 7*time.Second)
	err := d.Suspend(context.Background(), provisioning.Ref{ServiceID: "x"})
	var pe *provisioning.Error
	if !errors.As(err, &pe) || pe.Permanent || pe.Status != 429 || pe.RetryAfter != 7*time.Second ||
		!strings.Contains(pe.Message, "Too Many Attempts.") {
		t.Fatalf("429: %#v", err)
	}
}

func TestTimeoutIsRetryable(t *testing.T) {
	sim := pterodactylsim.New(testAppKey, testClientKey)
	u, stop := sim.Start()
	defer stop()
	d, _ := New(Config{URL: u, AppKey: testAppKey, ClientKey: testClientKey,
		HTTPClient: &http.Client{Timeout: 50 * time.Millisecond}})
	sim.SetLatency(500 * time.Millisecond)
	err := d.Suspend(context.Background(), provisioning.Ref{ServiceID: "x"})
	var pe *provisioning.Error
	if !errors.As(err, &pe) || pe.Permanent {
		t.Fatalf("timeout: %v", err)
	}
	sim.SetLatency(0)
}

func TestValidationErrorFromPanel(t *testing.T) {
	sim, d := setup(t)
	cfg := planConfigMap()
	cfg["environment"] = map[string]any{"SERVER_JARFILE": ""} // required egg variable
	req := createReq("500", "1")
	req.Config = cfg
	_, err := d.Create(context.Background(), req)
	var pe *provisioning.Error
	if !errors.As(err, &pe) || !pe.Permanent || pe.Status != 422 ||
		!strings.Contains(pe.Message, "The Server Jar File variable field is required. [environment.SERVER_JARFILE]") {
		t.Fatalf("422: %v", err)
	}
	if sim.Servers() != 0 {
		t.Fatal("no server on 422")
	}
	// a nest/egg pair the panel does not know
	cfg = planConfigMap()
	cfg["nest_id"] = float64(2)
	req.Config = cfg
	if _, err := d.Create(context.Background(), req); !errors.As(err, &pe) || !pe.Permanent || !strings.Contains(pe.Message, "egg 5 not found in nest 2") {
		t.Fatalf("bad egg: %v", err)
	}
}

func TestValidateConfig(t *testing.T) {
	d, err := New(Config{URL: "https://panel.example.com", AppKey: testAppKey})
	if err != nil {
		t.Fatal(err)
	}
	mod := func(f func(m map[string]any)) map[string]any {
		m := planConfigMap()
		f(m)
		return m
	}
	tests := []struct {
		name string
		cfg  map[string]any
		want string // "" = valid
	}{
		{"valid", planConfigMap(), ""},
		{"valid ints and extras", mod(func(m map[string]any) {
			m["location_id"] = 3
			m["docker_image"] = "ghcr.io/pterodactyl/yolks:java_21"
			m["startup"] = "java -jar server.jar"
			m["port_range"] = []any{"25565", "25570-25580"}
			delete(m["feature_limits"].(map[string]any), "allocations")
			m["limits"].(map[string]any)["swap"] = float64(-1)
		}), ""},
		{"nil", nil, "empty"},
		{"missing location", mod(func(m map[string]any) { delete(m, "location_id") }), "location_id is required"},
		{"string nest", mod(func(m map[string]any) { m["nest_id"] = "one" }), "nest_id must be a whole number"},
		{"fractional", mod(func(m map[string]any) { m["nest_id"] = 1.5 }), "nest_id must be a whole number"},
		{"zero location", mod(func(m map[string]any) { m["location_id"] = float64(0) }), "location_id must be between 1"},
		{"no eggs", mod(func(m map[string]any) { delete(m, "eggs") }), "eggs is required"},
		{"empty eggs", mod(func(m map[string]any) { m["eggs"] = map[string]any{} }), "at least one game"},
		{"eggs not map", mod(func(m map[string]any) { m["eggs"] = []any{5} }), "eggs must be an object"},
		{"bad egg id", mod(func(m map[string]any) { m["eggs"] = map[string]any{"mc": "x"} }), "eggs.mc must be a whole number"},
		{"no limits", mod(func(m map[string]any) { delete(m, "limits") }), "limits is required"},
		{"no memory", mod(func(m map[string]any) { delete(m["limits"].(map[string]any), "memory") }), "limits.memory is required"},
		{"io range", mod(func(m map[string]any) { m["limits"].(map[string]any)["io"] = float64(5) }), "limits.io must be between 10 and 1000"},
		{"swap range", mod(func(m map[string]any) { m["limits"].(map[string]any)["swap"] = float64(-2) }), "limits.swap must be between -1"},
		{"limits typo", mod(func(m map[string]any) { m["limits"].(map[string]any)["ram"] = float64(1) }), "unknown key(s): limits.ram"},
		{"no feature limits", mod(func(m map[string]any) { delete(m, "feature_limits") }), "feature_limits is required"},
		{"no backups", mod(func(m map[string]any) { delete(m["feature_limits"].(map[string]any), "backups") }), "feature_limits.backups is required"},
		{"unknown key", mod(func(m map[string]any) { m["egg_id"] = 5 }), "unknown key(s): egg_id"},
		{"empty image", mod(func(m map[string]any) { m["docker_image"] = "" }), "docker_image must be a non-empty string"},
		{"env not map", mod(func(m map[string]any) { m["environment"] = "X=1" }), "environment must be an object"},
		{"env nested", mod(func(m map[string]any) { m["environment"] = map[string]any{"X": []any{1}} }), "environment.X must be"},
		{"bad port range", mod(func(m map[string]any) { m["port_range"] = []any{"25565-2"} }), "port_range entry"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := d.ValidateConfig(tc.cfg)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			var pe *provisioning.Error
			if !errors.As(err, &pe) || !pe.Permanent || !strings.Contains(pe.Message, tc.want) {
				t.Fatalf("err = %v, want containing %q", err, tc.want)
			}
		})
	}
}

func TestNewChecksConfig(t *testing.T) {
	if _, err := New(Config{URL: "panel.example.com", AppKey: "k"}); err == nil {
		t.Fatal("want error for URL without scheme")
	}
	if _, err := New(Config{URL: "https://panel.example.com"}); err == nil {
		t.Fatal("want error for missing AppKey")
	}
}

func TestNoAcceptHeaderRedirects(t *testing.T) {
	sim := pterodactylsim.New(testAppKey, testClientKey)
	u, stop := sim.Start()
	defer stop()
	req, _ := http.NewRequest(http.MethodGet, u+"/api/application/users", nil)
	req.Header.Set("Authorization", "Bearer "+testAppKey)
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("status = %d", resp.StatusCode)
	}
}

func TestUserFoundByEmailAcrossPages(t *testing.T) {
	sim, d := setup(t)
	old := userPageSize
	userPageSize = 1
	defer func() { userPageSize = old }()
	ctx := context.Background()
	// partial matches of "ann@example.com" created first
	for i, email := range []string{"joann@example.com", "marieann@example.com", "ann@example.com"} {
		req := createReq(fmt.Sprint(600+i), "")
		req.Customer.Email = email
		if _, err := d.Create(ctx, req); err != nil {
			t.Fatal(err)
		}
	}
	if sim.Users() != 3 {
		t.Fatalf("users = %d, want 3 (partial matches must not be reused)", sim.Users())
	}
	req := createReq("610", "")
	req.Customer.Email = "ann@example.com"
	c, err := d.Create(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	first, _ := sim.Server("602")
	if sim.Users() != 3 || c.PlatformUserID != fmt.Sprint(first.User) {
		t.Fatalf("users=%d user=%s want %d", sim.Users(), c.PlatformUserID, first.User)
	}
}
