package hooks_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/config"
	"github.com/ezscale/ezscale/internal/testutil"
)

// servedLikeProduction is the app's router with the CORS middleware
// `serve` adds (any origin, PocketBase's default), so the origin policy is
// tested against what production runs.
func servedLikeProduction(t *testing.T, env map[string]string) http.Handler {
	t.Helper()
	env["EZ_ENCRYPTION_KEY"], env["EZ_RATE_LIMITS"] = "0123456789abcdef0123456789abcdef", "false"
	cfg, err := config.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	app := testutil.NewAppWith(t, cfg)
	router, err := apis.NewRouter(app)
	if err != nil {
		t.Fatal(err)
	}
	router.Bind(apis.CORS(apis.CORSConfig{AllowOrigins: []string{"*"},
		AllowMethods: []string{http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodDelete}}))
	var mux http.Handler
	err = app.OnServe().Trigger(&core.ServeEvent{App: app, Router: router}, func(e *core.ServeEvent) error {
		m, err := e.Router.BuildMux()
		mux = m
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return mux
}

// TestOriginPolicy: only the portal's own origins (EZ_PUBLIC_URL and
// EZ_CORS_ORIGINS) get CORS headers, and an https portal sends HSTS.
func TestOriginPolicy(t *testing.T) {
	mux := servedLikeProduction(t, map[string]string{"EZ_PUBLIC_URL": "https://my.ezscale.test", "EZ_CORS_ORIGINS": "https://staging.ezscale.test"})
	tests := []struct {
		name, method, origin string
		cors                 bool
	}{
		{"the portal", http.MethodGet, "https://my.ezscale.test", true},
		{"the portal, upper case", http.MethodGet, "https://MY.ezscale.test", true},
		{"staging", http.MethodGet, "https://staging.ezscale.test", true},
		{"another site", http.MethodGet, "https://evil.example", false},
		{"the portal's host over http", http.MethodGet, "http://my.ezscale.test", false},
		{"another site's preflight", http.MethodOptions, "https://evil.example", false},
		{"the portal's preflight", http.MethodOptions, "https://my.ezscale.test", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, "/api/collections/plans/records", nil)
			req.Header.Set("Origin", tt.origin)
			if tt.method == http.MethodOptions {
				req.Header.Set("Access-Control-Request-Method", http.MethodPost)
			}
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, req)
			if got := rec.Header().Get("Access-Control-Allow-Origin") != ""; got != tt.cors {
				t.Errorf("CORS headers %v, want %v (Access-Control-Allow-Origin %q)", got, tt.cors, rec.Header().Get("Access-Control-Allow-Origin"))
			}
			if hsts := rec.Header().Get("Strict-Transport-Security"); hsts == "" {
				t.Error("no HSTS from an https portal")
			}
		})
	}

	plain := servedLikeProduction(t, map[string]string{"EZ_PUBLIC_URL": "http://127.0.0.1:8090"})
	rec := httptest.NewRecorder()
	plain.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/health", nil))
	if hsts := rec.Header().Get("Strict-Transport-Security"); hsts != "" {
		t.Errorf("HSTS %q from an http address: a browser would refuse the dev server", hsts)
	}
}
