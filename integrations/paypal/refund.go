package paypal

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/ezscale/ezscale/integrations/gateway"
	"github.com/plutov/paypal/v4"
)

// Refund returns (part of) a payment. PayPal refunds an Orders v2 capture
// and a subscription sale through different APIs, and a payment's id does
// not say which it is, so Refund tries the capture refund first: PayPal
// answers an id that is no capture with 404, having refunded nothing, and
// Refund then refunds it as a sale. Callers that know the kind call
// RefundCapture or RefundSale directly and save a call.
//
// Amount must be positive and in the payment's currency; IdempotencyKey
// (one per credit note) is sent as PayPal-Request-Id, so that a retry
// cannot refund twice. Refusals (REFUND_AMOUNT_EXCEEDED,
// CAPTURE_FULLY_REFUNDED, REFUND_EXCEEDED_TRANSACTION_AMOUNT,
// TRANSACTION_ALREADY_REFUNDED, …) come as *APIError marked
// gateway.ErrRefused; a transport failure or a retryable answer (429, 5xx,
// 409) is unmarked, as PayPal may have refunded.
func (c *Client) Refund(ctx context.Context, req gateway.RefundRequest) (gateway.RefundResult, error) {
	res, err := c.RefundCapture(ctx, req)
	if isStatus(err, http.StatusNotFound) {
		res, err = c.RefundSale(ctx, req)
	}
	return res, classifyRefundErr(err)
}

// classifyRefundErr marks a definite refusal: a 4xx answer PayPal would
// give again, or a request that was never sent.
func classifyRefundErr(err error) error {
	var e *APIError
	switch {
	case err == nil || gateway.Refused(err):
		return err
	case errors.As(err, &e) && e.Status >= 400 && e.Status < 500 && e.Status != http.StatusRequestTimeout && !e.Retryable():
		return gateway.Refusal(err)
	}
	return err
}

// RefundCapture refunds an Orders v2 capture
// (POST /v2/payments/captures/{id}/refund).
func (c *Client) RefundCapture(ctx context.Context, req gateway.RefundRequest) (gateway.RefundResult, error) {
	value, err := refundValue(req)
	if err != nil {
		return gateway.RefundResult{}, err
	}
	resp, err := c.pp.RefundCaptureWithPaypalRequestId(ctx, url.PathEscape(req.PaymentGatewayID), paypal.RefundCaptureRequest{
		Amount:      &paypal.Money{Currency: req.Amount.Currency, Value: value},
		NoteToPayer: truncate(req.Reason, 255),
	}, req.IdempotencyKey)
	if err != nil {
		return gateway.RefundResult{}, wrap(err)
	}
	return gateway.RefundResult{GatewayID: resp.ID, Status: refundStatus(resp.Status)}, nil
}

// RefundSale refunds a subscription sale through Payments v1
// (POST /v1/payments/sale/{id}/refund), the endpoint sales advertise. It is
// sent by hand: plutov's RefundSale cannot carry a PayPal-Request-Id, and
// v4.9.0 removed it.
func (c *Client) RefundSale(ctx context.Context, req gateway.RefundRequest) (gateway.RefundResult, error) {
	value, err := refundValue(req)
	if err != nil {
		return gateway.RefundResult{}, err
	}
	type v1Amount struct {
		Total    string `json:"total"`
		Currency string `json:"currency"`
	}
	body := struct {
		Amount      v1Amount `json:"amount"`
		Description string   `json:"description,omitempty"`
	}{v1Amount{value, req.Amount.Currency}, truncate(req.Reason, 255)}
	var resp struct {
		ID    string `json:"id"`
		State string `json:"state"`
	}
	path := "/v1/payments/sale/" + url.PathEscape(req.PaymentGatewayID) + "/refund"
	if err := c.send(ctx, http.MethodPost, path, body, req.IdempotencyKey, &resp); err != nil {
		return gateway.RefundResult{}, err
	}
	return gateway.RefundResult{GatewayID: resp.ID, Status: refundStatus(resp.State)}, nil
}

func refundValue(req gateway.RefundRequest) (string, error) {
	if req.PaymentGatewayID == "" {
		return "", gateway.Refusal(fmt.Errorf("paypal: refund: no payment id"))
	}
	if req.Amount.Minor <= 0 {
		return "", gateway.Refusal(fmt.Errorf("paypal: refund of %s: amount %s is not positive", req.PaymentGatewayID, req.Amount))
	}
	value, err := formatAmount(req.Amount)
	return value, gateway.Refusal(err)
}

// refundStatus maps a v2 status (COMPLETED) or v1 state (completed) to ours;
// a pending refund (eCheck) completes later, by webhook.
func refundStatus(s string) string {
	switch strings.ToUpper(s) {
	case "COMPLETED":
		return gateway.StatusSucceeded
	case "PENDING":
		return gateway.StatusPending
	}
	return gateway.StatusFailed
}
