// Package seed fills a database: the demo data of dev mode, and synthetic
// data at scale for benchmarks and load tests.
package seed

import (
	"fmt"
	"io"

	"github.com/pocketbase/pocketbase/core"
)

// Demo logins printed by `make run`. They exist only in dev mode, on a
// server that listens on the loopback address.
const (
	DemoStaffEmail       = "admin@ezscale.test"
	DemoStaffPassword    = "ezscale-admin-demo"
	DemoCustomerEmail    = "demo@ezscale.test"
	DemoCustomerPassword = "ezscale-demo-1234"
)

// Demo creates, on an empty database, a staff login, a demo customer, the
// demo catalog and a tax rate or two. It does nothing when customers or
// plans already exist, so restarting dev mode never duplicates anything.
// It prints the logins to out either way.
func Demo(app core.App, out io.Writer, publicURL string) error {
	plans, err := app.CountRecords("plans")
	if err != nil {
		return err
	}
	customers, err := app.CountRecords("customers")
	if err != nil {
		return err
	}
	if plans == 0 && customers == 0 {
		err := app.RunInTransaction(func(tx core.App) error {
			if err := demoStaff(tx); err != nil {
				return err
			}
			if err := demoCustomer(tx); err != nil {
				return err
			}
			if err := DemoCatalog(tx); err != nil {
				return err
			}
			return demoContent(tx)
		})
		if err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		fmt.Fprintln(out, "Demo data created.")
	}
	fmt.Fprintf(out, "\n  Staff dashboard  %s/_/  %s / %s\n", publicURL, DemoStaffEmail, DemoStaffPassword)
	fmt.Fprintf(out, "  Customer portal  %s/  %s / %s\n\n", publicURL, DemoCustomerEmail, DemoCustomerPassword)
	return nil
}

func demoStaff(app core.App) error {
	if _, err := app.FindAuthRecordByEmail(core.CollectionNameSuperusers, DemoStaffEmail); err == nil {
		return nil
	}
	col, err := app.FindCollectionByNameOrId(core.CollectionNameSuperusers)
	if err != nil {
		return err
	}
	su := core.NewRecord(col)
	su.SetEmail(DemoStaffEmail)
	su.SetPassword(DemoStaffPassword)
	return app.Save(su)
}

func demoCustomer(app core.App) error {
	col, err := app.FindCollectionByNameOrId("customers")
	if err != nil {
		return err
	}
	c := core.NewRecord(col)
	c.SetEmail(DemoCustomerEmail)
	c.SetPassword(DemoCustomerPassword)
	c.SetVerified(true)
	c.Set("name", "Dana Demo")
	c.Set("company", "Demo Gaming Ltd")
	c.Set("address_line1", "10 Market Street")
	c.Set("city", "Manchester")
	c.Set("postal_code", "M1 1AA")
	c.Set("country", "GB")
	c.Set("currency", "GBP")
	c.Set("status", "active")
	return app.Save(c)
}

func demoContent(app core.App) error {
	rates, err := app.FindCollectionByNameOrId("tax_rates")
	if err != nil {
		return err
	}
	for _, r := range []struct {
		name, country string
		rate          int
	}{
		{"VAT 20%", "GB", 20000},
		{"MwSt 19%", "DE", 19000},
		{"TVA 20%", "FR", 20000},
	} {
		rec := core.NewRecord(rates)
		rec.Set("name", r.name)
		rec.Set("country", r.country)
		rec.Set("rate", r.rate)
		rec.Set("active", true)
		if err := app.Save(rec); err != nil {
			return err
		}
	}

	news, err := app.FindCollectionByNameOrId("announcements")
	if err != nil {
		return err
	}
	a := core.NewRecord(news)
	a.Set("title", "Welcome to EZSCALE")
	a.Set("slug", "welcome")
	a.Set("body", "<p>New NVMe VPS nodes are live in Frankfurt and London.</p>")
	a.Set("published", true)
	a.Set("published_at", "2026-01-01 00:00:00.000Z")
	a.Set("pinned", true)
	if err := app.Save(a); err != nil {
		return err
	}
	return saveDemoPages(app)
}
