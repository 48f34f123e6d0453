package hooks

import (
	"context"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/integrations/notify"
	"github.com/ezscale/ezscale/integrations/outbox"
)

// bindAccountMail sends the customers' account emails PocketBase writes
// (verification, password reset, email change, login alert, one-time code)
// through the outbox instead of PocketBase's mailer, so one delivery path
// with retries serves every message. Verification, reset and email change
// are worded by notify around the link PocketBase built (the customers
// collection's templates point it at the portal, see
// pb_migrations/1764000014_portal.go); the others go as PocketBase wrote them.
func bindAccountMail(app core.App) {
	notice := func(key, template string) *hook.Handler[*core.MailerRecordEvent] {
		return &hook.Handler[*core.MailerRecordEvent]{Func: func(e *core.MailerRecordEvent) error {
			_, err := notify.Account(context.Background(), e.App, key, template, e.Message, e.Record)
			return err // not e.Next(): PocketBase's mailer does not send it too
		}}
	}
	asWritten := func(template string) *hook.Handler[*core.MailerRecordEvent] {
		return &hook.Handler[*core.MailerRecordEvent]{Func: func(e *core.MailerRecordEvent) error {
			_, err := outbox.Queue(context.Background(), e.App, outbox.FromMail(e.Message, template, e.Record.Id))
			return err
		}}
	}
	app.OnMailerRecordVerificationSend(customers.Collection).Bind(notice("email_verification", "account_verification"))
	app.OnMailerRecordPasswordResetSend(customers.Collection).Bind(notice("password_reset", "account_password_reset"))
	app.OnMailerRecordEmailChangeSend(customers.Collection).Bind(notice("email_change", "account_email_change"))
	app.OnMailerRecordAuthAlertSend(customers.Collection).Bind(asWritten("account_login_alert"))
	app.OnMailerRecordOTPSend(customers.Collection).Bind(asWritten("account_otp"))
}
