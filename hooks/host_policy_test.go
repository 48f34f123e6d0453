package hooks_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/config"
	"github.com/ezscale/ezscale/internal/testutil"
)

// hostLayoutAPI builds the app with env's domain layout. The dashboard,
// the staff console and the portal are served by PocketBase and
// internal/server, not the hooks: stand-ins answering 200 take their
// paths, so only the policy can turn a request away.
func hostLayoutAPI(t *testing.T, env map[string]string, trustedProxy bool) *testutil.API {
	t.Helper()
	base := testutil.Config()
	cfg, err := config.FromEnv(func(k string) string {
		switch k {
		case "EZ_ENCRYPTION_KEY":
			return string(base.EncryptionKey)
		case "EZ_RATE_LIMITS":
			return "false"
		case "EZ_TRUSTED_PROXY_HEADERS":
			if trustedProxy {
				return "CF-Connecting-IP"
			}
		}
		return env[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	app := testutil.NewAppWith(t, cfg)
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		ok := func(e *core.RequestEvent) error { return e.String(http.StatusOK, "page") }
		se.Router.GET("/_/{path...}", ok)
		se.Router.GET("/staff/{path...}", ok)
		se.Router.GET("/{path...}", ok)
		return se.Next()
	})
	return testutil.NewAPI(t, app)
}

func TestHostPolicy(t *testing.T) {
	split := hostLayoutAPI(t, map[string]string{"EZ_ADMIN_HOST": "admin.ezscale.test", "EZ_PORTAL_HOST": "my.ezscale.test"}, false)
	single := hostLayoutAPI(t, nil, false)
	for _, p := range []struct {
		method, path string
		split        map[string]int // status by Host header, both hosts set
		single       int            // status on any host, neither set
	}{
		{"GET", "/_/", map[string]int{"admin.ezscale.test": 200, "my.ezscale.test": 404, "other.test": 404}, 200},
		{"GET", "/staff/customers", map[string]int{"admin.ezscale.test": 200, "my.ezscale.test": 404, "other.test": 404}, 200},
		{"GET", "/api/staff/analytics", map[string]int{"admin.ezscale.test": 401, "my.ezscale.test": 404}, 401},
		{"POST", "/api/collections/_superusers/auth-with-password", map[string]int{"admin.ezscale.test": 400, "my.ezscale.test": 404}, 400},
		{"GET", "/api/collections", map[string]int{"admin.ezscale.test": 401, "my.ezscale.test": 404}, 401},
		{"GET", "/invoices", map[string]int{"my.ezscale.test": 200, "MY.ezscale.test:443": 200, "admin.ezscale.test": 404, "other.test": 404}, 200},
		{"GET", "/", map[string]int{"my.ezscale.test": 200, "admin.ezscale.test": 302}, 200},
		{"GET", "/assets/app.js", map[string]int{"my.ezscale.test": 200, "admin.ezscale.test": 200}, 200},
		{"GET", "/api/currencies", map[string]int{"my.ezscale.test": 200, "admin.ezscale.test": 200, "other.test": 200}, 200},
		{"GET", "/api/collections/plans/records", map[string]int{"my.ezscale.test": 200, "admin.ezscale.test": 200}, 200},
		{"POST", "/api/collections/customers/auth-with-password", map[string]int{"my.ezscale.test": 400, "admin.ezscale.test": 400}, 400},
	} {
		for host, want := range p.split {
			for _, c := range []struct {
				layout string
				api    *testutil.API
				want   int
			}{{"split", split, want}, {"single", single, p.single}} {
				req := httptest.NewRequest(p.method, p.path, strings.NewReader("{}"))
				req.Header.Set("Content-Type", "application/json")
				req.Host = host
				if got := c.api.Send(req).Status; got != c.want {
					t.Errorf("%s layout: %s %s on %s = %d, want %d", c.layout, p.method, p.path, host, got, c.want)
				}
			}
		}
	}
}

// TestHostPolicyForwardedHost: X-Forwarded-Host names the host only when
// the app trusts a proxy; otherwise a client could claim the admin host.
func TestHostPolicyForwardedHost(t *testing.T) {
	split := map[string]string{"EZ_ADMIN_HOST": "admin.ezscale.test", "EZ_PORTAL_HOST": "my.ezscale.test"}
	for _, c := range []struct {
		trusted bool
		want    int
	}{{false, 404}, {true, 200}} {
		api := hostLayoutAPI(t, split, c.trusted)
		req := httptest.NewRequest("GET", "/_/", nil)
		req.Host = "my.ezscale.test"
		req.Header.Set("X-Forwarded-Host", "admin.ezscale.test")
		if got := api.Send(req).Status; got != c.want {
			t.Errorf("trusted proxy %v: /_/ forwarded for the admin host = %d, want %d", c.trusted, got, c.want)
		}
	}
}

// TestHostLayoutRefused: a half or ambiguous layout is a startup error.
func TestHostLayoutRefused(t *testing.T) {
	for _, env := range []map[string]string{
		{"EZ_ADMIN_HOST": "admin.ezscale.test"},
		{"EZ_PORTAL_HOST": "my.ezscale.test"},
		{"EZ_ADMIN_HOST": "same.test", "EZ_PORTAL_HOST": "SAME.test"},
		{"EZ_ADMIN_HOST": "https://admin.ezscale.test", "EZ_PORTAL_HOST": "my.ezscale.test"},
	} {
		if _, err := config.FromEnv(func(k string) string { return env[k] }); err == nil {
			t.Errorf("%v: accepted", env)
		}
	}
}
