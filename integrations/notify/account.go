package notify

import (
	"context"
	"fmt"
	"html"
	"regexp"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/mailer"
)

var firstLink = regexp.MustCompile(`(?is)<a\s[^>]*href="([^"]+)"`)

// Account queues an account email PocketBase composed (verification,
// password reset, email change) as the notice key, worded like every other
// email but with the link PocketBase built: its token, and the portal page
// set in the customers collection's templates (pb_migrations/1764000014_portal.go).
// template keeps the outbox name the message always had (account_*).
func Account(ctx context.Context, app core.App, key, template string, msg *mailer.Message, customer *core.Record) (*core.Record, error) {
	m := firstLink.FindStringSubmatch(msg.HTML)
	if m == nil {
		return nil, fmt.Errorf("%s email of customer %s: PocketBase's message has no link", key, customer.Id)
	}
	to := customer.Email()
	if len(msg.To) > 0 {
		to = msg.To[0].Address // an email change goes to the new address
	}
	return Customer(ctx, app, Email{Key: key, Customer: customer, To: to, Template: template,
		Data: Data{"Link": html.UnescapeString(m[1])}})
}
