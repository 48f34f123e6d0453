package stripe

import (
	"context"
	"errors"
	"fmt"

	stripeapi "github.com/stripe/stripe-go/v85"

	"github.com/ezscale/ezscale/integrations/gateway"
)

// Charge pays an invoice with a saved card while the customer is away: one
// PaymentIntent, created and confirmed off-session in a single call. The
// request's IdempotencyKey becomes Stripe's Idempotency-Key, so a retry
// after a timeout gets the first attempt's answer instead of a second
// charge; stripe-go's own network retries reuse the same key.
//
// A declined card is an answer, not an outage: it comes back as
// StatusFailed with the decline code and a nil error. A card that needs
// 3-D Secure comes back as StatusRequiresAction (off-session, Stripe reports
// that as an authentication_required decline), with GatewayID naming the
// PaymentIntent the customer finishes in the portal. Any other failure
// (auth, rate limit, bad request, Stripe or the network down) is an error
// to retry later.
func (c *Client) Charge(ctx context.Context, req gateway.ChargeRequest) (gateway.ChargeResult, error) {
	if req.IdempotencyKey == "" {
		return gateway.ChargeResult{}, errors.New("stripe charge: an idempotency key is required, or a retry could charge twice")
	}
	amount, currency, err := toStripe(req.Amount)
	if err != nil {
		return gateway.ChargeResult{}, fmt.Errorf("stripe charge: %w", err)
	}
	if amount <= 0 {
		return gateway.ChargeResult{}, fmt.Errorf("stripe charge: amount %s is not positive", req.Amount)
	}
	params := &stripeapi.PaymentIntentCreateParams{
		Amount:             stripeapi.Int64(amount),
		Currency:           stripeapi.String(currency),
		Customer:           stripeapi.String(req.GatewayCustomerID),
		PaymentMethod:      stripeapi.String(req.PaymentMethodRef),
		PaymentMethodTypes: []*string{stripeapi.String(string(stripeapi.PaymentMethodTypeCard))},
		Confirm:            stripeapi.Bool(true),
		OffSession:         stripeapi.Bool(true),
		Metadata:           ourIDs(req.InvoiceID, req.CustomerID),
	}
	if req.Description != "" {
		params.Description = stripeapi.String(req.Description)
	}
	params.SetIdempotencyKey(req.IdempotencyKey)
	pi, err := c.api.V1PaymentIntents.Create(ctx, params)
	if err != nil {
		var se *stripeapi.Error
		if errors.As(err, &se) && se.Type == stripeapi.ErrorTypeCard {
			r := gateway.ChargeResult{}
			if se.PaymentIntent != nil {
				r.GatewayID = se.PaymentIntent.ID
			}
			return refused(r, se), nil
		}
		return gateway.ChargeResult{}, wrapErr("charge", err)
	}
	return chargeResult(pi), nil
}

// PaymentIntentStatus reads a PaymentIntent's state as a charge result, to
// settle a charge whose answer was lost or is still pending.
func (c *Client) PaymentIntentStatus(ctx context.Context, id string) (gateway.ChargeResult, error) {
	pi, err := c.api.V1PaymentIntents.Retrieve(ctx, id, nil)
	if err != nil {
		return gateway.ChargeResult{}, wrapErr("retrieve payment intent", err)
	}
	return chargeResult(pi), nil
}

// ourIDs is the metadata that lets a webhook find our records.
func ourIDs(invoiceID, customerID string) map[string]string {
	m := map[string]string{}
	if invoiceID != "" {
		m["invoice_id"] = invoiceID
	}
	if customerID != "" {
		m["customer_id"] = customerID
	}
	return m
}

func chargeResult(pi *stripeapi.PaymentIntent) gateway.ChargeResult {
	r := gateway.ChargeResult{GatewayID: pi.ID}
	switch pi.Status {
	case stripeapi.PaymentIntentStatusSucceeded:
		r.Status = gateway.StatusSucceeded
	case stripeapi.PaymentIntentStatusRequiresAction:
		r.Status = gateway.StatusRequiresAction
		if na := pi.NextAction; na != nil && na.RedirectToURL != nil {
			r.ActionURL = na.RedirectToURL.URL
		}
	case stripeapi.PaymentIntentStatusRequiresPaymentMethod, stripeapi.PaymentIntentStatusCanceled:
		// After a confirm, requires_payment_method means the attempt failed.
		r = refused(r, pi.LastPaymentError)
	default:
		// processing (or a state an off-session confirm should not leave):
		// the payment_intent.* webhook settles it.
		r.Status = gateway.StatusPending
	}
	return r
}

// refused fills in why Stripe did not take the money, from a card error or
// a PaymentIntent's last_payment_error (which may be absent).
func refused(r gateway.ChargeResult, e *stripeapi.Error) gateway.ChargeResult {
	r.Status = gateway.StatusFailed
	if e == nil {
		return r
	}
	r.FailureCode = string(e.DeclineCode)
	if r.FailureCode == "" {
		r.FailureCode = string(e.Code)
	}
	r.FailureMessage = e.Msg
	if e.Code == stripeapi.ErrorCodeAuthenticationRequired || e.DeclineCode == stripeapi.DeclineCodeAuthenticationRequired {
		r.Status = gateway.StatusRequiresAction
	}
	return r
}
