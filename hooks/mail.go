package hooks

import (
	"context"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"

	"github.com/ezscale/ezscale/integrations/outbox"
)

// bindAccountMail sends the customers' account emails PocketBase writes
// (verification, password reset, email change, login alert, one-time code)
// through the outbox instead of PocketBase's mailer, so one delivery path
// with retries serves every message. The templates live on the customers
// collection (pb_migrations/1764000014_portal.go) and link to the portal.
func bindAccountMail(app core.App) {
	queue := func(template string) *hook.Handler[*core.MailerRecordEvent] {
		return &hook.Handler[*core.MailerRecordEvent]{Func: func(e *core.MailerRecordEvent) error {
			_, err := outbox.Queue(context.Background(), e.App, outbox.FromMail(e.Message, template, e.Record.Id))
			return err // not e.Next(): PocketBase's mailer does not send it too
		}}
	}
	app.OnMailerRecordVerificationSend("customers").Bind(queue("account_verification"))
	app.OnMailerRecordPasswordResetSend("customers").Bind(queue("account_password_reset"))
	app.OnMailerRecordEmailChangeSend("customers").Bind(queue("account_email_change"))
	app.OnMailerRecordAuthAlertSend("customers").Bind(queue("account_login_alert"))
	app.OnMailerRecordOTPSend("customers").Bind(queue("account_otp"))
}
