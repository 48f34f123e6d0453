package migrations

import (
	"slices"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Trial-extension coupons: a coupon kind "trial" that makes the first
// period of a new subscription trial_days long and free, optionally only
// for some billing cycles (an empty cycles list allows every cycle, the
// coupons made before included). The subscription records where its trial
// ends, so plan changes and the portal know the period was not paid for.
func init() {
	m.Register(func(app core.App) error {
		coupons, err := app.FindCollectionByNameOrId("coupons")
		if err != nil {
			return err
		}
		kind := coupons.Fields.GetByName("kind").(*core.SelectField)
		if !slices.Contains(kind.Values, "trial") {
			kind.Values = append(slices.Clone(kind.Values), "trial")
		}
		if coupons.Fields.GetByName("trial_days") == nil {
			coupons.Fields.Add(&core.NumberField{Name: "trial_days", OnlyInt: true, Min: types.Pointer(0.0), Max: types.Pointer(365.0),
				Help: "trial coupons: free days of the first period (1..365)"})
		}
		if coupons.Fields.GetByName("cycles") == nil {
			coupons.Fields.Add(&core.SelectField{Name: "cycles", MaxSelect: 7,
				Values: []string{"hourly", "monthly", "quarterly", "semiannual", "annual", "biennial", "triennial"},
				Help:   "empty = every billing cycle"})
		}
		if err := app.Save(coupons); err != nil {
			return err
		}
		subs, err := app.FindCollectionByNameOrId("subscriptions")
		if err != nil {
			return err
		}
		if subs.Fields.GetByName("trial_end") == nil {
			subs.Fields.Add(&core.DateField{Name: "trial_end", Help: "end of the free trial that was the first period (trial coupons)"})
		}
		return app.Save(subs)
	}, func(app core.App) error {
		subs, err := app.FindCollectionByNameOrId("subscriptions")
		if err != nil {
			return err
		}
		subs.Fields.RemoveByName("trial_end")
		if err := app.Save(subs); err != nil {
			return err
		}
		coupons, err := app.FindCollectionByNameOrId("coupons")
		if err != nil {
			return err
		}
		coupons.Fields.RemoveByName("trial_days")
		coupons.Fields.RemoveByName("cycles")
		kind := coupons.Fields.GetByName("kind").(*core.SelectField)
		kind.Values = slices.DeleteFunc(slices.Clone(kind.Values), func(v string) bool { return v == "trial" })
		return app.Save(coupons)
	})
}
