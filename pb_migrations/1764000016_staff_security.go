package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Staff (PocketBase superusers) sign in with two factors: their password
// and a one-time code sent to their email (PocketBase's built-in MFA with
// email OTP), and get an alert when a login comes from a new device.
func init() {
	m.Register(func(app core.App) error {
		su, err := app.FindCollectionByNameOrId(core.CollectionNameSuperusers)
		if err != nil {
			return err
		}
		su.MFA.Enabled = true
		su.MFA.Rule = "" // everyone
		su.MFA.Duration = 600
		su.OTP.Enabled = true
		su.OTP.Duration = 300
		su.OTP.Length = 8
		su.AuthAlert.Enabled = true
		return app.Save(su)
	}, func(app core.App) error {
		su, err := app.FindCollectionByNameOrId(core.CollectionNameSuperusers)
		if err != nil {
			return err
		}
		su.MFA.Enabled = false
		su.OTP.Enabled = false
		return app.Save(su)
	})
}
