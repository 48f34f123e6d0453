package migrations_test

import (
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/testutil"
)

// TestParallelRunFields: the customer sees whether WHMCS still serves
// them (the portal's banner), and every customer, imported earlier or
// signed up, starts live.
func TestParallelRunFields(t *testing.T) {
	app := testutil.NewApp(t)
	customers, _ := app.FindCollectionByNameOrId("customers")
	if f, ok := customers.Fields.GetByName("whmcs_billed").(*core.BoolField); !ok || f.Hidden {
		t.Errorf("customers.whmcs_billed: %v, want a visible bool", customers.Fields.GetByName("whmcs_billed"))
	}
	settings, _ := app.FindCollectionByNameOrId("settings")
	for _, name := range []string{"whmcs_cutover_planned", "whmcs_cutover_at"} {
		if _, ok := settings.Fields.GetByName(name).(*core.DateField); !ok {
			t.Errorf("settings.%s is not a date field", name)
		}
	}
	earlier := testutil.Create(t, app, "customers", map[string]any{"email": "old@example.com", "password": "correct horse battery",
		"name": "Imported before", "currency": "USD", "whmcs_id": "7"})
	signedUp := testutil.Customer(t, app, "new@example.com", "USD")
	for _, c := range []*core.Record{earlier, signedUp} {
		if fresh, _ := app.FindRecordById("customers", c.Id); fresh.GetBool("whmcs_billed") {
			t.Errorf("%s starts held", fresh.GetString("email"))
		}
	}
}
