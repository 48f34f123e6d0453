package hooks_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ezscale/ezscale/integrations/whmcs/oldlinks"
	"github.com/ezscale/ezscale/internal/testutil"
)

// get sends a request of method to path and answers its status and headers.
func whmcsLinkGet(api *testutil.API, method, path string) (int, http.Header) {
	req := httptest.NewRequest(method, path, nil)
	rec := httptest.NewRecorder()
	api.Handler().ServeHTTP(rec, req)
	return rec.Code, rec.Header()
}

// TestWHMCSLinksRedirect: the old WHMCS addresses answer 301 with the
// portal page, uncached, for anyone, signed in or not.
func TestWHMCSLinksRedirect(t *testing.T) {
	app := testutil.NewApp(t)
	alice := testutil.Customer(t, app, "alice@example.com", "USD")
	inv := testutil.Create(t, app, "invoices", map[string]any{"customer": alice.Id, "currency": "USD", "status": "draft", "whmcs_id": "5"})
	svc := testutil.Service(t, app, alice)
	svc.Set("whmcs_id", "7")
	if err := app.Save(svc); err != nil {
		t.Fatal(err)
	}
	api := testutil.NewAPI(t, app)

	cases := []struct{ method, path, want string }{
		{http.MethodGet, "/viewinvoice.php?id=5", "/billing/invoices/" + inv.Id},
		{http.MethodHead, "/viewinvoice.php?id=5", "/billing/invoices/" + inv.Id},
		{http.MethodGet, "/viewinvoice.php?id=6", "/billing/invoices"},
		{http.MethodGet, "/viewinvoice.php?id=https://evil.example/", "/billing/invoices"},
		{http.MethodGet, "/clientarea.php?action=productdetails&id=7", "/services/" + svc.Id},
		{http.MethodGet, "/clientarea.php?action=ProductDetails&id=7", "/services/" + svc.Id},
		{http.MethodGet, "/clientarea.php?action=productdetails&id=garbage", "/services"},
		{http.MethodGet, "/index.php?rp=/invoice/5/pay", "/billing/invoices/" + inv.Id},
		{http.MethodGet, "/index.php?rp=//evil.example/", "/"},
		{http.MethodGet, "/index.php/knowledgebase", "/kb"},
		{http.MethodGet, "/knowledgebase/1/some-article.html", "/kb"},
		{http.MethodGet, "/store/vps/none", "/order"},
		{http.MethodGet, "/password/reset/begin", "/forgot-password"},
	}
	for _, c := range cases {
		status, h := whmcsLinkGet(api, c.method, c.path)
		if status != http.StatusMovedPermanently || h.Get("Location") != c.want {
			t.Errorf("%s %s: %d to %q, want 301 to %q", c.method, c.path, status, h.Get("Location"), c.want)
		}
		if h.Get("Cache-Control") != "no-cache" {
			t.Errorf("%s %s: Cache-Control %q, want no-cache", c.method, c.path, h.Get("Cache-Control"))
		}
	}

	// Every registered address answers, with a path of this site.
	for _, p := range oldlinks.Paths {
		path := strings.ReplaceAll(p, "{route...}", "anything/at/all")
		status, h := whmcsLinkGet(api, http.MethodGet, path)
		if loc := h.Get("Location"); status != http.StatusMovedPermanently || !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") {
			t.Errorf("GET %s: %d to %q, want 301 to a path here", path, status, loc)
		}
	}

	// The addresses are for reading: a form posted to one is not redirected.
	if status, _ := whmcsLinkGet(api, http.MethodPost, "/clientarea.php"); status == http.StatusMovedPermanently {
		t.Errorf("POST /clientarea.php redirected")
	}
}
