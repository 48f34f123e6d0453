package stripe

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/stripe/stripe-go/v85/webhook"

	"github.com/ezscale/ezscale/integrations/gateway"
)

// MaxWebhookBytes bounds a webhook body. Stripe's events are a few KiB;
// anything larger is refused before it is hashed or parsed, since the
// sender is not yet authenticated. The HTTP route should read no more.
const MaxWebhookBytes = 1 << 20

// webhookTolerance is how old a signature may be, which bounds how long a
// captured delivery could be replayed. It is Stripe's recommended 5 minutes.
const webhookTolerance = 5 * time.Minute

// ErrBodyTooLarge reports a webhook body over MaxWebhookBytes. It also
// matches gateway.ErrBadSignature: the delivery was refused unverified.
var ErrBodyTooLarge = errors.New("webhook body too large")

// VerifyWebhook checks the Stripe-Signature header against our endpoint
// secret and returns the event. Every signature problem (missing or
// malformed header, wrong secret, altered body, stale timestamp) wraps
// gateway.ErrBadSignature with the reason. The event's API version is not
// checked: deliveries follow the endpoint's version, not stripe-go's, and
// ParseEvent reads only fields that are stable across versions.
func (c *Client) VerifyWebhook(_ context.Context, header http.Header, body []byte) (gateway.Event, error) {
	if len(body) > MaxWebhookBytes {
		return gateway.Event{}, fmt.Errorf("%w: %w: %d bytes, limit %d", gateway.ErrBadSignature, ErrBodyTooLarge, len(body), MaxWebhookBytes)
	}
	if c.webhookSecret == "" {
		// An empty HMAC key is one anybody can sign with.
		return gateway.Event{}, fmt.Errorf("%w: no webhook secret configured", gateway.ErrBadSignature)
	}
	ev, err := webhook.ConstructEventWithOptions(body, header.Get("Stripe-Signature"), c.webhookSecret, webhook.ConstructEventOptions{
		Tolerance:                webhookTolerance,
		IgnoreAPIVersionMismatch: true,
	})
	switch {
	case errors.Is(err, webhook.ErrNotSigned), errors.Is(err, webhook.ErrInvalidHeader),
		errors.Is(err, webhook.ErrNoValidSignature), errors.Is(err, webhook.ErrTooOld):
		return gateway.Event{}, fmt.Errorf("%w: %w", gateway.ErrBadSignature, err)
	case err != nil:
		// Signed by Stripe but not an event we can read.
		return gateway.Event{}, fmt.Errorf("stripe webhook: %w", err)
	case ev.ID == "" || ev.Type == "":
		return gateway.Event{}, errors.New("stripe webhook: event without id or type")
	}
	return gateway.Event{ID: ev.ID, Type: string(ev.Type), Payload: body}, nil
}

// SignPayload returns a Stripe-Signature header value for body as Stripe
// would sign it at the given time, for tests and the dev-mode simulator.
func SignPayload(secret string, body []byte, at time.Time) string {
	return fmt.Sprintf("t=%d,v1=%s", at.Unix(), hex.EncodeToString(webhook.ComputeSignature(at, body, secret)))
}
