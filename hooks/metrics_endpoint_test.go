package hooks_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"github.com/ezscale/ezscale/internal/clock"
	"github.com/ezscale/ezscale/internal/metrics"
	"github.com/ezscale/ezscale/internal/testutil"
)

func scrapeMetrics(t *testing.T, h http.Handler) string {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("scrape: %d", rec.Code)
	}
	return rec.Body.String()
}

func TestRequestsAreCountedByRoutePattern(t *testing.T) {
	app := testutil.NewApp(t)
	api := testutil.NewAPI(t, app)
	for _, id := range []string{"firstmissingid1", "secondmissingi2"} {
		if r := api.Do(http.MethodGet, "/api/collections/plans/records/"+id, "", nil); r.Status != http.StatusNotFound {
			t.Fatalf("GET plan %s: %d", id, r.Status)
		}
	}
	api.Do(http.MethodGet, "/api/health/deep", "", nil)
	body := scrapeMetrics(t, metrics.For(app).Handler())
	want := `ezscale_http_requests_total{code="404",route="GET /api/collections/{collection}/records/{id}"} 2`
	if !strings.Contains(body, want) {
		t.Errorf("no %s in:\n%s", want, grepLines(body, "ezscale_http_requests_total"))
	}
	if !strings.Contains(body, `ezscale_http_request_duration_seconds_count{route="GET /api/collections/{collection}/records/{id}"} 2`) {
		t.Errorf("latency not observed by pattern:\n%s", grepLines(body, "ezscale_http_request_duration_seconds_count"))
	}
	if !strings.Contains(body, `ezscale_http_requests_total{code="200",route="GET /api/health/deep"} 1`) {
		t.Errorf("health request not counted:\n%s", grepLines(body, "ezscale_http_requests_total"))
	}
	if strings.Contains(body, "firstmissingid1") {
		t.Error("a raw path became a label")
	}
}

func grepLines(body, prefix string) string {
	var out []string
	for _, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func TestDeepHealthRoute(t *testing.T) {
	now := time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		stuck   bool
		status  int
		failing string
	}{
		{"healthy", false, http.StatusOK, ""},
		{"a provisioning job stuck", true, http.StatusServiceUnavailable, "provisioning"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app := testutil.NewApp(t)
			clock.Set(app, func() time.Time { return now })
			if tc.stuck {
				_, err := app.DB().Insert("provisioning_jobs", dbx.Params{"id": "stuckjob0000001", "action": "create",
					"status": "running", "locked_at": now.Add(-time.Hour).Format("2006-01-02 15:04:05.000Z")}).Execute()
				if err != nil {
					t.Fatal(err)
				}
			}
			r := testutil.NewAPI(t, app).Do(http.MethodGet, "/api/health/deep", "", nil)
			var got struct {
				Healthy bool     `json:"healthy"`
				Failing []string `json:"failing"`
			}
			if err := json.Unmarshal(r.Body, &got); err != nil {
				t.Fatalf("%d %s: %v", r.Status, r.Body, err)
			}
			if r.Status != tc.status || strings.Join(got.Failing, ",") != tc.failing || got.Healthy != (tc.failing == "") {
				t.Errorf("%d %s; want %d failing %q", r.Status, r.Body, tc.status, tc.failing)
			}
		})
	}
}
