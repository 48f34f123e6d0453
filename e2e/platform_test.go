//go:build e2e

package e2e

import (
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"github.com/ezscale/ezscale/integrations/pterodactyl/pterodactylsim"
	"github.com/ezscale/ezscale/integrations/supportpal/supportpalsim"
	"github.com/ezscale/ezscale/integrations/virtfusion/virtfusionsim"
	"github.com/ezscale/ezscale/internal/config"
	"github.com/ezscale/ezscale/internal/server"
	"github.com/ezscale/ezscale/internal/standins"
	"github.com/ezscale/ezscale/internal/testutil"
)

// platform is the whole app serving on a loopback port.
type platform struct {
	URL string
	App *tests.TestApp
	// Game is the Pterodactyl simulator game servers are built on; tests
	// slow it down to watch provisioning happen.
	Game *pterodactylsim.Simulator
	// Desk is the SupportPal simulator; tests answer tickets as staff on it
	// and take it down.
	Desk *supportpalsim.Simulator
	// VPS is the VirtFusion simulator VPS are built on; tests read what
	// a server was built with from it.
	VPS *virtfusionsim.Simulator
}

// startPlatform starts the platform in dev mode (demo catalog, sandbox
// payments, simulators) with its jobs and provisioning workers running.
func startPlatform(t testing.TB) *platform {
	t.Helper()
	return servePlatform(t, testutil.NewMigratedApp(t))
}

// servePlatform starts the platform on app, a migrated app with nothing
// registered on it (e.g. a copy of a seeded database); extraEnv adds to or
// overrides its configuration (e.g. a Stripe account).
func servePlatform(t testing.TB, app *tests.TestApp, extraEnv ...map[string]string) *platform {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	// "localhost", not the IP: WebAuthn takes no IP address as relying party.
	url := fmt.Sprintf("http://localhost:%d", ln.Addr().(*net.TCPAddr).Port)

	game := pterodactylsim.New("e2e-app-key", "e2e-client-key")
	gameURL, stopGame := game.Start()
	t.Cleanup(stopGame)

	vps := virtfusionsim.New("e2e-virtfusion")
	vpsURL, stopVPS := vps.Start()
	t.Cleanup(stopVPS)

	desk := supportpalsim.New("e2e-supportpal-token", []byte("e2e-simpleauth-key"))
	deskURL, stopDesk := desk.Start()
	t.Cleanup(stopDesk)

	env := map[string]string{
		"EZ_DEV": "1", "EZ_PUBLIC_URL": url, "EZ_RATE_LIMITS": "false", "EZ_LOG_LEVEL": "warn",
		"PTERODACTYL_URL": gameURL, "PTERODACTYL_APP_KEY": "e2e-app-key", "PTERODACTYL_CLIENT_KEY": "e2e-client-key",
		"VIRTFUSION_URL": vpsURL, "VIRTFUSION_TOKEN": "e2e-virtfusion",
		"SUPPORTPAL_URL": deskURL, "SUPPORTPAL_TOKEN": "e2e-supportpal-token", "SUPPORTPAL_SSO_SECRET": "e2e-simpleauth-key",
	}
	for _, extra := range extraEnv {
		maps.Copy(env, extra)
	}
	cfg, err := config.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}

	server.DevStandIns = standins.Start
	stop, err := server.Setup(app, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)

	router, err := apis.NewRouter(app)
	if err != nil {
		t.Fatal(err)
	}
	var mux http.Handler
	err = app.OnServe().Trigger(&core.ServeEvent{App: app, Router: router}, func(e *core.ServeEvent) error {
		var err error
		mux, err = e.Router.BuildMux()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: slowRequests(t, mux)}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serve: %v", err)
		}
	}()
	t.Cleanup(func() { _ = srv.Close() })
	return &platform{URL: url, App: app, Game: game, Desk: desk, VPS: vps}
}

// slowRequests logs every request that takes over two seconds: a browser
// test that times out then says which call it waited for.
func slowRequests(t testing.TB, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		next.ServeHTTP(w, r)
		if d := time.Since(start); d > 2*time.Second && r.URL.Path != "/api/realtime" {
			t.Logf("slow request: %s %s took %s", r.Method, r.URL.Path, d.Round(time.Millisecond))
		}
	})
}
