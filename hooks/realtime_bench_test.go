package hooks_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/testutil"
)

// BenchmarkServiceUpdateWithDashboards measures the server's cost of one
// service update (as the status sync writes it) while n customers'
// dashboards are open, each subscribed as the portal subscribes: the
// collections with `*` (PocketBase checks the list rule once per
// subscriber and event) or the customer's own live topics (only the
// owner's connections are looked at). cpu-ms/op is the process's CPU time
// per update, the figure of the issue; ns/op is wall time.
//
//	go test ./hooks -run '^$' -bench BenchmarkServiceUpdateWithDashboards -benchtime 200x
func BenchmarkServiceUpdateWithDashboards(b *testing.B) {
	const maxDashboards = 1000
	app := testutil.NewApp(b)
	srv := httptest.NewServer(testutil.NewAPI(b, app).Handler())
	b.Cleanup(srv.Close)
	srv.Client().Transport.(*http.Transport).MaxIdleConnsPerHost = 4 * maxDashboards
	customers, services := dashboardCustomers(b, app, maxDashboards)
	topics := map[string][]string{
		"collections": {"services/*", "invoices/*", "credit_entries/*"},
		"live":        {"live/services", "live/invoices", "live/credit_entries"},
	}
	for _, mode := range []string{"collections", "live"} {
		for _, n := range []int{1, 100, 200, maxDashboards} {
			b.Run(fmt.Sprintf("%s/%d", mode, n), func(b *testing.B) {
				for i := range n {
					openDashboard(b, srv, customers[i], topics[mode])
				}
				svc := services[0] // the first dashboard's own service
				cpu := cpuTime()
				b.ResetTimer()
				i := 0
				for b.Loop() {
					i++
					svc.Set("cpu_percent", float64(i%100))
					if err := app.Save(svc); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/1000/float64(b.N), "cpu-ms/op")
			})
		}
	}
}

// dashboardCustomers creates n customers with one service each, sharing a
// plan and one password hash (hashing n passwords would dominate).
func dashboardCustomers(b *testing.B, app core.App, n int) ([]*core.Record, []*core.Record) {
	b.Helper()
	plan, _ := testutil.Plan(b, app, "dashboards", "USD", 1000)
	first := testutil.Customer(b, app, "dashboard0@example.com", "USD")
	col := first.Collection()
	hash := first.GetRaw("password").(*core.PasswordFieldValue).Hash
	customers := []*core.Record{first}
	for i := 1; i < n; i++ {
		c := core.NewRecord(col)
		c.SetEmail(fmt.Sprintf("dashboard%d@example.com", i))
		c.SetRaw("password", &core.PasswordFieldValue{Hash: hash})
		c.SetVerified(true)
		c.Set("name", fmt.Sprintf("Dashboard %d", i))
		c.Set("currency", "USD")
		if err := app.Save(c); err != nil {
			b.Fatal(err)
		}
		customers = append(customers, c)
	}
	services := make([]*core.Record, n)
	for i, c := range customers {
		services[i] = testutil.Create(b, app, "services", map[string]any{
			"customer": c.Id, "plan": plan.Id, "service_type": "vps", "platform": "virtfusion",
			"status": "active", "power_state": "online", "credentials": "sealed-secret",
		})
	}
	return customers, services
}

// openDashboard opens a dashboard's realtime connection to srv as
// customer, over SSE as a browser does, and subscribes it to topics; its
// messages are read until the benchmark ends.
func openDashboard(b *testing.B, srv *httptest.Server, customer *core.Record, topics []string) {
	b.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api/realtime", nil)
	res, err := srv.Client().Do(req)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		cancel()
		res.Body.Close()
	})
	r := bufio.NewReader(res.Body)
	var clientID string
	for clientID == "" {
		line, err := r.ReadString('\n')
		if err != nil {
			b.Fatalf("realtime connect: %v", err)
		}
		if data, ok := strings.CutPrefix(line, "data:"); ok {
			var connect struct{ ClientID string }
			if err := json.Unmarshal([]byte(data), &connect); err != nil {
				b.Fatal(err)
			}
			clientID = connect.ClientID
		}
	}
	go func() { _, _ = io.Copy(io.Discard, r) }()
	body, _ := json.Marshal(map[string]any{"clientId": clientID, "subscriptions": topics})
	post, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/realtime", bytes.NewReader(body))
	post.Header.Set("Content-Type", "application/json")
	post.Header.Set("Authorization", testutil.Token(b, customer))
	sub, err := srv.Client().Do(post)
	if err != nil {
		b.Fatal(err)
	}
	sub.Body.Close()
	if sub.StatusCode != http.StatusNoContent {
		b.Fatalf("subscribe: %d", sub.StatusCode)
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
