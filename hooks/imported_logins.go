package hooks

import (
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/mails"

	"github.com/ezscale/ezscale/billing/customers"
)

// movedAccountMessage answers the password sign-in of a customer imported
// without a usable password hash.
const movedAccountMessage = "Your account was moved to our new platform. We emailed you a link to choose a new password."

// resetResend is how long a reset email is not sent again, as PocketBase's
// own reset request does.
const resetResend = 2 * time.Minute

// bindImportedLogins makes the customers the WHMCS import could not give
// a usable password (an old MD5 hash, no password: password_reset_required)
// choose a new one: a password sign-in, right or wrong, is refused with 403
// and sends the password reset email, since the password they know cannot
// be checked. Setting a new password, by the reset link or otherwise,
// clears the flag.
func bindImportedLogins(app core.App) {
	app.OnRecordAuthWithPasswordRequest(customers.Collection).BindFunc(func(e *core.RecordAuthWithPasswordRequestEvent) error {
		if e.Record == nil || !customers.As(e.Record).PasswordResetRequired() {
			return e.Next()
		}
		sendPasswordReset(e.App, e.Record)
		return e.ForbiddenError(movedAccountMessage, nil)
	})

	// The password's plain value is set only when a new password is being
	// saved (PocketBase clears it after each save).
	app.OnRecordUpdate(customers.Collection).BindFunc(func(e *core.RecordEvent) error {
		if c := customers.As(e.Record); c.PasswordResetRequired() && c.GetString(core.FieldNamePassword) != "" {
			c.SetPasswordResetRequired(false)
		}
		return e.Next()
	})
}

// sendPasswordReset sends the reset email the way PocketBase's reset
// request does: through the mailer hooks (which queue it in the outbox, see
// bindAccountMail), at most once per two minutes per customer, sharing
// PocketBase's resend key so the two paths limit each other.
func sendPasswordReset(app core.App, customer *core.Record) {
	key := "@limitPasswordResetEmail_" + customer.Collection().Id + customer.Id
	if app.Store().Has(key) {
		return
	}
	if err := mails.SendRecordPasswordReset(app, customer); err != nil {
		app.Logger().Error("send the password reset of an imported customer", "customer", customer.Id, "error", err)
		return
	}
	app.Store().Set(key, struct{}{})
	time.AfterFunc(resetResend, func() { app.Store().Remove(key) })
}
