//go:build e2e

package e2e

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ezscale/ezscale/internal/config"
	"github.com/ezscale/ezscale/internal/testutil"
)

// The customer portal calls the platform's own routes only through
// portal/src/lib/api.js (issue 20, item 14). The staff console has its own
// client (portal/src/staff/lib) and is not held to it.
const (
	portalSrc = "../portal/src"
	apiModule = "lib/api.js"
)

// TestPortalCallsGoThroughAPIModule fails when a portal file other than the
// API module sends a request of its own with pb.send(.
func TestPortalCallsGoThroughAPIModule(t *testing.T) {
	var offenders []string
	err := filepath.WalkDir(portalSrc, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(portalSrc, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == "staff" {
				return filepath.SkipDir
			}
			return nil
		}
		if rel == apiModule || !(strings.HasSuffix(rel, ".js") || strings.HasSuffix(rel, ".vue")) {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(src), "\n") {
			if strings.Contains(line, "pb.send(") {
				offenders = append(offenders, rel+":"+strconv.Itoa(i+1)+": "+strings.TrimSpace(line))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(offenders) > 0 {
		t.Errorf("call the platform's routes through portal/src/%s, not pb.send( in the page:\n%s", apiModule, strings.Join(offenders, "\n"))
	}
}

// apiCall is one route the API module calls: its method and its path with
// every ${...} of the template literal written as {}.
type apiCall struct{ method, path string }

var (
	// post('/api/...') and get(`/api/.../${id}`), the module's helpers.
	helperCall = regexp.MustCompile("\\b(post|get)\\(\\s*(['`])(/api/[^'`]*)['`]")
	// pb.send('/api/...', { method: 'DELETE' }).
	sendCall = regexp.MustCompile("pb\\.send\\(\\s*(['`])(/api/[^'`]*)['`]\\s*,\\s*\\{\\s*method:\\s*'([A-Z]+)'")
	// Every quoted route path in the module, however it is called.
	routeLiteral = regexp.MustCompile("['`]/api/")
	// ${...} in a template literal, {name} in a route pattern.
	templateParam = regexp.MustCompile(`\$\{[^}]*\}`)
	patternParam  = regexp.MustCompile(`\{[^}]*\}`)
)

// apiCalls reads the routes the API module calls. A route path it cannot
// pair with a method fails the test: the module would escape the check.
func apiCalls(t *testing.T, src string) []apiCall {
	t.Helper()
	var calls []apiCall
	for _, m := range helperCall.FindAllStringSubmatch(src, -1) {
		calls = append(calls, apiCall{strings.ToUpper(m[1]), templateParam.ReplaceAllString(m[3], "{}")})
	}
	for _, m := range sendCall.FindAllStringSubmatch(src, -1) {
		calls = append(calls, apiCall{m[3], templateParam.ReplaceAllString(m[2], "{}")})
	}
	if n := len(routeLiteral.FindAllString(src, -1)); n != len(calls) {
		t.Fatalf("%s names %d route paths but only %d are calls this test reads: call each through post(path, ...), get(path, ...) or pb.send(path, { method: '...' })", apiModule, n, len(calls))
	}
	if len(calls) == 0 {
		t.Fatalf("%s calls no route", apiModule)
	}
	return calls
}

// TestPortalAPIRoutesExist fails when the API module calls a route the
// server does not register, with the method it uses. The app is built as
// the platform runs with every gateway on (Stripe keys set, dev mode's
// PayPal simulator and sandbox), so conditional routes are registered.
func TestPortalAPIRoutesExist(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(portalSrc, apiModule))
	if err != nil {
		t.Fatal(err)
	}
	calls := apiCalls(t, string(src))

	env := map[string]string{
		"EZ_DEV": "1", "EZ_PUBLIC_URL": "http://localhost:8090", "EZ_LOG_LEVEL": "warn",
		"STRIPE_SECRET_KEY": "sk_test_routes", "STRIPE_PUBLISHABLE_KEY": "pk_test_routes",
	}
	cfg, err := config.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	mux, ok := testutil.NewAPI(t, testutil.NewAppWith(t, cfg)).Handler().(*http.ServeMux)
	if !ok {
		t.Fatal("the app's router is not an http.ServeMux: read its routes another way")
	}

	for _, c := range calls {
		req := httptest.NewRequest(c.method, strings.ReplaceAll(c.path, "{}", "x1"), nil)
		_, pattern := mux.Handler(req)
		if got := patternParam.ReplaceAllString(pattern, "{}"); got != c.method+" "+c.path {
			t.Errorf("%s %s: the server has no such route (the request matches %q)", c.method, c.path, pattern)
		}
	}
}
