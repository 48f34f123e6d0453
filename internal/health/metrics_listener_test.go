package health_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/ezscale/ezscale/internal/health"
	"github.com/ezscale/ezscale/internal/testutil"
)

func TestMetricsListenOnTheirOwnAddress(t *testing.T) {
	app := testutil.NewApp(t)
	api := testutil.NewAPI(t, app)
	if r := api.Do(http.MethodGet, "/metrics", "", nil); strings.Contains(string(r.Body), "ezscale_") {
		t.Fatalf("the public listener serves metrics: %d", r.Status)
	}
	srv, addr, err := health.Serve(app, "127.0.0.1:0", &health.Checker{App: app})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	for path, want := range map[string]string{
		"/metrics":     `ezscale_provisioning_jobs{status="pending"} 0`,
		"/health/deep": `"healthy":true`,
	} {
		res, err := http.Get("http://" + addr.String() + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
			t.Errorf("%s: %d, want %s in the body", path, res.StatusCode, want)
		}
	}
	if _, _, err := health.Serve(app, addr.String(), &health.Checker{App: app}); err == nil {
		t.Error("a second listener on a taken address: no error")
	}
}
