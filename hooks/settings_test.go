package hooks_test

import (
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/settings"
	"github.com/ezscale/ezscale/internal/testutil"
)

func TestSettingsStayOneValidRecord(t *testing.T) {
	app := testutil.NewApp(t)

	s, err := settings.Load(app)
	if err != nil {
		t.Fatalf("default settings: %v", err)
	}
	if s.BaseCurrency != "USD" || s.DunningSuspendDays != 7 || s.DunningTerminateDays != 14 {
		t.Errorf("defaults: %+v", s)
	}

	for field, bad := range map[string]any{
		"dunning_suspend_days": -3,
		"base_currency":        "ABC",
		"exchange_rates":       map[string]string{"EUR": "-1"},
		"currencies":           []string{"USD", "EUR", "XXQ"},
	} {
		rec, _ := settings.Record(app)
		rec.Set(field, bad)
		if err := app.Save(rec); err == nil {
			t.Errorf("%s = %v was accepted", field, bad)
		}
	}
	if after, _ := settings.Load(app); after.BaseCurrency != "USD" || after.DunningSuspendDays != 7 {
		t.Errorf("a refused save changed the settings: %+v", after)
	}

	col, _ := app.FindCollectionByNameOrId(settings.Collection)
	second := core.NewRecord(col)
	rec, _ := settings.Record(app)
	second.Load(rec.FieldsData())
	second.Id = ""
	if err := app.Save(second); err == nil {
		t.Error("a second settings record was created")
	}
	if err := app.Delete(rec); err == nil {
		t.Error("the settings record was deleted")
	}
}
