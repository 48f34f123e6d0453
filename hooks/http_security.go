package hooks

import (
	"slices"
	"strings"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"

	"github.com/ezscale/ezscale/internal/config"
)

// hstsValue keeps browsers on https for a year once they have seen it.
const hstsValue = "max-age=31536000; includeSubDomains"

// bindHTTPSecurity sets the platform's origin policy on every answer.
// PocketBase's CORS answers any origin ("*"); an Origin header that is not
// one of cfg.CORSOrigins is dropped before it runs, so the answer carries
// no CORS header and a browser keeps another site's page from reading it
// (same-origin requests never needed one). HSTS is sent when the public
// address is https.
func bindHTTPSecurity(app core.App, cfg *config.Config) {
	allowed := slices.Clone(cfg.CORSOrigins)
	hsts := strings.HasPrefix(cfg.PublicURL, "https://")
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.Bind(&hook.Handler[*core.RequestEvent]{
			Id:       "ezscaleOriginPolicy",
			Priority: apis.DefaultCorsMiddlewarePriority - 1, // before PocketBase's CORS
			Func: func(e *core.RequestEvent) error {
				if hsts {
					e.Response.Header().Set("Strict-Transport-Security", hstsValue)
				}
				if origin := e.Request.Header.Get("Origin"); origin != "" && !slices.Contains(allowed, strings.ToLower(origin)) {
					e.Request.Header.Del("Origin")
				}
				return e.Next()
			},
		})
		return se.Next()
	})
}
