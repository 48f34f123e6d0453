package migrations_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/testutil"
)

// TestServiceAddressesBackfill: migration 1764000031 gives every service
// with addresses its history as the services stand: each address once, in
// canonical form, held since activation (empty when unknown), and by a
// terminated service until it was terminated.
func TestServiceAddressesBackfill(t *testing.T) {
	app := testutil.NewApp(t)
	live := testutil.Service(t, app, testutil.Customer(t, app, "live@example.com", "USD"))
	gone := testutil.Service(t, app, testutil.Customer(t, app, "gone@example.com", "USD"))
	bare := testutil.Service(t, app, testutil.Customer(t, app, "bare@example.com", "USD"))
	for id, p := range map[string]dbx.Params{
		live.Id: {"status": "active", "activated_at": "2026-01-02 03:04:05.000Z",
			"ip_addresses": `["203.0.113.7", "2001:DB8::1", "::ffff:203.0.113.7", "not an address"]`},
		gone.Id: {"status": "terminated", "terminated_at": "2026-02-01 00:00:00.000Z", "ip_addresses": `["203.0.113.8"]`},
		bare.Id: {"status": "active", "activated_at": "", "ip_addresses": `["203.0.113.9"]`},
	} {
		if _, err := app.DB().Update("services", p, dbx.HashExp{"id": id}).Execute(); err != nil {
			t.Fatal(err)
		}
	}
	var m *core.Migration
	for _, item := range core.AppMigrations.Items() {
		if strings.HasPrefix(item.File, "1764000031_") {
			m = item
		}
	}
	if m == nil {
		t.Fatal("migration 1764000031 is not registered")
	}
	if err := m.Down(app); err != nil {
		t.Fatalf("down: %v", err)
	}
	if err := m.Up(app); err != nil {
		t.Fatalf("up: %v", err)
	}
	recs, err := app.FindAllRecords("service_addresses")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range recs {
		got = append(got, r.GetString("service")+" "+r.GetString("address")+" "+r.GetString("from")+".."+r.GetString("to"))
	}
	slices.Sort(got)
	want := []string{
		live.Id + " 2001:db8::1 2026-01-02 03:04:05.000Z..",
		live.Id + " 203.0.113.7 2026-01-02 03:04:05.000Z..",
		gone.Id + " 203.0.113.8 ..2026-02-01 00:00:00.000Z",
		bare.Id + " 203.0.113.9 ..",
	}
	slices.Sort(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("history\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
