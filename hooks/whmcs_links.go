package hooks

import (
	"net/http"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/integrations/whmcs/oldlinks"
)

// bindWHMCSLinks keeps the links of the old WHMCS client area working on
// this host after the switch-over: each answers 301 with the portal page
// that replaced it (see oldlinks for the mapping). The redirect is not to be
// cached: where an id leads changes as later imports bring its record in,
// and the mapping is one lookup, so the browser asks again each time.
func bindWHMCSLinks(app core.App) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		for _, path := range oldlinks.Paths {
			se.Router.GET(path, func(e *core.RequestEvent) error {
				to, err := oldlinks.Target(e.App, e.Request.URL.Path, e.Request.URL.RawQuery)
				if err != nil {
					return e.InternalServerError("", err)
				}
				e.Response.Header().Set("Cache-Control", "no-cache")
				return e.Redirect(http.StatusMovedPermanently, to)
			})
		}
		return se.Next()
	})
}
