package seed_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/seed"
	"github.com/ezscale/ezscale/internal/testutil"
)

func TestDemoSeedsOnceAndCoversTheCatalog(t *testing.T) {
	app := testutil.NewApp(t)
	var out bytes.Buffer
	if err := seed.Demo(app, &out, "http://127.0.0.1:8090"); err != nil {
		t.Fatal(err)
	}
	for _, login := range []string{seed.DemoStaffEmail, seed.DemoStaffPassword, seed.DemoCustomerEmail, seed.DemoCustomerPassword} {
		if !strings.Contains(out.String(), login) {
			t.Errorf("printed logins lack %q:\n%s", login, out.String())
		}
	}

	staff, err := app.FindAuthRecordByEmail(core.CollectionNameSuperusers, seed.DemoStaffEmail)
	if err != nil || !staff.ValidatePassword(seed.DemoStaffPassword) {
		t.Errorf("staff login does not work: %v", err)
	}
	customer, err := app.FindAuthRecordByEmail("customers", seed.DemoCustomerEmail)
	if err != nil || !customer.ValidatePassword(seed.DemoCustomerPassword) || !customer.Verified() {
		t.Errorf("demo customer login does not work: %v", err)
	}

	// Every service type, each priced in USD, EUR and GBP, monthly, quarterly and annually.
	plans, _ := app.FindAllRecords("plans")
	types := map[string]bool{}
	for _, p := range plans {
		types[p.GetString("service_type")] = true
		for _, cur := range []string{"USD", "EUR", "GBP"} {
			for _, cycle := range []string{"monthly", "quarterly", "annual"} {
				price, err := app.FindFirstRecordByFilter("plan_prices",
					"plan = {:p} && currency = {:c} && cycle = {:y} && active = true",
					map[string]any{"p": p.Id, "c": cur, "y": cycle})
				if err != nil || price.GetInt("amount") <= 0 {
					t.Errorf("%s has no %s %s price", p.GetString("slug"), cur, cycle)
				}
			}
		}
	}
	for _, want := range []string{"vps", "dedicated", "hosting", "game_server"} {
		if !types[want] {
			t.Errorf("no demo plan of type %s", want)
		}
	}

	counts := func() (n [3]int64) {
		n[0], _ = app.CountRecords("plans")
		n[1], _ = app.CountRecords("plan_prices")
		n[2], _ = app.CountRecords("customers")
		return n
	}
	before := counts()
	if err := seed.Demo(app, &out, "http://127.0.0.1:8090"); err != nil {
		t.Fatal(err)
	}
	if after := counts(); after != before {
		t.Errorf("second run seeded again: %v -> %v", before, after)
	}
}
