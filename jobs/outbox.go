package jobs

import (
	"context"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/integrations/discord"
	"github.com/ezscale/ezscale/integrations/mailgun"
	"github.com/ezscale/ezscale/integrations/outbox"
	"github.com/ezscale/ezscale/internal/config"
	"github.com/ezscale/ezscale/internal/secrets"
)

// startOutbox delivers the outbox in the background until ctx ends. Email
// goes through Mailgun when configured, else printed in dev mode, else
// through PocketBase's mailer (SMTP settings); Discord through the webhook,
// if any.
func startOutbox(ctx context.Context, app core.App, cfg *config.Config) {
	d := newDeliverer(app, cfg)
	go d.Run(ctx)
}

// newDeliverer picks the senders the configuration names.
func newDeliverer(app core.App, cfg *config.Config) *outbox.Deliverer {
	d := &outbox.Deliverer{App: app}
	d.Box, _ = secrets.New(cfg.EncryptionKey) // nil without a key: credentials are not sent
	switch mg, err := mailgun.New(cfg.Mailgun); {
	case err == nil:
		d.Email, d.MessageID = mg, mg.MessageID
	case cfg.Dev:
		d.Email = &outbox.Printer{}
	default:
		d.Email = outbox.SMTP{App: app}
	}
	if cfg.DiscordWebhookURL != "" {
		if dc, err := discord.New(cfg.DiscordWebhookURL); err != nil {
			app.Logger().Error("discord notices will fail until fixed", "error", err)
			d.Discord = outbox.Misconfigured{Err: err}
		} else {
			d.Discord = dc
		}
	}
	return d
}
