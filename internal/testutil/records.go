package testutil

import (
	"testing"

	"github.com/pocketbase/pocketbase/core"
)

// Create saves a record of collection with data, failing the test on error.
func Create(t testing.TB, app core.App, collection string, data map[string]any) *core.Record {
	t.Helper()
	col, err := app.FindCollectionByNameOrId(collection)
	if err != nil {
		t.Fatalf("collection %s: %v", collection, err)
	}
	rec := core.NewRecord(col)
	rec.Load(data)
	if err := app.Save(rec); err != nil {
		t.Fatalf("create %s %v: %v", collection, data, err)
	}
	return rec
}

// Customer creates a verified customer with the given email and currency,
// billed in Canada: orders need a country, and no test configures a rate
// there, so their invoices stay untaxed unless a test sets its own.
func Customer(t testing.TB, app core.App, email, currency string) *core.Record {
	t.Helper()
	col, err := app.FindCollectionByNameOrId("customers")
	if err != nil {
		t.Fatal(err)
	}
	c := core.NewRecord(col)
	c.SetEmail(email)
	c.SetPassword("correct horse battery")
	c.SetVerified(true)
	c.Set("name", "Customer "+email)
	c.Set("currency", currency)
	c.Set("country", "CA")
	if err := app.Save(c); err != nil {
		t.Fatalf("customer %s: %v", email, err)
	}
	return c
}

// Superuser creates a staff account.
func Superuser(t testing.TB, app core.App, email string) *core.Record {
	t.Helper()
	col, err := app.FindCollectionByNameOrId(core.CollectionNameSuperusers)
	if err != nil {
		t.Fatal(err)
	}
	su := core.NewRecord(col)
	su.SetEmail(email)
	su.SetPassword("correct horse battery")
	if err := app.Save(su); err != nil {
		t.Fatalf("superuser %s: %v", email, err)
	}
	return su
}

// Token is an auth token for rec, for the Authorization header.
func Token(t testing.TB, rec *core.Record) string {
	t.Helper()
	tok, err := rec.NewAuthToken()
	if err != nil {
		t.Fatalf("token for %s: %v", rec.Id, err)
	}
	return tok
}
