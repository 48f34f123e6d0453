// Package support is the customer side of the help desk: a customer's
// SupportPal tickets listed, opened and answered through the portal, and
// the support_tickets mirror the dashboard reads. SupportPal sends no
// webhooks, so the mirror is kept by polling (Sync) and refreshed whenever
// a customer opens their tickets.
package support

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/integrations/supportpal"
)

// Collection is the ticket mirror.
const Collection = "support_tickets"

// Errors the portal routes turn into answers.
var (
	// ErrUnavailable: SupportPal did not answer (down, timing out, 5xx,
	// rate limited). Nothing was changed on our side; try again later.
	ErrUnavailable = errors.New("support: SupportPal is unavailable")
	// ErrNotFound: no such ticket, or not the customer's.
	ErrNotFound = errors.New("support: ticket not found")
	// ErrLocked: SupportPal refuses replies to a locked ticket.
	ErrLocked = errors.New("support: ticket is locked")
	// ErrNoSSO: no SimpleAuth key is configured.
	ErrNoSSO = errors.New("support: single sign-on is not configured")
	// ErrUnverified: the customer has not verified their email address.
	// SupportPal knows its users by address, so until the address is proven
	// theirs they are linked to no help-desk user and see no tickets.
	ErrUnverified = errors.New("support: the customer's email address is not verified")
)

// Config is what a Desk needs besides the app.
type Config struct {
	API *supportpal.Client
	// SSOKey is SupportPal's SimpleAuth key; empty disables the help-desk link.
	SSOKey []byte
	// Now is the clock (tests); default time.Now.
	Now func() time.Time
}

// Desk is the help desk as the platform uses it.
type Desk struct {
	app    core.App
	api    *supportpal.Client
	ssoKey []byte
	now    func() time.Time

	mu        sync.Mutex
	lookups   *Lookups
	lookupsAt time.Time
}

// New returns a Desk over cfg.API.
func New(app core.App, cfg Config) *Desk {
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Desk{app: app, api: cfg.API, ssoKey: cfg.SSOKey, now: now}
}

// SSOEnabled says whether LoginLink can work.
func (d *Desk) SSOEnabled() bool { return len(d.ssoKey) > 0 }

// remote classifies a SupportPal failure: "down" becomes ErrUnavailable
// (wrapping the cause for the log), "no such ticket" ErrNotFound.
func remote(err error) error {
	switch {
	case err == nil:
		return nil
	case supportpal.IsUnavailable(err):
		return errors.Join(ErrUnavailable, err)
	case supportpal.IsNotFound(err):
		return errors.Join(ErrNotFound, err)
	}
	return err
}

// callTimeout bounds a portal request's calls to SupportPal, so a hanging
// help desk answers the customer "unavailable" instead of spinning.
const callTimeout = 10 * time.Second

func withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, callTimeout)
}
