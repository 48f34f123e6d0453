package hooks

import (
	"strings"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/customers"
)

// bindCustomerEmails keeps one account per address whatever its case: the
// email is stored trimmed and lower-cased on every create and update,
// whoever writes it (sign-up, PocketBase's email change confirmation,
// staff, the dev seed), so the unique index (email COLLATE NOCASE,
// migration 1764000023) refuses another case of a taken address with
// PocketBase's own "must be unique" error, and sign-in, one-time codes and
// password resets, which PocketBase then looks up without case, find it.
func bindCustomerEmails(app core.App) {
	normalise := func(e *core.RecordEvent) error {
		e.Record.SetEmail(normalEmail(e.Record.Email()))
		return e.Next()
	}
	app.OnRecordCreate(customers.Collection).BindFunc(normalise)
	app.OnRecordUpdate(customers.Collection).BindFunc(normalise)
}

// normalEmail is the form a customer's address is stored in.
func normalEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}
