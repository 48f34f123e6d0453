package support

import (
	"context"
	"time"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/integrations/supportpal"
)

// ssoTTL: the link is opened at once by the portal; a minute covers a slow
// browser and leaves a leaked link (history, a screenshot) worthless.
const ssoTTL = time.Minute

// LoginLink is a one-time SimpleAuth link signing the customer into the
// help desk, optionally landing on redirect (a page of the help desk). The
// SupportPal user is created first if needed: SimpleAuth signs in existing
// users only.
func (d *Desk) LoginLink(ctx context.Context, customer *core.Record, redirect string) (link string, expires time.Time, err error) {
	if !d.SSOEnabled() {
		return "", time.Time{}, ErrNoSSO
	}
	ctx, cancel := withTimeout(ctx)
	defer cancel()
	if _, err := d.UserFor(ctx, customer); err != nil {
		return "", time.Time{}, err
	}
	link, _, expires, err = supportpal.SimpleAuthURL(d.api.BaseURL(), d.ssoKey, customer.Email(), redirect, ssoTTL, d.now())
	if err != nil && redirect != "" {
		return "", time.Time{}, validation.Errors{"redirect": validation.NewError("validation_invalid_redirect", "Choose a page of the help desk.")}
	}
	return link, expires, err
}
