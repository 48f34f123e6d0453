package settings_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/settings"
	"github.com/ezscale/ezscale/internal/testutil"
)

func companyName(t *testing.T, app core.App) string {
	t.Helper()
	s, err := settings.Load(app)
	if err != nil {
		t.Fatal(err)
	}
	return s.CompanyName
}

func saveCompanyName(t *testing.T, app core.App, name string) error {
	t.Helper()
	rec, err := settings.Record(app)
	if err != nil {
		t.Fatal(err)
	}
	rec.Set("company_name", name)
	return app.Save(rec)
}

// Load answers from memory between writes of the record, and a write
// through the app, committed, is seen at once.
func TestSettingsCacheDroppedOnSave(t *testing.T) {
	app := testutil.NewApp(t)
	before := companyName(t, app)
	// Around the hooks: the cache does not see it (documented on Bind).
	if _, err := app.DB().Update(settings.Collection, dbx.Params{"company_name": "Raw Ltd"}, dbx.NewExp("1=1")).Execute(); err != nil {
		t.Fatal(err)
	}
	if got := companyName(t, app); got != before {
		t.Fatalf("Load read the record again (%q): no cache", got)
	}
	if err := saveCompanyName(t, app, "Saved Ltd"); err != nil {
		t.Fatal(err)
	}
	if got := companyName(t, app); got != "Saved Ltd" {
		t.Fatalf("after a save Load says %q", got)
	}
	// Committed in a transaction: seen inside it and after it.
	err := app.RunInTransaction(func(tx core.App) error {
		if err := saveCompanyName(t, tx, "Tx Ltd"); err != nil {
			return err
		}
		if got := companyName(t, tx); got != "Tx Ltd" {
			t.Errorf("the writer reads %q, not its own change", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := companyName(t, app); got != "Tx Ltd" {
		t.Fatalf("after the commit Load says %q", got)
	}
}

// A value written in a transaction that rolls back is never kept, even
// when Load ran inside it and outside it meanwhile.
func TestSettingsCacheRollback(t *testing.T) {
	app := testutil.NewApp(t)
	if err := saveCompanyName(t, app, "Committed Ltd"); err != nil {
		t.Fatal(err)
	}
	undo := errors.New("undo")
	err := app.RunInTransaction(func(tx core.App) error {
		if err := saveCompanyName(t, tx, "Rolled Back Ltd"); err != nil {
			return err
		}
		if got := companyName(t, tx); got != "Rolled Back Ltd" {
			t.Errorf("the writer reads %q", got)
		}
		if got := companyName(t, app); got != "Committed Ltd" {
			t.Errorf("a reader outside the transaction reads %q", got)
		}
		return undo
	})
	if !errors.Is(err, undo) {
		t.Fatal(err)
	}
	if got := companyName(t, app); got != "Committed Ltd" {
		t.Fatalf("after the rollback Load says %q", got)
	}
	// And the cache still works afterwards.
	if err := saveCompanyName(t, app, "Next Ltd"); err != nil || companyName(t, app) != "Next Ltd" {
		t.Fatalf("after a later save: %v, %q", err, companyName(t, app))
	}
}

// A refused save (invalid settings) leaves the cache consistent.
func TestSettingsCacheRefusedSave(t *testing.T) {
	app := testutil.NewApp(t)
	before := companyName(t, app)
	rec, err := settings.Record(app)
	if err != nil {
		t.Fatal(err)
	}
	rec.Set("company_name", "Refused Ltd")
	rec.Set("base_currency", "XYZ")
	if err := app.Save(rec); err == nil {
		t.Fatal("invalid settings saved")
	}
	if got := companyName(t, app); got != before {
		t.Fatalf("after a refused save Load says %q", got)
	}
	if err := saveCompanyName(t, app, "After Ltd"); err != nil || companyName(t, app) != "After Ltd" {
		t.Fatalf("after a later save: %v, %q", err, companyName(t, app))
	}
}

// What Load returns is the caller's: changing any of its lists or maps
// does not change the next caller's settings.
func TestSettingsCacheReturnsACopy(t *testing.T) {
	app := testutil.NewApp(t)
	first, err := settings.Load(app)
	if err != nil {
		t.Fatal(err)
	}
	want, err := json.Marshal(first)
	if err != nil {
		t.Fatal(err)
	}
	v := reflect.ValueOf(first).Elem()
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		switch f.Kind() {
		case reflect.Slice:
			if f.Len() > 0 {
				f.Index(0).Set(reflect.Zero(f.Type().Elem())) // in place: shared unless cloned
			}
			f.Set(reflect.Append(f, reflect.Zero(f.Type().Elem())))
		case reflect.Map:
			if f.IsNil() {
				f.Set(reflect.MakeMap(f.Type()))
			}
			f.SetMapIndex(reflect.Zero(f.Type().Key()), reflect.Zero(f.Type().Elem()))
		case reflect.String:
			f.SetString("changed")
		}
	}
	again, err := settings.Load(app)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := json.Marshal(again); string(got) != string(want) {
		t.Errorf("a caller's change reached the cache:\n%s\n%s", got, want)
	}
}
