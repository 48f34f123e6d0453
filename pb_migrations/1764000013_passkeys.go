package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// customer_passkeys holds a customer's WebAuthn credentials (passkeys): the
// credential id (unique), the stored webauthn.Credential (public key, sign
// count, flags), a display name and when it was last used. Staff only:
// customers manage their passkeys through the /api/account/passkeys routes.
func init() {
	m.Register(func(app core.App) error {
		c := core.NewBaseCollection("customer_passkeys")
		c.ListRule, c.ViewRule, c.CreateRule, c.UpdateRule, c.DeleteRule = nil, nil, nil, nil, nil
		if err := addRelations(app, c,
			relationSpec{"customer", "customers", true, true},
		); err != nil {
			return err
		}
		c.Fields.Add(
			&core.TextField{Name: "credential_id", Required: true, Max: 1000, Help: "base64url WebAuthn credential id"},
			&core.JSONField{Name: "credential", Hidden: true, MaxSize: 20000, Help: "the stored webauthn.Credential"},
			&core.TextField{Name: "name", Max: 100},
			&core.DateField{Name: "last_used_at"},
		)
		timestamps(c)
		c.AddIndex("idx_customer_passkeys_credential_id", true, "credential_id", "")
		c.AddIndex("idx_customer_passkeys_customer", false, "customer", "")
		return app.Save(c)
	}, func(app core.App) error {
		return deleteAll(app, "customer_passkeys")
	})
}
