package migrations

import (
	"slices"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// orderDeclined is the email a customer gets when staff decline their
// wait-listed order; staff may override it like the other notices.
const orderDeclined = "order_declined"

func init() {
	m.Register(func(app core.App) error {
		return editTemplateKeys(app, func(keys []string) []string {
			if slices.Contains(keys, orderDeclined) {
				return keys
			}
			return append(keys, orderDeclined)
		})
	}, func(app core.App) error {
		return editTemplateKeys(app, func(keys []string) []string {
			return slices.DeleteFunc(keys, func(k string) bool { return k == orderDeclined })
		})
	})
}

// editTemplateKeys changes the email notices an email_templates override may name.
func editTemplateKeys(app core.App, edit func([]string) []string) error {
	c, err := app.FindCollectionByNameOrId("email_templates")
	if err != nil {
		return err
	}
	key := c.Fields.GetByName("key").(*core.SelectField)
	key.Values = edit(slices.Clone(key.Values))
	return app.Save(c)
}
