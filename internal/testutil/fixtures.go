package testutil

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
)

// API serves an app's HTTP API in process, the way tests.ApiScenario does:
// apis.NewRouter plus the app's OnServe hooks, so routes and middlewares
// that hooks add are served too. Build one API per app: every router binds
// PocketBase's realtime broadcast hooks to the app again, and a second
// router would make each realtime message arrive twice.
type API struct {
	handler http.Handler
	clients atomic.Uint32
}

// NewAPI builds the router of app.
func NewAPI(t testing.TB, app core.App) *API {
	t.Helper()
	router, err := apis.NewRouter(app)
	if err != nil {
		t.Fatalf("router: %v", err)
	}
	a := &API{}
	serve := &core.ServeEvent{App: app, Router: router}
	err = app.OnServe().Trigger(serve, func(e *core.ServeEvent) error {
		mux, err := e.Router.BuildMux()
		a.handler = mux
		return err
	})
	if err != nil {
		t.Fatalf("serve hooks: %v", err)
	}
	return a
}

// Handler is the API's handler, e.g. for an httptest.Server.
func (a *API) Handler() http.Handler { return a.handler }

// Response is a recorded API response.
type Response struct {
	Status int
	Body   []byte
}

// Do sends a request as the holder of token ("" = anonymous) with body
// encoded as JSON (nil = no body); a body that cannot be encoded is a bug
// in the test and panics. Each request comes from its own client
// address so PocketBase's per-IP throttle of repeated empty filtered lists
// (a timing attack counter measure) does not slow the tests down.
func (a *API) Do(method, path, token string, body any) *Response {
	var reader io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			panic(fmt.Sprintf("%s %s: encode body: %v", method, path, err))
		}
		reader = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, path, reader)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	n := a.clients.Add(1)
	req.RemoteAddr = fmt.Sprintf("10.%d.%d.%d:40000", n>>16&0xff, n>>8&0xff, n&0xff)
	return a.Send(req)
}

// Send serves req as it is (its own headers and client address).
func (a *API) Send(req *http.Request) *Response {
	rec := httptest.NewRecorder()
	a.handler.ServeHTTP(rec, req)
	return &Response{Status: rec.Code, Body: rec.Body.Bytes()}
}

// Object decodes the body as one JSON object (a record or an error).
func (r *Response) Object(t testing.TB) map[string]any {
	t.Helper()
	var out map[string]any
	if err := json.Unmarshal(r.Body, &out); err != nil {
		t.Fatalf("response %d is not a JSON object: %v\n%s", r.Status, err, r.Body)
	}
	return out
}

// Items decodes the body as a PocketBase list and returns its items.
func (r *Response) Items(t testing.TB) []map[string]any {
	t.Helper()
	var out struct {
		Items []map[string]any `json:"items"`
	}
	if err := json.Unmarshal(r.Body, &out); err != nil {
		t.Fatalf("response %d is not a list: %v\n%s", r.Status, err, r.Body)
	}
	return out.Items
}

// IDs returns the ids of a list response's items.
func (r *Response) IDs(t testing.TB) []string {
	t.Helper()
	items := r.Items(t)
	ids := make([]string, 0, len(items))
	for _, it := range items {
		id, _ := it["id"].(string)
		ids = append(ids, id)
	}
	return ids
}
