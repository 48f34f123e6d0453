package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Service-ready emails link to the portal, where revealing a login is
// audited, instead of carrying it. A business whose customers have no
// portal path for some platform opts that platform in here; none is by
// default.
func init() {
	m.Register(func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("settings")
		if err != nil {
			return err
		}
		c.Fields.Add(&core.SelectField{Name: "email_credentials_platforms", MaxSelect: len(emailCredentialsPlatforms),
			Values: emailCredentialsPlatforms,
			Help:   "platforms whose service-ready email also carries the login (each sending audited); empty = portal only"})
		return app.Save(c)
	}, func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("settings")
		if err != nil {
			return err
		}
		c.Fields.RemoveByName("email_credentials_platforms")
		return app.Save(c)
	})
}

// emailCredentialsPlatforms are the platforms that generate a login; a
// manual service has none to send.
var emailCredentialsPlatforms = []string{"virtfusion", "synergycp", "enhance", "pterodactyl"}
