package openapi_test

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"github.com/ezscale/ezscale/internal/config"
	"github.com/ezscale/ezscale/internal/openapi"
	"github.com/ezscale/ezscale/internal/testutil"
)

// routeEnv builds the app as the platform runs with every gateway on
// (Stripe keys, dev mode's PayPal simulator and sandbox), so the routes
// registered only under some configuration are registered too.
var routeEnv = map[string]string{
	"EZ_DEV": "1", "EZ_PUBLIC_URL": "http://localhost:8090", "EZ_LOG_LEVEL": "warn",
	"STRIPE_SECRET_KEY": "sk_test_routes", "STRIPE_PUBLISHABLE_KEY": "pk_test_routes",
}

// registeredRoutes are the "METHOD /pattern" of every route under /api/
// that the platform adds to PocketBase's own: the routes of the app's
// router after its serve hooks, less those of a bare PocketBase router.
func registeredRoutes(t *testing.T) map[string]bool {
	t.Helper()
	cfg, err := config.FromEnv(func(k string) string { return routeEnv[k] })
	if err != nil {
		t.Fatal(err)
	}
	app := testutil.NewAppWith(t, cfg)
	builtin, err := apis.NewRouter(app)
	if err != nil {
		t.Fatal(err)
	}
	own := map[string]bool{}
	for _, r := range routesOf(builtin.RouterGroup, "") {
		own[r] = false
	}
	r, err := apis.NewRouter(app)
	if err != nil {
		t.Fatal(err)
	}
	err = app.OnServe().Trigger(&core.ServeEvent{App: app, Router: r}, func(e *core.ServeEvent) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	routes := map[string]bool{}
	for _, route := range routesOf(r.RouterGroup, "") {
		if _, pb := own[route]; pb {
			continue
		}
		if _, path, _ := strings.Cut(route, " "); strings.HasPrefix(path, "/api/") {
			routes[route] = true
		}
	}
	return routes
}

// routesOf walks a router group's tree. PocketBase keeps a group's
// children unexported and http.ServeMux lists no patterns, so the tree is
// read by reflection; only strings are read.
func routesOf(g *router.RouterGroup[*core.RequestEvent], prefix string) []string {
	var out []string
	children := reflect.ValueOf(g).Elem().FieldByName("children")
	for i := 0; i < children.Len(); i++ {
		child := children.Index(i).Elem() // a *RouterGroup or a *Route
		v := child.Elem()
		switch {
		case v.FieldByName("Prefix").IsValid():
			sub := (*router.RouterGroup[*core.RequestEvent])(child.UnsafePointer())
			out = append(out, routesOf(sub, prefix+sub.Prefix)...)
		default:
			method := v.FieldByName("Method").String()
			if method == "" {
				method = "ANY"
			}
			out = append(out, method+" "+prefix+v.FieldByName("Path").String())
		}
	}
	return out
}

// document is the embedded document, decoded.
type document struct {
	OpenAPI string                                `json:"openapi"`
	Paths   map[string]map[string]json.RawMessage `json:"paths"`
}

type operation struct {
	Summary    string            `json:"summary"`
	Security   []json.RawMessage `json:"security"`
	Responses  map[string]any    `json:"responses"`
	Parameters []struct {
		Name string `json:"name"`
		In   string `json:"in"`
	} `json:"parameters"`
}

func decoded(t *testing.T) document {
	t.Helper()
	var doc document
	if err := json.Unmarshal(openapi.Document(), &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi.json is OpenAPI %q, want 3.1.0", doc.OpenAPI)
	}
	return doc
}

// recordPath is PocketBase's record API of one collection, which the
// document describes per collection customers may use.
var recordPath = regexp.MustCompile(`^/api/collections/([^/{}]+)/records(/\{id\})?$`)

var pathParam = regexp.MustCompile(`\{([^}.]+)(\.\.\.)?\}`)

// TestOpenAPIMatchesRoutes fails when a route the platform registers under
// /api/ is not in the document, or the document has a route the platform
// does not register, method by method.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	registered := registeredRoutes(t)
	documented := map[string]bool{}
	for path, ops := range decoded(t).Paths {
		if recordPath.MatchString(path) {
			continue
		}
		for method := range ops {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	for _, r := range slices.Sorted(maps.Keys(registered)) {
		if !documented[r] {
			t.Errorf("%s is registered but not in internal/openapi/openapi.json", r)
		}
	}
	for _, r := range slices.Sorted(maps.Keys(documented)) {
		if !registered[r] {
			t.Errorf("%s is in internal/openapi/openapi.json but no route registers it", r)
		}
	}
}

// TestOpenAPICollections fails when the document's record API paths differ
// from what the collections' API rules allow: an operation whose rule is
// superusers-only (nil) must not be documented, and every operation a rule
// opens must be.
func TestOpenAPICollections(t *testing.T) {
	app := testutil.NewApp(t)
	documented := map[string]bool{}
	for path, ops := range decoded(t).Paths {
		m := recordPath.FindStringSubmatch(path)
		if m == nil {
			continue
		}
		for method := range ops {
			documented[m[1]+" "+recordOp(method, m[2] != "")] = true
		}
	}
	open := map[string]bool{}
	cols, err := app.FindAllCollections()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cols {
		if c.System {
			continue
		}
		for op, rule := range map[string]*string{"list": c.ListRule, "view": c.ViewRule, "create": c.CreateRule, "update": c.UpdateRule, "delete": c.DeleteRule} {
			if rule != nil {
				open[c.Name+" "+op] = true
			}
		}
	}
	for _, k := range slices.Sorted(maps.Keys(open)) {
		if !documented[k] {
			t.Errorf("%s: the collection's rule allows it but openapi.json does not document it", k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(documented)) {
		if !open[k] {
			t.Errorf("%s: documented in openapi.json but the collection's rule is superusers-only (or there is no such collection)", k)
		}
	}
}

func recordOp(method string, one bool) string {
	switch {
	case method == "get" && !one:
		return "list"
	case method == "get":
		return "view"
	case method == "post" && !one:
		return "create"
	case method == "patch" && one:
		return "update"
	case method == "delete" && one:
		return "delete"
	}
	return "unknown " + method
}

// TestOpenAPIOperations holds every operation to the minimum: a summary,
// its security, its responses and each path parameter declared.
func TestOpenAPIOperations(t *testing.T) {
	for path, ops := range decoded(t).Paths {
		for method, raw := range ops {
			var op operation
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Errorf("%s %s: %v", method, path, err)
				continue
			}
			if op.Summary == "" || op.Security == nil || len(op.Responses) == 0 {
				t.Errorf("%s %s: wants a summary, security and responses", method, path)
			}
			declared := map[string]bool{}
			for _, p := range op.Parameters {
				if p.In == "path" {
					declared[p.Name] = true
				}
			}
			for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
				if !declared[m[1]] {
					t.Errorf("%s %s: path parameter %q is not declared", method, path, m[1])
				}
			}
		}
	}
}

// TestOpenAPIServed: the binary serves the document to anyone.
func TestOpenAPIServed(t *testing.T) {
	api := testutil.NewAPI(t, testutil.NewApp(t))
	res := api.Do(http.MethodGet, "/api/openapi.json", "", nil)
	if res.Status != http.StatusOK || !bytes.Equal(res.Body, openapi.Document()) {
		t.Fatalf("GET /api/openapi.json = %d, %d bytes; want 200 and the document", res.Status, len(res.Body))
	}
}
