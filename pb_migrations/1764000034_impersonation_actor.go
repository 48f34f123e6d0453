package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"github.com/ezscale/ezscale/internal/audit"
)

// Impersonation that cannot be mistaken: the impersonate entry keeps the
// hash of the token it issued (session), so a request made with that token
// is traced back to the staff member who asked for it, and every change
// made with it is recorded as theirs, on behalf of the customer. Both are
// staff's to read, like the actor.
func init() {
	m.Register(func(app core.App) error {
		c, err := app.FindCollectionByNameOrId(audit.Collection)
		if err != nil {
			return err
		}
		c.Fields.Add(
			&core.TextField{Name: "on_behalf_of", Hidden: true, Max: 100,
				Help: "the customer whose session staff acted in (impersonation)"},
			&core.TextField{Name: "session", Hidden: true, Max: 64,
				Help: "SHA-256 of the impersonation token the entry was issued for or made with"},
		)
		c.AddIndex("idx_audit_logs_session", false, "session", "session != ''")
		return app.Save(c)
	}, func(app core.App) error {
		c, err := app.FindCollectionByNameOrId(audit.Collection)
		if err != nil {
			return err
		}
		c.RemoveIndex("idx_audit_logs_session")
		c.Fields.RemoveByName("on_behalf_of")
		c.Fields.RemoveByName("session")
		return app.Save(c)
	})
}
