package migrations

import (
	"encoding/json"
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/ezscale/ezscale/internal/audit"
)

// auditStaffFields are what a customer no longer reads of an audit entry:
// who acted (a staff id), the raw changes (a draft's notes, staff-only
// fields) and the free-text message. Staff read them as before.
var auditStaffFields = []string{"actor_id", "changes", "message"}

// The customer's history: an audit entry is shown to the customer it is
// about only when audit.Entry.CustomerView allowed it when it was written
// (customer_visible), through its summary; everything else of the trail is
// staff's. Entries written before are sorted by the same rule from what
// they recorded.
func init() {
	m.Register(func(app core.App) error {
		c, err := app.FindCollectionByNameOrId(audit.Collection)
		if err != nil {
			return err
		}
		c.Fields.Add(
			&core.BoolField{Name: "customer_visible", Help: "part of the customer's own history"},
			&core.TextField{Name: "summary", Max: 500, Help: "what the customer reads; names no staff member"},
		)
		setHidden(c, true)
		c.ListRule = types.Pointer(*ownerRule + ` && customer_visible = true`)
		c.ViewRule = c.ListRule
		if err := app.Save(c); err != nil {
			return err
		}
		return backfillCustomerHistory(app)
	}, func(app core.App) error {
		c, err := app.FindCollectionByNameOrId(audit.Collection)
		if err != nil {
			return err
		}
		c.Fields.RemoveByName("customer_visible")
		c.Fields.RemoveByName("summary")
		setHidden(c, false)
		c.ListRule, c.ViewRule = ownerRule, ownerRule
		return app.Save(c)
	})
}

func setHidden(c *core.Collection, hidden bool) {
	for _, name := range auditStaffFields {
		if f := c.Fields.GetByName(name); f != nil {
			f.SetHidden(hidden)
		}
	}
}

// backfillCustomerHistory sorts the existing entries about a customer,
// a page at a time so a long trail is never held in memory at once.
func backfillCustomerHistory(app core.App) error {
	const page = 1000
	type row struct {
		ID         string        `db:"id"`
		ActorKind  string        `db:"actor_kind"`
		ActorID    string        `db:"actor_id"`
		Action     string        `db:"action"`
		Collection string        `db:"collection"`
		RecordID   string        `db:"record_id"`
		Customer   string        `db:"customer"`
		Changes    types.JSONRaw `db:"changes"`
	}
	after := ""
	for {
		var rows []row
		err := app.DB().Select("id", "actor_kind", "actor_id", "action", "collection", "record_id", "customer", "changes").
			From(audit.Collection).
			Where(dbx.NewExp("customer != '' AND id > {:after}", dbx.Params{"after": after})).
			OrderBy("id").Limit(page).All(&rows)
		if err != nil {
			return fmt.Errorf("read audit entries: %w", err)
		}
		for _, r := range rows {
			e := audit.Entry{Actor: audit.Actor{Kind: r.ActorKind, ID: r.ActorID}, Action: r.Action,
				Collection: r.Collection, RecordID: r.RecordID, Customer: r.Customer}
			if len(r.Changes) > 0 && string(r.Changes) != "null" {
				if err := json.Unmarshal(r.Changes, &e.Changes); err != nil {
					return fmt.Errorf("audit entry %s: changes: %w", r.ID, err)
				}
			}
			visible, summary := e.CustomerView()
			if !visible {
				continue
			}
			if _, err := app.DB().Update(audit.Collection, dbx.Params{"customer_visible": true, "summary": summary},
				dbx.HashExp{"id": r.ID}).Execute(); err != nil {
				return fmt.Errorf("audit entry %s: %w", r.ID, err)
			}
		}
		if len(rows) < page {
			return nil
		}
		after = rows[len(rows)-1].ID
	}
}
