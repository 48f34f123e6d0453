package hooks

import (
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/integrations/outbox"
)

// bindOutboxEdits lets staff re-send or cancel a message by editing its
// status in the dashboard, and refuses any other status change or an edit
// of a sent message's content (outbox.StaffEdit says which).
func bindOutboxEdits(app core.App) {
	app.OnRecordUpdateRequest(outbox.Collection).BindFunc(func(e *core.RecordRequestEvent) error {
		if err := outbox.StaffEdit(e.Record.Original(), e.Record, time.Now().UTC()); err != nil {
			return e.BadRequestError(err.Error(), nil)
		}
		return e.Next()
	})
}
