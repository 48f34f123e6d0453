package migrations

import (
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/ezscale/ezscale/billing/numbering"
)

// orderNumberFormat is the default series of order numbers; orderSeries is
// its counter in number_sequences (billing/orders.NumberSeries).
const (
	orderNumberFormat = "ORD-{YYYY}-{SEQ:6}"
	orderSeries       = "order"
)

// What tells a customer's things apart: a game server's address with its
// port (ip_addresses keeps bare addresses for the address history), the
// disk a plan gives (so a downgrade can warn before it cannot fit), and a
// human number on every order, like invoices have, from its own settings
// format. Orders placed before get numbers in the order they were placed.
func init() {
	m.Register(func(app core.App) error {
		services, err := app.FindCollectionByNameOrId("services")
		if err != nil {
			return err
		}
		services.Fields.Add(&core.TextField{Name: "server_address", Max: 300,
			Help: "where players connect: host:port of a game server's primary allocation"})
		if err := app.Save(services); err != nil {
			return err
		}

		plans, err := app.FindCollectionByNameOrId("plans")
		if err != nil {
			return err
		}
		plans.Fields.Add(&core.NumberField{Name: "disk_mb", OnlyInt: true, Min: zero,
			Help: "disk the plan gives, in MiB; 0 = not stated (a game server's platform_config limits.disk is used)"})
		if err := app.Save(plans); err != nil {
			return err
		}

		settingsCol, err := app.FindCollectionByNameOrId("settings")
		if err != nil {
			return err
		}
		settingsCol.Fields.Add(&core.TextField{Name: "order_number_format", Max: 64,
			Help: "e.g. ORD-{YYYY}-{SEQ:6}; {YYYY} restarts the sequence each year"})
		if err := app.Save(settingsCol); err != nil {
			return err
		}
		format := orderNumberFormat
		if rec, err := app.FindFirstRecordByFilter("settings", "id != ''"); err == nil {
			if rec.GetString("order_number_format") == "" {
				rec.Set("order_number_format", orderNumberFormat)
				if err := app.Save(rec); err != nil {
					return err
				}
			}
			format = rec.GetString("order_number_format")
		}

		orders, err := app.FindCollectionByNameOrId("orders")
		if err != nil {
			return err
		}
		orders.Fields.Add(&core.TextField{Name: "number", Max: 64, Presentable: true,
			Help: "given when the order is placed; unique"})
		orders.AddIndex("idx_orders_number", true, "number", "number != ''")
		if err := app.Save(orders); err != nil {
			return err
		}
		return backfillOrderNumbers(app, format)
	}, func(app core.App) error {
		for name, field := range map[string]string{"services": "server_address", "plans": "disk_mb",
			"settings": "order_number_format", "orders": "number"} {
			c, err := app.FindCollectionByNameOrId(name)
			if err != nil {
				return err
			}
			c.Fields.RemoveByName(field)
			c.RemoveIndex("idx_orders_number")
			if err := app.Save(c); err != nil {
				return err
			}
		}
		_, err := app.DB().Delete("number_sequences", dbx.HashExp{"series": orderSeries}).Execute()
		return err
	})
}

// backfillOrderNumbers numbers the orders that have none, oldest first,
// each in the series of the date it was placed, and leaves the counters
// where the next placed order continues.
func backfillOrderNumbers(app core.App, format string) error {
	f, err := numbering.Parse(format)
	if err != nil {
		return err
	}
	var rows []struct {
		ID      string         `db:"id"`
		Created types.DateTime `db:"created"`
	}
	if err := app.DB().Select("id", "created").From("orders").Where(dbx.NewExp("number = '' OR number IS NULL")).
		OrderBy("created ASC", "id ASC").All(&rows); err != nil {
		return err
	}
	last := map[string]int64{}
	for _, r := range rows {
		key := f.Key(r.Created.Time())
		last[key]++
		if _, err := app.DB().Update("orders", dbx.Params{"number": f.Number(r.Created.Time(), last[key])},
			dbx.HashExp{"id": r.ID}).Execute(); err != nil {
			return fmt.Errorf("order %s: %w", r.ID, err)
		}
	}
	seqs, err := app.FindCollectionByNameOrId("number_sequences")
	if err != nil {
		return err
	}
	for key, n := range last {
		seq := core.NewRecord(seqs)
		seq.Set("series", orderSeries)
		seq.Set("key", key)
		seq.Set("last", n)
		if err := app.Save(seq); err != nil {
			return fmt.Errorf("order sequence %s: %w", key, err)
		}
	}
	return nil
}
