package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// api_keys are the named, scoped, expiring API keys of customers and staff
// (internal/apikeys). Only the SHA-256 of the secret is stored, in a hidden
// field; prefix is the key's public id, by which a request finds it. A key
// belongs to a customer or to a superuser, never both. Keys are created
// and revoked through /api/account/api-keys and /api/staff/api-keys only,
// so the owner reads their keys and writes none through the records API;
// a revoked key stays, with its revocation date, for the audit trail.
func init() {
	m.Register(func(app core.App) error {
		c := core.NewBaseCollection("api_keys")
		ownedBy(c)
		if err := addRelations(app, c,
			relationSpec{"customer", "customers", false, true},
			relationSpec{"superuser", core.CollectionNameSuperusers, false, true},
		); err != nil {
			return err
		}
		c.Fields.Add(
			&core.TextField{Name: "name", Required: true, Max: 100, Presentable: true},
			&core.TextField{Name: "prefix", Required: true, Max: 40, Help: "the key's public id, shown in lists"},
			&core.TextField{Name: "hash", Required: true, Hidden: true, Max: 64, Help: "hex SHA-256 of the whole key"},
			&core.SelectField{Name: "access", Required: true, MaxSelect: 1, Values: []string{"read", "full"}},
			&core.SelectField{Name: "families", Required: true, MaxSelect: 6,
				Values: []string{"services", "invoices", "billing", "support", "account", "staff"}},
			&core.DateField{Name: "expires"},
			&core.DateField{Name: "revoked"},
			&core.DateField{Name: "last_used"},
			&core.TextField{Name: "last_used_ip", Max: 64},
		)
		timestamps(c)
		c.AddIndex("idx_api_keys_prefix", true, "prefix", "")
		c.AddIndex("idx_api_keys_customer", false, "customer", "")
		c.AddIndex("idx_api_keys_superuser", false, "superuser", "")
		return app.Save(c)
	}, func(app core.App) error {
		return deleteAll(app, "api_keys")
	})
}
