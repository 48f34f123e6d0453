package bulk_test

import (
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/bulk"
	"github.com/ezscale/ezscale/internal/testutil"
)

// Records written in bulk read back exactly like saved ones and pass
// PocketBase's own validation.
func TestInsertMatchesSave(t *testing.T) {
	app := testutil.NewApp(t)
	c := testutil.Customer(t, app, "a@example.com", "USD")
	col, _ := app.FindCollectionByNameOrId("credit_entries")
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var recs []*core.Record
	for i := 0; i < 450; i++ { // more than one statement's worth
		r := core.NewRecord(col)
		r.Load(map[string]any{"customer": c.Id, "currency": "USD", "amount": i + 1, "reason": "manual", "description": `quote " and 'apostrophe'`})
		recs = append(recs, r)
	}
	bulk.Prepare(recs, now)
	if err := app.RunInTransaction(func(tx core.App) error { return bulk.Insert(tx, recs) }); err != nil {
		t.Fatal(err)
	}
	if n, _ := app.CountRecords("credit_entries"); n != 450 {
		t.Fatalf("%d rows", n)
	}
	got, err := app.FindRecordById("credit_entries", recs[449].Id)
	if err != nil {
		t.Fatal(err)
	}
	if got.GetInt("amount") != 450 || got.GetString("description") != `quote " and 'apostrophe'` || !got.GetDateTime("created").Time().Equal(now) {
		t.Errorf("read back %v", got.FieldsData())
	}
	if err := app.Validate(got); err != nil {
		t.Errorf("a bulk record fails validation: %v", err)
	}
}
