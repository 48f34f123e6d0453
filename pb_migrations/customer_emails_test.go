package migrations_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/dbutils"

	"github.com/ezscale/ezscale/internal/testutil"
)

// emailMigration is migration 1764000023.
func emailMigration(t *testing.T) *core.Migration {
	t.Helper()
	for _, m := range core.AppMigrations.Items() {
		if strings.HasPrefix(m.File, "1764000023_") {
			return m
		}
	}
	t.Fatal("migration 1764000023 is not registered")
	return nil
}

// A database from before the migration may hold one address in several
// cases: the migration neither fails nor merges, one account keeps the
// address and the others can no longer sign in, and it says so.
func TestEmailMigrationWithCaseDuplicates(t *testing.T) {
	app := testutil.NewApp(t)
	m := emailMigration(t)
	if err := m.Down(app); err != nil {
		t.Fatalf("down: %v", err)
	}
	// The state issue 16 found: DEMO@ signed up beside demo@, and the
	// old code linked it to demo's help-desk user and mirrored their tickets.
	demo := testutil.Customer(t, app, "demo@ezscale.test", "USD")
	attacker := testutil.Customer(t, app, "attacker@ezscale.test", "USD")
	oldest := testutil.Customer(t, app, "first@example.com", "USD")
	newer := testutil.Customer(t, app, "second@example.com", "USD")
	mixed := testutil.Customer(t, app, "mixed@example.com", "USD")
	for id, p := range map[string]dbx.Params{
		demo.Id:     {"supportpal_user_id": 7},
		attacker.Id: {"email": "DEMO@ezscale.test", "verified": false, "supportpal_user_id": 7},
		oldest.Id:   {"email": "Pair@Example.com", "verified": false, "created": "2024-01-01 00:00:00.000Z"},
		newer.Id:    {"email": "pair@example.com", "verified": false, "created": "2025-01-01 00:00:00.000Z", "notes": "VIP"},
		mixed.Id:    {"email": "Mixed@Example.COM"},
	} {
		if _, err := app.DB().Update("customers", p, dbx.HashExp{"id": id}).Execute(); err != nil {
			t.Fatal(err)
		}
	}
	testutil.Create(t, app, "support_tickets", map[string]any{"customer": attacker.Id, "supportpal_id": 1, "number": "1",
		"subject": "demo's ticket", "status": "Open"})

	if err := m.Up(app); err != nil {
		t.Fatalf("up with duplicates: %v", err)
	}

	email := func(id string) *core.Record {
		t.Helper()
		r, err := app.FindRecordById("customers", id)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	for _, c := range []struct {
		name, keeper, dropped, address string
	}{
		{"the verified account keeps the address", demo.Id, attacker.Id, "demo@ezscale.test"},
		{"else the oldest", oldest.Id, newer.Id, "pair@example.com"},
	} {
		keeper, dropped := email(c.keeper), email(c.dropped)
		if keeper.Email() != c.address {
			t.Errorf("%s: keeper has %q", c.name, keeper.Email())
		}
		if !strings.HasSuffix(dropped.Email(), "@duplicate.invalid") || dropped.Verified() || dropped.GetInt("supportpal_user_id") != 0 {
			t.Errorf("%s: the other has %q, verified %v, SupportPal user %d", c.name, dropped.Email(), dropped.Verified(), dropped.GetInt("supportpal_user_id"))
		}
		if n := dropped.GetString("notes"); !strings.Contains(n, c.keeper) || !strings.Contains(strings.ToLower(n), c.address) {
			t.Errorf("%s: staff notes do not say what happened: %q", c.name, n)
		}
	}
	if n := email(newer.Id).GetString("notes"); !strings.HasPrefix(n, "VIP") {
		t.Errorf("earlier staff notes lost: %q", n)
	}
	if got := email(mixed.Id).Email(); got != "mixed@example.com" {
		t.Errorf("single address stored as %q", got)
	}
	if email(demo.Id).GetInt("supportpal_user_id") != 7 {
		t.Error("the verified customer lost their SupportPal link")
	}
	if n, _ := app.CountRecords("support_tickets", dbx.HashExp{"customer": attacker.Id}); n != 0 {
		t.Errorf("%d mirror rows still attributed to the unverified account", n)
	}

	col, _ := app.FindCollectionByNameOrId("customers")
	if idx, ok := dbutils.FindSingleColumnUniqueIndex(col.Indexes, "email"); !ok || !strings.EqualFold(idx.Columns[0].Collate, "nocase") {
		t.Errorf("email index: %v", col.Indexes)
	}

	api := testutil.NewAPI(t, app)
	signIn := func(identity string) int {
		return api.Do(http.MethodPost, "/api/collections/customers/auth-with-password", "",
			map[string]any{"identity": identity, "password": "correct horse battery"}).Status
	}
	if got := signIn("DEMO@ezscale.test"); got != http.StatusOK {
		t.Errorf("demo signing in as DEMO@: %d", got)
	}
	if got := signIn(email(attacker.Id).Email()); got == http.StatusOK {
		t.Error("the disabled account signs in with its placeholder address")
	}
	if res := api.Do(http.MethodGet, "/api/collections/customers/records/"+attacker.Id, testutil.Token(t, attacker), nil); res.Status == http.StatusOK {
		t.Errorf("the disabled account's old session still works: %d", res.Status)
	}
}
