package bench

import (
	"net/http"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
)

// NewHandler builds the app's HTTP handler the way `serve` does: the
// PocketBase router with what every OnServe hook adds (our routes and
// middlewares included), without listening anywhere. Call it once per app:
// apis.NewRouter binds OnServe hooks that register routes each time.
func NewHandler(app core.App) (http.Handler, error) {
	router, err := apis.NewRouter(app)
	if err != nil {
		return nil, err
	}
	var handler http.Handler
	event := new(core.ServeEvent)
	event.App = app
	event.Router = router
	event.Server = &http.Server{}
	err = app.OnServe().Trigger(event, func(e *core.ServeEvent) error {
		mux, err := e.Router.BuildMux()
		handler = mux
		return err
	})
	return handler, err
}

// withoutRateLimit turns the rate limiter off in memory only: every client
// of a load test shares one IP. Nothing is saved; restore turns it back.
func withoutRateLimit(app core.App) (restore func()) {
	limits := &app.Settings().RateLimits
	was := limits.Enabled
	limits.Enabled = false
	return func() { limits.Enabled = was }
}
