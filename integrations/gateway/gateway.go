// Package gateway is what the billing core needs of a payment rail: tell a
// genuine webhook from a forged one, and the requests and answers of a
// charge and a refund. Every rail verifies webhooks; charging a saved method
// (Charger, used by dunning and pay now) and refunding (payments.Refunder)
// are abilities a rail may have, found by a type assertion, so a rail without one (PayPal never charges a
// saved method) has no method that only refuses. What only one rail has
// (saving cards, PayPal approval links) lives in its own package;
// integrations/gateways registers the rails.
package gateway

import (
	"context"
	"errors"
	"net/http"

	"github.com/ezscale/ezscale/billing/money"
)

// Charge statuses, as stored in payments.status.
const (
	StatusSucceeded      = "succeeded"
	StatusFailed         = "failed"
	StatusPending        = "pending"
	StatusRequiresAction = "requires_action"
)

// ChargeRequest asks for an invoice to be paid with a saved method.
type ChargeRequest struct {
	InvoiceID         string // our invoice id, sent as metadata so webhooks find it
	CustomerID        string // our customer id, likewise
	GatewayCustomerID string // the gateway's customer (Stripe cus_…)
	PaymentMethodRef  string // the gateway's saved method (Stripe pm_…)
	Amount            money.Amount
	Description       string
	// IdempotencyKey makes a retried request charge at most once; derive it
	// from the invoice and the attempt number.
	IdempotencyKey string
}

// ChargeResult is the gateway's answer.
type ChargeResult struct {
	GatewayID      string // e.g. Stripe pi_…, unique per gateway
	Status         string
	FailureCode    string // decline code, e.g. insufficient_funds
	FailureMessage string
	ActionURL      string // where the customer completes 3-D Secure
}

// RefundRequest returns (part of) a payment.
type RefundRequest struct {
	PaymentGatewayID string // the charge being refunded (Stripe pi_…, PayPal capture id)
	Amount           money.Amount
	Reason           string
	IdempotencyKey   string
}

// RefundResult is the gateway's answer.
type RefundResult struct {
	GatewayID string
	Status    string
}

// Event is a verified webhook delivery.
type Event struct {
	ID      string // unique per gateway: the key of webhook_events
	Type    string // e.g. payment_intent.succeeded, PAYMENT.CAPTURE.COMPLETED
	Payload []byte // the raw body, stored for staff and re-runs
}

// ErrBadSignature is returned for a webhook that fails verification.
var ErrBadSignature = errors.New("webhook signature verification failed")

// Gateway is one payment rail: what every rail does.
type Gateway interface {
	// VerifyWebhook checks a delivery's signature and returns its event.
	VerifyWebhook(ctx context.Context, header http.Header, body []byte) (Event, error)
}

// Charger is a rail that charges a saved payment method off-session:
// dunning's retries and a customer's pay now both use it.
type Charger interface {
	Charge(ctx context.Context, req ChargeRequest) (ChargeResult, error)
}

// ErrRefused marks a definite refusal: the gateway answered that it did
// nothing (a decline, an invalid request) or the request never left. Any
// other error is ambiguous (a timeout, a lost answer, a 5xx, a rate limit):
// the gateway may have acted, so the caller retries with the same
// idempotency key and keeps what it reserved.
var ErrRefused = errors.New("refused by the gateway")

// Refusal marks err as a definite refusal, keeping its text.
func Refusal(err error) error {
	if err == nil {
		return nil
	}
	return refusal{err}
}

type refusal struct{ err error }

func (r refusal) Error() string   { return r.err.Error() }
func (r refusal) Unwrap() []error { return []error{r.err, ErrRefused} }

// Refused reports whether err is a definite refusal.
func Refused(err error) bool { return errors.Is(err, ErrRefused) }
