package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// staff_passkeys holds the superusers' WebAuthn credentials, a second
// factor after the password: the credential id (unique), the stored
// webauthn.Credential (public key, sign count: hidden), a display name and
// when it was last used. Superusers only, like every collection without
// rules; passkeys are added through /api/staff/passkeys (a ceremony), so
// the records API refuses creates.
//
// settings.require_staff_passkey makes a passkey every staff account's
// second factor: the emailed code no longer completes the sign-in of an
// account that has one, and an account without one may do nothing but
// register one.
func init() {
	m.Register(func(app core.App) error {
		c := core.NewBaseCollection("staff_passkeys")
		c.ListRule, c.ViewRule, c.CreateRule, c.UpdateRule, c.DeleteRule = nil, nil, nil, nil, nil
		if err := addRelations(app, c,
			relationSpec{"superuser", core.CollectionNameSuperusers, true, true},
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
		c.AddIndex("idx_staff_passkeys_credential_id", true, "credential_id", "")
		c.AddIndex("idx_staff_passkeys_superuser", false, "superuser", "")
		if err := app.Save(c); err != nil {
			return err
		}

		s, err := app.FindCollectionByNameOrId("settings")
		if err != nil {
			return err
		}
		s.Fields.Add(&core.BoolField{Name: "require_staff_passkey",
			Help: "every staff account signs in with password and passkey; accounts without one may only register one"})
		return app.Save(s)
	}, func(app core.App) error {
		s, err := app.FindCollectionByNameOrId("settings")
		if err != nil {
			return err
		}
		s.Fields.RemoveByName("require_staff_passkey")
		if err := app.Save(s); err != nil {
			return err
		}
		return deleteAll(app, "staff_passkeys")
	})
}
