package hooks_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/logger"

	"github.com/ezscale/ezscale/internal/config"
	"github.com/ezscale/ezscale/internal/requestlog"
	"github.com/ezscale/ezscale/internal/testutil"
)

// settledLogs writes PocketBase's queued logs and returns the rows the
// request path wrote (PocketBase's request rows and the refusal summaries,
// both typed) once the activity logger's goroutines are done adding (the
// count holds between two writes). A warning of the app's own start — a
// file watcher a busy machine could not give it — is not the request
// path's and is left out.
func settledLogs(t *testing.T, app core.App) []*core.Log {
	t.Helper()
	batch := app.Logger().Handler().(*logger.BatchHandler)
	ctx := context.WithValue(context.Background(), logger.BlockKey, true)
	prev := -1
	for range 100 {
		if err := batch.WriteAll(ctx); err != nil {
			t.Fatal(err)
		}
		var logs []*core.Log
		if err := app.LogQuery().AndWhere(dbx.NewExp("json_extract(data, '$.type') != ''")).OrderBy("created").All(&logs); err != nil {
			t.Fatal(err)
		}
		if len(logs) == prev {
			return logs
		}
		prev = len(logs)
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("the log database never settled")
	return nil
}

func rateLimitedApp(t *testing.T) core.App {
	t.Helper()
	cfg, err := config.FromEnv(func(k string) string {
		return map[string]string{"EZ_ENCRYPTION_KEY": "0123456789abcdef0123456789abcdef", "EZ_RATE_LIMITS": "true"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	return testutil.NewAppWith(t, cfg)
}

// TestRefusedFloodIsCountedNotLogged is issue 16's flood: one address
// listing services far past the "/api/" limit. The refusals answer 429 as
// before, write no log row each, and come back as one summary entry whose
// count is the number refused.
func TestRefusedFloodIsCountedNotLogged(t *testing.T) {
	app := rateLimitedApp(t)
	api := testutil.NewAPI(t, app)
	const sent, flooder = 1000, "203.0.113.9"
	statuses := map[int]int{}
	for range sent {
		req := httptest.NewRequest(http.MethodGet, "/api/collections/services/records", nil)
		req.RemoteAddr = flooder + ":40000"
		res := api.Send(req)
		statuses[res.Status]++
		if res.Status == http.StatusTooManyRequests && statuses[res.Status] == 1 {
			var body struct{ Status int }
			if err := json.Unmarshal(res.Body, &body); err != nil || body.Status != http.StatusTooManyRequests {
				t.Errorf("a refusal answers PocketBase's JSON error: %s", res.Body)
			}
		}
	}
	refused := statuses[http.StatusTooManyRequests]
	if refused < sent/2 || statuses[http.StatusOK]+refused != sent {
		t.Fatalf("%d requests from one address: %v, want most refused with 429 and the rest answered", sent, statuses)
	}

	if logs := settledLogs(t, app); len(logs) != 0 {
		t.Fatalf("%d refusals wrote %d log rows (first %q), want none before the summary", refused, len(logs), logs[0].Message)
	}

	staff := testutil.Token(t, testutil.Superuser(t, app, "staff@example.com"))
	var counts struct {
		Totals  map[string]int64
		Current requestlog.Summary
	}
	if err := json.Unmarshal(api.Do(http.MethodGet, "/api/staff/refusals", staff, nil).Body, &counts); err != nil {
		t.Fatal(err)
	}
	if counts.Totals["429"] != int64(refused) || counts.Current.Total != int64(refused) {
		t.Errorf("staff see %v refused since the start, %d this minute; want %d", counts.Totals, counts.Current.Total, refused)
	}
	if res := api.Do(http.MethodGet, "/api/staff/refusals", "", nil); res.Status != http.StatusUnauthorized {
		t.Errorf("anonymous refusal counts: %d, want 401", res.Status)
	}

	requestlog.For(app).Summarize(time.Now()).Log(app.Logger())
	logs := settledLogs(t, app)
	if len(logs) != 1 {
		t.Fatalf("after the summary: %d log rows, want 1", len(logs))
	}
	entry := logs[0] // the anonymous 401 above is in this minute's count, not a row of its own
	if entry.Level != int(slog.LevelWarn) || entry.Data["type"] != "refusals" || entry.Data["total"] != float64(refused+1) {
		t.Errorf("summary entry: level %d, data %v; want WARN, type refusals, total %d", entry.Level, entry.Data, refused+1)
	}
	groups, _ := entry.Data["groups"].([]any)
	if len(groups) != 2 {
		t.Fatalf("summary groups %v, want the flood's and the 401's", entry.Data["groups"])
	}
	g := groups[0].(map[string]any)
	if g["status"] != float64(429) || g["ip"] != flooder || g["route"] != "GET /api/collections/services/records" || g["count"] != float64(refused) {
		t.Errorf("summary group %v, want %d × 429 from %s on the services list", g, refused, flooder)
	}
	if !strings.HasPrefix(entry.Message, fmt.Sprintf("%d requests refused", refused+1)) {
		t.Errorf("summary message %q", entry.Message)
	}
}

// TestRequestLogKeepsErrorsAndSignIns: only cheap refusals are counted; a
// failed staff sign-in and a bad request are still logged one by one, and
// an anonymous call of a staff route (401) is counted.
func TestRequestLogKeepsErrorsAndSignIns(t *testing.T) {
	app := rateLimitedApp(t)
	api := testutil.NewAPI(t, app)
	testutil.Superuser(t, app, "staff@example.com")
	cases := []struct {
		name, method, path string
		body               any
		status             int
		logged             bool
	}{
		{"failed staff sign-in", http.MethodPost, "/api/collections/_superusers/auth-with-password",
			map[string]any{"identity": "staff@example.com", "password": "wrong password"}, http.StatusBadRequest, true},
		{"anonymous staff route", http.MethodGet, "/api/staff/analytics", nil, http.StatusUnauthorized, false},
		{"bad order", http.MethodPost, "/api/orders", map[string]any{}, http.StatusUnauthorized, false},
		{"unknown collection", http.MethodGet, "/api/collections/nope/records", nil, http.StatusNotFound, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(settledLogs(t, app))
			counted := requestlog.For(app).Current(time.Now()).Total
			res := api.Do(tc.method, tc.path, "", tc.body)
			if res.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", res.Status, tc.status, res.Body)
			}
			logged := len(settledLogs(t, app)) - before
			nowCounted := requestlog.For(app).Current(time.Now()).Total - counted
			if tc.logged && (logged != 1 || nowCounted != 0) {
				t.Errorf("logged %d rows, counted %d; want it logged, not counted", logged, nowCounted)
			}
			if !tc.logged && (logged != 0 || nowCounted != 1) {
				t.Errorf("logged %d rows, counted %d; want it counted, not logged", logged, nowCounted)
			}
		})
	}
}
