package requestlog_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/requestlog"
	"github.com/ezscale/ezscale/internal/testutil"
)

func TestRefused(t *testing.T) {
	cases := []struct {
		status int
		route  string
		want   bool
	}{
		{http.StatusTooManyRequests, "GET /api/collections/services/records", true},
		{http.StatusTooManyRequests, "POST /api/collections/_superusers/auth-with-password", true},
		{http.StatusUnauthorized, "GET /api/staff/analytics", true},
		{http.StatusForbidden, "GET /api/collections/invoices/records/{id}", true},
		{http.StatusUnauthorized, "POST /api/collections/_superusers/auth-with-password", false}, // a second factor asked
		{http.StatusForbidden, "POST /api/collections/customers/request-otp", false},
		{http.StatusUnauthorized, "POST /api/auth/passkey/finish", false},
		{http.StatusUnauthorized, "POST /api/collections/_superusers/auth-with-passkey/finish", false},
		{http.StatusBadRequest, "POST /api/collections/_superusers/auth-with-password", false},
		{http.StatusNotFound, "GET /api/collections/services/records/{id}", false},
		{http.StatusInternalServerError, "GET /api/collections/services/records", false},
		{http.StatusOK, "GET /api/collections/services/records", false},
	}
	for _, tc := range cases {
		if got := requestlog.Refused(tc.status, tc.route); got != tc.want {
			t.Errorf("Refused(%d, %q) = %v, want %v", tc.status, tc.route, got, tc.want)
		}
	}
}

// TestRefusalsStayBounded: a flood from more addresses than the counter
// keeps groups for is still counted in full, its overflow in one group of
// any address, and a summary names only the largest groups.
func TestRefusalsStayBounded(t *testing.T) {
	r := requestlog.For(testutil.NewMigratedApp(t))
	for range 7 {
		r.Add(http.StatusUnauthorized, "192.0.2.1", "GET /api/staff/analytics")
	}
	const addresses = 5000
	for i := range addresses {
		r.Add(http.StatusTooManyRequests, fmt.Sprintf("10.0.%d.%d", i/256, i%256), "GET /api/x")
	}
	s := r.Summarize(time.Now())
	if s.Total != addresses+7 {
		t.Errorf("total %d, want %d", s.Total, addresses+7)
	}
	overflow := requestlog.Group{Status: http.StatusTooManyRequests, IP: "*", Route: "*", Count: addresses - 999}
	named := requestlog.Group{Status: http.StatusUnauthorized, IP: "192.0.2.1", Route: "GET /api/staff/analytics", Count: 7}
	if len(s.Groups) != 20 || s.Groups[0] != overflow || s.Groups[1] != named {
		t.Fatalf("%d groups, largest %+v, %+v; want 20 named, %+v and %+v first", len(s.Groups), s.Groups[0], s.Groups[1], overflow, named)
	}
	if want := int64(addresses + 7 - overflow.Count - 7 - 18); s.Others != want {
		t.Errorf("others %d, want %d", s.Others, want)
	}
	if again := r.Summarize(time.Now()); again.Total != 0 {
		t.Errorf("a summary starts the count afresh: next total %d", again.Total)
	}
	totals, _ := r.Totals()
	if totals[http.StatusTooManyRequests] != addresses || totals[http.StatusUnauthorized] != 7 {
		t.Errorf("totals since the start %v", totals)
	}
}

// fillLogs writes rows log rows of about 2 KB each, one second apart,
// oldest first, straight into the log database.
func fillLogs(t *testing.T, app core.App, rows int) {
	t.Helper()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	pad := strings.Repeat("x", 2000)
	err := app.AuxRunInTransaction(func(tx core.App) error {
		for i := range rows {
			_, err := tx.AuxNonconcurrentDB().NewQuery(
				"INSERT INTO _logs (id, level, message, data, created) VALUES ({:id}, 8, {:msg}, '{}', {:created})").
				Bind(dbx.Params{"id": fmt.Sprintf("log%07d", i), "msg": fmt.Sprintf("flood %d %s", i, pad),
					"created": start.Add(time.Duration(i) * time.Second).Format("2006-01-02 15:04:05.000Z")}).Execute()
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func logIDs(t *testing.T, app core.App) []string {
	t.Helper()
	var ids []string
	if err := app.AuxDB().NewQuery("SELECT id FROM _logs ORDER BY created").Column(&ids); err != nil {
		t.Fatal(err)
	}
	return ids
}

// TestTrimLogsHoldsTheCap: an oversized log database loses its oldest rows
// and shrinks on disk under the cap; the newest rows stay.
func TestTrimLogsHoldsTheCap(t *testing.T) {
	app := testutil.NewMigratedApp(t)
	const rows, cap = 3000, 2 << 20 // about 6 MB of logs, a 2 MiB cap
	fillLogs(t, app, rows)
	if size := requestlog.LogDBSize(app); size <= cap {
		t.Fatalf("the filled log database is %d bytes, not over the %d cap", size, cap)
	}

	res, err := requestlog.TrimLogs(app, cap)
	if err != nil {
		t.Fatal(err)
	}
	ids := logIDs(t, app)
	if res.After > cap || requestlog.LogDBSize(app) > cap || res.Before <= cap {
		t.Errorf("trim: %+v, on disk now %d; want from over to under %d", res, requestlog.LogDBSize(app), cap)
	}
	if len(ids) == 0 || len(ids) >= rows || res.Deleted != int64(rows-len(ids)) {
		t.Fatalf("%d rows left of %d, %d reported deleted", len(ids), rows, res.Deleted)
	}
	if ids[len(ids)-1] != fmt.Sprintf("log%07d", rows-1) || ids[0] != fmt.Sprintf("log%07d", rows-len(ids)) {
		t.Errorf("rows left run from %s to %s: want the newest %d", ids[0], ids[len(ids)-1], len(ids))
	}
}

func TestTrimLogsLeavesASmallDatabase(t *testing.T) {
	app := testutil.NewMigratedApp(t)
	fillLogs(t, app, 100)
	res, err := requestlog.TrimLogs(app, 64<<20)
	if err != nil {
		t.Fatal(err)
	}
	if res.Deleted != 0 || len(logIDs(t, app)) != 100 {
		t.Errorf("under the cap: %+v, %d rows left; want nothing deleted", res, len(logIDs(t, app)))
	}
	if _, err := requestlog.TrimLogs(app, 0); err == nil {
		t.Error("a cap of 0 bytes is refused")
	}
	if len(logIDs(t, app)) != 100 {
		t.Error("a refused cap deleted logs")
	}
}
