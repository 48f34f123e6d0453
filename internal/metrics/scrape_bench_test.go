package metrics_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/ezscale/ezscale/internal/metrics"
	"github.com/ezscale/ezscale/internal/testutil"
)

// BenchmarkScrape is one Prometheus scrape of a seeded database (2,000
// customers by default; EZ_BENCH_CUSTOMERS or EZ_BENCH_DATA change it):
// every collector's queries at scrape time.
//
//	go test ./internal/metrics/ -run '^$' -bench Scrape -benchtime 20x
func BenchmarkScrape(b *testing.B) {
	app := testutil.SeededApp(b, 2000, io.Discard)
	h := metrics.For(app).Handler()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		if rec.Code != http.StatusOK {
			b.Fatalf("scrape: %d %s", rec.Code, rec.Body)
		}
	}
}
