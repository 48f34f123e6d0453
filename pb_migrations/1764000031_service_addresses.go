package migrations

import (
	"encoding/json"
	"net/netip"
	"slices"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Each service's address history (billing/bandwidth): addresses move
// between services, so flow records are attributed to the service that
// held the address on their day, not to whoever holds it now. Staff only:
// customers see their own addresses on the service. Backfilled from the
// services as they are: held since activation (or, when that is unknown,
// since before anything was measured), and by a terminated or cancelled
// service until it ended.
func init() {
	m.Register(func(app core.App) error {
		c := core.NewBaseCollection("service_addresses")
		service, err := relationTo(app, "service", "services", true, true)
		if err != nil {
			return err
		}
		c.Fields.Add(service,
			&core.TextField{Name: "address", Required: true, Max: 45, Presentable: true,
				Help: "canonical form: IPv6 compressed lower case, IPv4-mapped as IPv4"},
			&core.DateField{Name: "from", Help: "held since; empty = since before anything was measured"},
			&core.DateField{Name: "to", Help: "released at; empty while the service holds it"},
		)
		timestamps(c)
		c.AddIndex("idx_service_addresses_address", false, "address, `from`", "")
		c.AddIndex("idx_service_addresses_service", false, "service, `to`", "")
		if err := app.Save(c); err != nil {
			return err
		}
		return backfillAddresses(app, c)
	}, func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("service_addresses")
		if err != nil {
			return err
		}
		return app.Delete(c)
	})
}

// backfillAddresses opens a holding for every address of every service.
func backfillAddresses(app core.App, c *core.Collection) error {
	var rows []struct {
		ID         string         `db:"id"`
		Status     string         `db:"status"`
		IPs        types.JSONRaw  `db:"ip_addresses"`
		Activated  types.DateTime `db:"activated_at"`
		Terminated types.DateTime `db:"terminated_at"`
		Updated    types.DateTime `db:"updated"`
	}
	err := app.DB().Select("id", "status", "ip_addresses", "activated_at", "terminated_at", "updated").
		From("services").Where(dbx.NewExp("ip_addresses IS NOT NULL AND ip_addresses NOT IN ('', '[]', 'null')")).All(&rows)
	if err != nil {
		return err
	}
	for _, r := range rows {
		var list []string
		if json.Unmarshal(r.IPs, &list) != nil {
			continue
		}
		from := r.Activated
		to := ""
		if r.Status == "terminated" || r.Status == "cancelled" {
			to = r.Terminated.String()
			if r.Terminated.IsZero() {
				to = r.Updated.String()
			}
		}
		var seen []string
		for _, raw := range list {
			a, err := netip.ParseAddr(raw)
			if err != nil {
				continue
			}
			addr := a.Unmap().WithZone("").String()
			if slices.Contains(seen, addr) {
				continue
			}
			seen = append(seen, addr)
			h := core.NewRecord(c)
			h.Set("service", r.ID)
			h.Set("address", addr)
			h.Set("from", from)
			h.Set("to", to)
			if err := app.SaveNoValidate(h); err != nil {
				return err
			}
		}
	}
	return nil
}
