package health

import (
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/metrics"
)

// Handler answers the deep health check: 200 when healthy, else 503 with
// the failing checks named.
func (c *Checker) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rep := c.Check(r.Context())
		status := http.StatusOK
		if !rep.Healthy {
			status = http.StatusServiceUnavailable
		}
		failing := rep.Failing()
		if failing == nil {
			failing = []string{}
		}
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]any{"healthy": rep.Healthy, "failing": failing, "checks": rep.Checks, "at": rep.At})
	})
}

// Serve starts the metrics listener on addr (EZ_METRICS_ADDR): /metrics
// for Prometheus and /health/deep, on a server of its own, apart from the
// public API. It returns the server, to shut down with the app, and the
// address it listens on.
func Serve(app core.App, addr string, c *Checker) (*http.Server, net.Addr, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics.For(app).Handler())
	mux.Handle("GET /health/deep", c.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			app.Logger().Error("metrics server stopped", "error", err)
		}
	}()
	return srv, ln.Addr(), nil
}
