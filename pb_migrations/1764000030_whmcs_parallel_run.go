package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// The parallel run with WHMCS (billing/parallelrun): while the business
// runs both systems, WHMCS still renews, chases, emails and provisions
// the customers the import brings in, so they carry customers.whmcs_billed
// (visible to them, so the portal shows its banner; not theirs to edit)
// until `ezscale import whmcs cutover` clears it and records when in
// settings.whmcs_cutover_at. settings.whmcs_cutover_planned is the date
// staff announce to those customers.
//
// Customers imported before this migration stay live: the field starts
// false for every existing record, as nothing can tell whether their
// business still bills them in WHMCS. New sign-ups are never held.
func init() {
	m.Register(func(app core.App) error {
		customers, err := app.FindCollectionByNameOrId("customers")
		if err != nil {
			return err
		}
		customers.Fields.Add(&core.BoolField{Name: "whmcs_billed",
			Help: "imported during the parallel run: WHMCS still bills and serves this customer until the cutover"})
		customers.AddIndex("idx_customers_whmcs_billed", false, "whmcs_billed", "whmcs_billed = TRUE")
		s, err := app.FindCollectionByNameOrId("settings")
		if err != nil {
			return err
		}
		s.Fields.Add(
			&core.DateField{Name: "whmcs_cutover_planned", Help: "the cutover date shown to customers WHMCS still bills"},
			&core.DateField{Name: "whmcs_cutover_at", Help: "set by `ezscale import whmcs cutover --confirm`: from then on the import holds nobody"},
		)
		return saveAll(app, customers, s)
	}, func(app core.App) error {
		customers, err := app.FindCollectionByNameOrId("customers")
		if err != nil {
			return err
		}
		customers.RemoveIndex("idx_customers_whmcs_billed")
		customers.Fields.RemoveByName("whmcs_billed")
		s, err := app.FindCollectionByNameOrId("settings")
		if err != nil {
			return err
		}
		s.Fields.RemoveByName("whmcs_cutover_planned")
		s.Fields.RemoveByName("whmcs_cutover_at")
		return saveAll(app, customers, s)
	})
}
