package audit

import (
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// Staff access actions.
const (
	ActionLogin       = "login"
	ActionLoginFailed = "login_failed"
	ActionImpersonate = "impersonate"
)

// StaffLogin records a completed superuser sign-in (every factor passed)
// and reports whether it came from an IP address this superuser never
// signed in from before.
func StaffLogin(app core.App, su *core.Record, from Actor, method string) (newIP bool, err error) {
	seen, err := app.CountRecords(Collection, dbx.HashExp{
		"collection": core.CollectionNameSuperusers, "record_id": su.Id, "action": ActionLogin, "ip": from.IP,
	})
	if err != nil {
		return false, fmt.Errorf("audit login of %s: %w", su.Email(), err)
	}
	from.Kind, from.ID = KindSuperuser, su.Id
	err = Entry{Actor: from, Action: ActionLogin, Collection: core.CollectionNameSuperusers, RecordID: su.Id,
		Message: fmt.Sprintf("%s signed in (%s)", su.Email(), method)}.Save(app)
	return seen == 0, err
}

// StaffLoginFailed records a refused superuser sign-in attempt: the
// identity typed (which may name nobody) and why it was refused.
func StaffLoginFailed(app core.App, identity string, su *core.Record, from Actor, reason string) error {
	from.Kind, from.ID = KindGuest, ""
	id := ""
	if su != nil {
		id = su.Id
	}
	return Entry{Actor: from, Action: ActionLoginFailed, Collection: core.CollectionNameSuperusers, RecordID: id,
		Message: fmt.Sprintf("sign-in as %q refused: %s", identity, reason)}.Save(app)
}
