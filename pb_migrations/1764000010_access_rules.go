package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Tightened access rules: sign-up is for guests only (a signed-in customer
// does not create further accounts), and drafts stay with staff until they
// are issued, so a customer never sees an invoice that may still change.
func init() {
	m.Register(func(app core.App) error {
		return setRules(app, map[string][2]*string{
			"customers":     {nil, types.Pointer(`@request.auth.id = ""`)},
			"invoices":      {types.Pointer(*ownerRule + ` && status != "draft"`), nil},
			"invoice_items": {types.Pointer(*ownerRule + ` && invoice.status != "draft"`), nil},
		})
	}, func(app core.App) error {
		return setRules(app, map[string][2]*string{
			"customers":     {nil, publicRule},
			"invoices":      {ownerRule, nil},
			"invoice_items": {ownerRule, nil},
		})
	})
}

// setRules sets, per collection, the list/view rule and the create rule;
// a nil entry leaves that rule alone.
func setRules(app core.App, rules map[string][2]*string) error {
	for name, r := range rules {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			return err
		}
		if r[0] != nil {
			c.ListRule, c.ViewRule = r[0], r[0]
		}
		if r[1] != nil {
			c.CreateRule = r[1]
		}
		if err := app.Save(c); err != nil {
			return err
		}
	}
	return nil
}
