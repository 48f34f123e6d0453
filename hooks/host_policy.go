package hooks

import (
	"net"
	"net/http"
	"path"
	"strings"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"

	"github.com/ezscale/ezscale/internal/config"
)

// hostPolicy is the business's domain layout (EZ_ADMIN_HOST,
// EZ_PORTAL_HOST): the staff side answers only on the admin host, which
// can then sit behind Cloudflare Zero Trust on its own, and the portal
// only on the portal host. Elsewhere they answer 404, as if absent. The
// customer API answers on any host: the staff console reads records through
// it, and gateways post webhooks to the public address.
type hostPolicy struct {
	admin, portal string
}

// bindHostPolicy applies the layout to every route; without it (both
// hosts unset) one host serves everything, as before.
func bindHostPolicy(app core.App, cfg *config.Config) {
	if cfg.AdminHost == "" {
		return
	}
	p := hostPolicy{admin: cfg.AdminHost, portal: cfg.PortalHost}
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.Bind(&hook.Handler[*core.RequestEvent]{
			Id:       "ezscaleHostPolicy",
			Priority: apis.DefaultCorsMiddlewarePriority - 2, // before anything reads or limits the request
			Func:     p.serve,
		})
		return se.Next()
	})
}

func (p hostPolicy) serve(e *core.RequestEvent) error {
	host := requestHost(e)
	onAdmin := sameHost(p.admin, host)
	switch urlPath := e.Request.URL.Path; {
	case adminPath(urlPath):
		if !onAdmin {
			return e.NotFoundError("", nil)
		}
	case portalPage(urlPath):
		if onAdmin && urlPath == "/" {
			return e.Redirect(http.StatusFound, "/_/")
		}
		if !sameHost(p.portal, host) {
			return e.NotFoundError("", nil)
		}
	}
	return e.Next()
}

// adminPath reports whether a path is the staff side's: PocketBase's
// dashboard and its administration APIs, the superusers' sign-in, the
// staff console and the staff API.
func adminPath(p string) bool {
	for _, prefix := range []string{"/_/", "/staff/", "/api/staff/", "/api/collections/_superusers/",
		"/api/settings", "/api/backups", "/api/logs", "/api/crons", "/api/collections/meta/"} {
		if strings.HasPrefix(p, prefix) || p+"/" == prefix {
			return true
		}
	}
	// Collection schemas (/api/collections and /api/collections/{name}),
	// not their records or their customers' sign-in.
	rest, ok := strings.CutPrefix(p, "/api/collections")
	return ok && !strings.Contains(strings.TrimPrefix(rest, "/"), "/")
}

// portalPage reports whether a path is one of the portal's pages. Files
// with an extension (the built assets, the icon) are shared with the staff
// console and answer on every host.
func portalPage(p string) bool {
	if strings.HasPrefix(p, "/api/") || p == "/api" || strings.HasPrefix(p, "/assets/") {
		return false
	}
	return path.Ext(p) == ""
}

// requestHost is the host the client asked for, lower-case. Cloudflare
// keeps the original Host; behind a proxy the app trusts (PocketBase's
// trusted proxy settings name its headers) X-Forwarded-Host carries it.
// From anyone else X-Forwarded-Host is ignored: it would let a client
// reach the admin side through the portal's hostname.
func requestHost(e *core.RequestEvent) string {
	host := e.Request.Host
	proxy := e.App.Settings().TrustedProxy
	if fwd := e.Request.Header.Get("X-Forwarded-Host"); fwd != "" && len(proxy.Headers) > 0 {
		hosts := strings.Split(fwd, ",")
		host = hosts[len(hosts)-1]
		if proxy.UseLeftmostIP {
			host = hosts[0]
		}
	}
	return strings.ToLower(strings.TrimSpace(host))
}

// sameHost compares a configured host with a request's; a configured host
// without a port matches on any port.
func sameHost(want, got string) bool {
	if got == want {
		return true
	}
	if _, _, err := net.SplitHostPort(want); err == nil {
		return false
	}
	h, _, err := net.SplitHostPort(got)
	return err == nil && h == want
}
