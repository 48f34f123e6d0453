package hooks

import (
	"errors"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/settings"
)

var (
	errSecondSettings = errors.New("there is one settings record: edit it instead of creating another")
	errDeleteSettings = errors.New("the settings record cannot be deleted")
)

// bindSettings keeps the settings collection to one valid record, and
// caches it for settings.Load between writes.
func bindSettings(app core.App) {
	settings.Bind(app)
	app.OnRecordCreate(settings.Collection).BindFunc(func(e *core.RecordEvent) error {
		n, err := e.App.CountRecords(settings.Collection)
		if err != nil {
			return err
		}
		if n > 0 {
			return refused(errSecondSettings)
		}
		return e.Next()
	})
	app.OnRecordDelete(settings.Collection).BindFunc(func(e *core.RecordEvent) error {
		return refused(errDeleteSettings)
	})
	app.OnRecordValidate(settings.Collection).BindFunc(func(e *core.RecordEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		s, err := settings.FromRecord(e.Record)
		if err != nil {
			return err
		}
		return s.Validate()
	})
}
