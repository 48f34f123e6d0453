package testutil

import (
	"testing"

	"github.com/pocketbase/pocketbase/core"
)

// HoldForWHMCS sets whether WHMCS still serves the customer
// (customers.whmcs_billed, billing/parallelrun), as the import and the
// cutover do, and answers the saved record.
func HoldForWHMCS(t testing.TB, app core.App, customerID string, held bool) *core.Record {
	t.Helper()
	c, err := app.FindRecordById("customers", customerID)
	if err != nil {
		t.Fatal(err)
	}
	c.Set("whmcs_billed", held)
	if err := app.Save(c); err != nil {
		t.Fatalf("hold customer %s for WHMCS: %v", customerID, err)
	}
	return c
}
