package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// importedCollections get a whmcs_id: the WHMCS row a record came from, so
// a second import updates instead of duplicating. It is text because some
// records come from part of a row (a plan price is one cycle of a
// tblpricing row: "12/monthly").
var importedCollections = []string{
	"customers", "plans", "plan_prices", "tax_rates", "coupons", "subscriptions", "services",
	"invoices", "invoice_items", "payments", "credit_entries",
}

// WHMCS import (internal/whmcs): the whmcs_id of imported records, the
// forced password reset of customers whose WHMCS hash was not bcrypt, and
// the archive of WHMCS tickets for customers when no help desk takes them.
func init() {
	m.Register(func(app core.App) error {
		var cols []*core.Collection
		for _, name := range importedCollections {
			c, err := app.FindCollectionByNameOrId(name)
			if err != nil {
				return err
			}
			c.Fields.Add(&core.TextField{Name: "whmcs_id", Max: 64, Help: "the WHMCS record this was imported from"}, whmcsHash())
			c.AddIndex("idx_"+name+"_whmcs_id", true, "whmcs_id", "whmcs_id != ''")
			if name == "customers" {
				// WHMCS allows 250 characters; nothing imported is cut short.
				if f, ok := c.Fields.GetByName("company").(*core.TextField); ok {
					f.Max = 255
				}
				c.Fields.Add(&core.BoolField{Name: "password_reset_required", Hidden: true,
					Help: "the imported password hash was not bcrypt: the customer must choose a new password"})
			}
			cols = append(cols, c)
		}

		archive := core.NewBaseCollection("ticket_archive")
		ownedBy(archive)
		if err := addRelations(app, archive,
			relationSpec{"customer", "customers", true, true},
			relationSpec{"service", "services", false, false},
		); err != nil {
			return err
		}
		archive.Fields.Add(
			&core.TextField{Name: "whmcs_id", Max: 64},
			whmcsHash(),
			&core.TextField{Name: "number", Max: 40, Presentable: true},
			&core.TextField{Name: "subject", Max: 500},
			&core.TextField{Name: "department", Max: 200},
			&core.TextField{Name: "status", Max: 100},
			&core.TextField{Name: "priority", Max: 40},
			&core.DateField{Name: "opened_at"},
			&core.DateField{Name: "last_reply_at"},
			&core.JSONField{Name: "messages", MaxSize: 5 << 20,
				Help: "[{author: customer|staff, name, html (sanitised), created_at}], oldest first"},
			&core.NumberField{Name: "supportpal_id", Hidden: true, OnlyInt: true, Min: zero,
				Help: "the SupportPal ticket the import created from this one (0: none yet)"},
			&core.NumberField{Name: "supportpal_messages", Hidden: true, OnlyInt: true, Min: zero,
				Help: "how many of the messages are in that SupportPal ticket: a re-run posts the rest"},
		)
		timestamps(archive)
		archive.AddIndex("idx_ticket_archive_whmcs_id", true, "whmcs_id", "whmcs_id != ''")
		archive.AddIndex("idx_ticket_archive_customer", false, "customer, last_reply_at", "")
		cols = append(cols, archive)
		return saveAll(app, cols...)
	}, func(app core.App) error {
		if err := deleteAll(app, "ticket_archive"); err != nil {
			return err
		}
		for _, name := range importedCollections {
			c, err := app.FindCollectionByNameOrId(name)
			if err != nil {
				return err
			}
			c.RemoveIndex("idx_" + name + "_whmcs_id")
			c.Fields.RemoveByName("whmcs_id")
			c.Fields.RemoveByName("whmcs_hash")
			c.Fields.RemoveByName("password_reset_required")
			if err := app.Save(c); err != nil {
				return err
			}
		}
		return nil
	})
}

// whmcsHash is the digest of what the import last wrote into a record:
// when the record no longer matches it, the platform has changed it since
// (an invoice paid, a renewal billed, an address the customer corrected)
// and a later import leaves it alone instead of reverting it.
func whmcsHash() *core.TextField {
	return &core.TextField{Name: "whmcs_hash", Hidden: true, Max: 64, Help: "set by the WHMCS import"}
}
