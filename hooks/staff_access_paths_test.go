package hooks_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/testutil"
)

// superusersPaths are the forms PocketBase accepts for the superusers
// collection in a path: its name, its name in another case, and its id.
func superusersPaths(t *testing.T, app core.App) []string {
	t.Helper()
	col, err := app.FindCollectionByNameOrId(core.CollectionNameSuperusers)
	if err != nil {
		t.Fatal(err)
	}
	return []string{col.Name, strings.ToUpper(col.Name), col.Id}
}

// TestStaffGuardsHoldWhateverFormThePathTakes: Cloudflare Access guards
// the superusers' sign-in by the collection's id as by its name, and a
// refused sign-in is audited either way.
func TestStaffGuardsHoldWhateverFormThePathTakes(t *testing.T) {
	t.Run("cloudflare access", func(t *testing.T) {
		app, api, _ := cfAccessApp(t)
		su := testutil.Superuser(t, app, "staff@example.com")
		su.SetPassword("staff-password-1234")
		if err := app.Save(su); err != nil {
			t.Fatal(err)
		}
		for _, name := range superusersPaths(t, app) {
			for action, body := range map[string]map[string]any{
				"auth-with-password": {"identity": "staff@example.com", "password": "staff-password-1234"},
				"request-otp":        {"email": "staff@example.com"},
			} {
				res := api.Send(staffRequest(http.MethodPost, "/api/collections/"+name+"/"+action, "203.0.113.9", "", "", body))
				if res.Status != http.StatusForbidden {
					t.Errorf("%s by %q without Cloudflare Access: %d %.200s", action, name, res.Status, res.Body)
				}
			}
		}
		assertCount(t, app, "outbox", "template = 'staff_otp'", nil, 0)
	})
	t.Run("refused sign-ins audited", func(t *testing.T) {
		app := testutil.NewApp(t)
		api := testutil.NewAPI(t, app)
		su := testutil.Superuser(t, app, "staff@example.com")
		paths := superusersPaths(t, app)
		for _, name := range paths {
			res := api.Send(staffRequest(http.MethodPost, "/api/collections/"+name+"/auth-with-password", "198.51.100.7", "", "",
				map[string]any{"identity": "staff@example.com", "password": "guess"}))
			if res.Status != http.StatusBadRequest {
				t.Fatalf("wrong password by %q: %d %s", name, res.Status, res.Body)
			}
		}
		assertCount(t, app, "audit_logs", "action = 'login_failed' && record_id = {:id}", dbx.Params{"id": su.Id}, len(paths))
	})
}
