package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// staffSearchIndexes: the staff search box (internal/backoffice) looks a
// typed number up exactly; a platform's server id or a proforma number
// would otherwise read the services or invoices table whole. Partial, like
// the other number indexes: most rows have none.
var staffSearchIndexes = []struct{ collection, name, column string }{
	{"services", "idx_services_platform_service_id", "platform_service_id"},
	{"invoices", "idx_invoices_proforma_number", "proforma_number"},
}

func init() {
	m.Register(func(app core.App) error {
		for _, ix := range staffSearchIndexes {
			c, err := app.FindCollectionByNameOrId(ix.collection)
			if err != nil {
				return err
			}
			c.AddIndex(ix.name, false, ix.column, ix.column+" != ''")
			if err := app.Save(c); err != nil {
				return err
			}
		}
		return nil
	}, func(app core.App) error {
		for _, ix := range staffSearchIndexes {
			c, err := app.FindCollectionByNameOrId(ix.collection)
			if err != nil {
				return err
			}
			c.RemoveIndex(ix.name)
			if err := app.Save(c); err != nil {
				return err
			}
		}
		return nil
	})
}
