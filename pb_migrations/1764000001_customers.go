package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Customers replace PocketBase's default "users" collection: they are the
// only non-staff accounts of the platform.
func init() {
	m.Register(func(app core.App) error {
		if err := dropDefaultUsers(app); err != nil {
			return err
		}

		c := core.NewAuthCollection("customers")
		self := types.Pointer(`id = @request.auth.id`)
		c.ListRule = self
		c.ViewRule = self
		// Sign-up is open; hooks.customerFields limits what a request may set.
		c.CreateRule = publicRule
		c.UpdateRule = self
		c.DeleteRule = nil
		c.PasswordAuth.Enabled = true
		c.PasswordAuth.IdentityFields = []string{"email"}
		c.AuthToken.Duration = 7 * 24 * 3600

		c.Fields.Add(
			&core.TextField{Name: "name", Required: true, Max: 200, Presentable: true},
			&core.TextField{Name: "company", Max: 200},
			&core.TextField{Name: "phone", Max: 40, Pattern: `^[0-9+()\-. ]*$`},
			&core.TextField{Name: "address_line1", Max: 200},
			&core.TextField{Name: "address_line2", Max: 200},
			&core.TextField{Name: "city", Max: 100},
			&core.TextField{Name: "region", Max: 100, Help: "state, province or county"},
			&core.TextField{Name: "postal_code", Max: 20},
			&core.TextField{Name: "country", Max: 2, Pattern: countryPattern, Help: "ISO 3166-1 alpha-2, upper case"},
			&core.TextField{Name: "tax_id", Max: 40, Help: "national tax number"},
			&core.TextField{Name: "vat_id", Max: 20, Help: "EU VAT number with country prefix, e.g. DE123456789"},
			currencyField("currency"),
			&core.SelectField{Name: "status", Required: true, MaxSelect: 1,
				Values: []string{"active", "suspended", "closed", "fraud"}},
			&core.BoolField{Name: "tax_exempt", Help: "staff only: charge no tax"},
			&core.BoolField{Name: "dunning_exempt", Help: "staff only: never terminate for non-payment"},
			&core.BoolField{Name: "disputed", Help: "set when a payment dispute was opened"},
			&core.TextField{Name: "notes", Hidden: true, Max: 20000, Help: "staff notes, never shown to the customer"},
			&core.TextField{Name: "stripe_customer_id", Hidden: true, Max: 255},
			&core.TextField{Name: "paypal_payer_id", Hidden: true, Max: 255},
		)
		timestamps(c)
		c.AddIndex("idx_customers_status", false, "status", "")
		c.AddIndex("idx_customers_created", false, "created", "")

		return app.Save(c)
	}, func(app core.App) error {
		return deleteAll(app, "customers")
	})
}

// dropDefaultUsers removes the sample "users" collection of a fresh
// PocketBase. It refuses when that collection already holds accounts, so a
// migration onto an existing install never deletes people.
func dropDefaultUsers(app core.App) error {
	users, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		return nil
	}
	total, err := app.CountRecords(users)
	if err != nil {
		return err
	}
	if total > 0 {
		return errUsersNotEmpty
	}
	return app.Delete(users)
}
