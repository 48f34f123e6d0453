package virtfusion

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/ezscale/ezscale/integrations/virtfusion/virtfusionsim"
)

func TestListedServerOwnerDecodes(t *testing.T) {
	cases := []struct {
		owner string
		want  int
		bad   bool
	}{
		{`3`, 3, false},
		{`"3"`, 3, false},
		{`{"id": 3, "admin": false, "extRelationId": 42, "name": "Jane Doe"}`, 3, false},
		{`{"id": "3"}`, 3, false},
		{`null`, 0, false},
		{`{}`, 0, true},
		{`3.5`, 0, true},
		{`[3]`, 0, true},
		{`true`, 0, true},
	}
	for _, tc := range cases {
		var p serverPage
		err := json.Unmarshal([]byte(`{"current_page": 1, "last_page": 1, "data": [{"id": 9, "name": "svc-a", "commissioned": 3, "owner": `+
			tc.owner+`, "suspended": true}]}`), &p)
		if tc.bad {
			if err == nil {
				t.Errorf("owner %s: read as %+v, want an error", tc.owner, p.Data)
			}
			continue
		}
		if err != nil || len(p.Data) != 1 {
			t.Errorf("owner %s: %v", tc.owner, err)
			continue
		}
		if got := p.Data[0]; got.Owner != tc.want || got.ID != 9 || got.Name != "svc-a" || got.Commissioned != 3 || !got.Suspended {
			t.Errorf("owner %s: %+v", tc.owner, got)
		}
	}
}

// A panel answering the server list with owner objects: a retried create
// still finds the server the first one built instead of building another.
func TestCreateFindsItsServerWhenOwnersAreObjects(t *testing.T) {
	sim := virtfusionsim.New(testToken)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		sim.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		if r.Method == http.MethodGet && r.URL.Path == "/api/v1/servers" && rec.Code == http.StatusOK {
			var page map[string]any
			if err := json.Unmarshal(body, &page); err != nil {
				t.Errorf("simulator list: %v", err)
			}
			items, _ := page["data"].([]any)
			for _, it := range items {
				m := it.(map[string]any)
				m["owner"] = map[string]any{"id": m["owner"], "admin": false, "name": "Jane Doe"}
			}
			body, _ = json.Marshal(page)
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		_, _ = w.Write(body)
	}))
	t.Cleanup(front.Close)
	d, err := New(Config{URL: front.URL + "/api/v1", Token: testToken, HTTPClient: &http.Client{Timeout: 5 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	first, err := d.Create(ctx, createReq("svc1", "k3x9pq7abcde12f"))
	if err != nil {
		t.Fatal(err)
	}
	again, err := d.Create(ctx, createReq("svc1", "k3x9pq7abcde12f"))
	if err != nil {
		t.Fatalf("retried create: %v", err)
	}
	if again.PlatformServiceID != first.PlatformServiceID || sim.Servers() != 1 {
		t.Errorf("retry gave server %s (first %s), %d servers", again.PlatformServiceID, first.PlatformServiceID, sim.Servers())
	}
}
