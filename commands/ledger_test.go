package commands

import (
	"io"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/seed"
)

// seedCustomers adds n synthetic customers with their history to the data
// directory dir, as the development build's `ezscale seed` does.
func seedCustomers(t *testing.T, dir string, n int) {
	t.Helper()
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: dir})
	if err := app.Bootstrap(); err != nil {
		t.Fatal(err)
	}
	defer app.ResetBootstrapState()
	if err := Migrate(app); err != nil {
		t.Fatal(err)
	}
	if _, err := seed.Synthetic(app, seed.SyntheticOptions{Customers: n, Seed: 1}, io.Discard); err != nil {
		t.Fatal(err)
	}
}

func TestLedgerCheckFailsOnACorruptedDir(t *testing.T) {
	dir := t.TempDir()
	seedCustomers(t, dir, 3)
	if out := run(t, dir, "ledger", "check"); !strings.Contains(out, "No violations.") {
		t.Fatalf("seeded data:\n%s", out)
	}

	app := core.NewBaseApp(core.BaseAppConfig{DataDir: dir})
	if err := app.Bootstrap(); err != nil {
		t.Fatal(err)
	}
	var id string
	if err := app.DB().NewQuery("SELECT id FROM invoices WHERE status = 'paid' ORDER BY id LIMIT 1").Row(&id); err != nil {
		t.Fatal(err)
	}
	if _, err := app.DB().NewQuery("UPDATE invoices SET amount_paid = amount_paid + 1 WHERE id = {:id}").Bind(map[string]any{"id": id}).Execute(); err != nil {
		t.Fatal(err)
	}
	if err := app.ResetBootstrapState(); err != nil {
		t.Fatal(err)
	}

	out, _, err := execute(t, dir, "ledger", "check")
	if err == nil {
		t.Fatalf("a corrupted ledger passed:\n%s", out)
	}
	if !strings.Contains(out, "invoice.amount_paid invoices/"+id) || !strings.Contains(err.Error(), "invariants") {
		t.Errorf("the violation is not named: %v\n%s", err, out)
	}
}
