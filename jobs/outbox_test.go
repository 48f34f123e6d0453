package jobs

import (
	"testing"

	"github.com/ezscale/ezscale/integrations/discord"
	"github.com/ezscale/ezscale/integrations/mailgun"
	"github.com/ezscale/ezscale/integrations/outbox"
	"github.com/ezscale/ezscale/internal/config"
	"github.com/ezscale/ezscale/internal/testutil"
)

func TestNewDelivererPicksSenders(t *testing.T) {
	app := testutil.NewApp(t)
	hook := "https://discord.com/api/webhooks/1199887766554433221/tok"
	for _, tc := range []struct {
		name           string
		cfg            config.Config
		email, discord string
	}{
		{"mailgun", config.Config{Mailgun: config.Mailgun{Domain: "mg.example.com", APIKey: "k"}, DiscordWebhookURL: hook}, "mailgun", "discord"},
		{"dev without mailgun prints", config.Config{Dev: true}, "printer", "none"},
		{"smtp otherwise", config.Config{}, "smtp", "none"},
		{"a malformed webhook fails visibly", config.Config{DiscordWebhookURL: "https://example.com/nope"}, "smtp", "misconfigured"},
	} {
		d := newDeliverer(app, &tc.cfg)
		email, dc := "", "none"
		switch d.Email.(type) {
		case *mailgun.Sender:
			email = "mailgun"
		case *outbox.Printer:
			email = "printer"
		case outbox.SMTP:
			email = "smtp"
		}
		switch d.Discord.(type) {
		case *discord.Sender:
			dc = "discord"
		case outbox.Misconfigured:
			dc = "misconfigured"
		}
		if email != tc.email || dc != tc.discord {
			t.Errorf("%s: email %s discord %s, want %s %s", tc.name, email, dc, tc.email, tc.discord)
		}
	}
}
