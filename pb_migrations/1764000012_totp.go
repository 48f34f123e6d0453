package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// customer_totp holds a customer's TOTP second factor: the sealed secret,
// whether it is confirmed, the hashed one-time recovery codes and the last
// time step accepted (so a code cannot be replayed). Staff only: customers
// manage it through the /api/account/totp routes.
func init() {
	m.Register(func(app core.App) error {
		c := core.NewBaseCollection("customer_totp")
		c.ListRule, c.ViewRule, c.CreateRule, c.UpdateRule, c.DeleteRule = nil, nil, nil, nil, nil
		if err := addRelations(app, c,
			relationSpec{"customer", "customers", true, true},
		); err != nil {
			return err
		}
		c.Fields.Add(
			&core.TextField{Name: "secret", Required: true, Hidden: true, Max: 1000, Help: "AES-GCM sealed TOTP secret"},
			&core.BoolField{Name: "enabled"},
			&core.JSONField{Name: "recovery_codes", Hidden: true, MaxSize: 10000, Help: "salted SHA-256 hashes of unused recovery codes"},
			&core.NumberField{Name: "last_used_step", Hidden: true, OnlyInt: true, Min: zero, Help: "last TOTP time step accepted"},
		)
		timestamps(c)
		c.AddIndex("idx_customer_totp_customer", true, "customer", "")
		return app.Save(c)
	}, func(app core.App) error {
		return deleteAll(app, "customer_totp")
	})
}
