package server

import (
	"io/fs"
	"net/http"
	"strings"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"

	pbpublic "github.com/ezscale/ezscale/pb_public"
)

// portalCSP allows the portal's own files, PocketBase's API and realtime on
// the same origin, data: images (the TOTP QR code) and Stripe.js, which
// card entry loads from Stripe's own host.
const portalCSP = "default-src 'self'; " +
	"script-src 'self' https://js.stripe.com; " +
	"frame-src https://js.stripe.com https://hooks.stripe.com; " +
	"connect-src 'self' https://api.stripe.com; " +
	"img-src 'self' data:; style-src 'self' 'unsafe-inline'; " +
	"base-uri 'self'; form-action 'self'; frame-ancestors 'none'; object-src 'none'"

// bindPortal serves the customer portal (a single-page app) for every GET
// no other route takes; a path the portal does not know gets index.html
// and the portal's own "not found" page.
func bindPortal(app core.App) {
	files := pbpublic.Portal()
	static := apis.Static(files, true)
	staffFiles, err := fs.Sub(files, "staff")
	if err != nil {
		panic(err) // a constant, valid path
	}
	staff := apis.Static(staffFiles, true)
	app.OnServe().Bind(&hook.Handler[*core.ServeEvent]{
		Func: func(e *core.ServeEvent) error {
			if _, err := fs.Stat(files, "index.html"); err != nil {
				e.App.Logger().Warn("the portal is not built into this binary: run `make portal` before `go build`")
			}
			// The staff console is its own app under /staff/ (its own index
			// for its own routes); its assets are the portal's, under /assets/.
			e.Router.GET("/staff", func(re *core.RequestEvent) error {
				return re.Redirect(http.StatusMovedPermanently, "/staff/")
			})
			e.Router.GET("/staff/{path...}", func(re *core.RequestEvent) error {
				setPortalHeaders(re)
				return staff(re)
			})
			if !e.Router.HasRoute(http.MethodGet, "/{path...}") {
				e.Router.GET("/{path...}", func(re *core.RequestEvent) error {
					// An API path no route took is a missing resource, not a page.
					if strings.HasPrefix(re.Request.URL.Path, "/api/") {
						return re.NotFoundError("", nil)
					}
					setPortalHeaders(re)
					return static(re)
				})
			}
			return e.Next()
		},
		Priority: 999, // after every other route
	})
}

// setPortalHeaders sets caching and security headers for the portal's and
// the staff console's files.
func setPortalHeaders(re *core.RequestEvent) {
	h := re.Response.Header()
	// Built assets carry a content hash in their name: cache them
	// for good. The HTML must always be fresh to pick them up.
	if strings.HasPrefix(re.Request.URL.Path, "/assets/") {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	h.Set("Content-Security-Policy", portalCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
}
