package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/ezscale/ezscale/internal/testutil"
)

func TestPortalRoutes(t *testing.T) {
	app := testutil.NewMigratedApp(t)
	bindPortal(app)
	api := testutil.NewAPI(t, app)
	tests := []struct {
		path   string
		status int
		json   bool
	}{
		{"/api/no/such/route", http.StatusNotFound, true},
		{"/staff", http.StatusMovedPermanently, false},
	}
	for _, tc := range tests {
		res := api.Do(http.MethodGet, tc.path, "", nil)
		if res.Status != tc.status {
			t.Errorf("%s: %d, want %d", tc.path, res.Status, tc.status)
		}
		if tc.json && !strings.HasPrefix(strings.TrimSpace(string(res.Body)), "{") {
			t.Errorf("%s: not a JSON error: %.80s", tc.path, res.Body)
		}
	}
}
