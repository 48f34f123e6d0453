package server

import (
	"errors"
	"net"
	"net/http"
	"net/http/pprof"

	"github.com/pocketbase/pocketbase/core"
)

// BindPprof serves Go's profiler (/debug/pprof/) on *addr while the app
// serves, when *addr is set (the --pprof flag). It listens apart from the
// app's own address so it is never exposed with the API: profiles show
// request data, and a CPU profile costs the server while it runs.
func BindPprof(app core.App, addr *string) {
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		if *addr == "" {
			return e.Next()
		}
		ln, err := net.Listen("tcp", *addr)
		if err != nil {
			return err
		}
		mux := http.NewServeMux()
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		srv := &http.Server{Handler: mux}
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				e.App.Logger().Error("pprof server stopped", "error", err)
			}
		}()
		e.App.OnTerminate().BindFunc(func(te *core.TerminateEvent) error {
			_ = srv.Close()
			return te.Next()
		})
		return e.Next()
	})
}
