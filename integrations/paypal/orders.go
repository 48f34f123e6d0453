package paypal

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/integrations/gateway"
	"github.com/plutov/paypal/v4"
)

// OrderRequest asks for a one-off payment of one invoice.
type OrderRequest struct {
	// InvoiceID is our invoice id. It goes out as custom_id, so that the
	// capture webhook finds the invoice, and as invoice_id, which PayPal
	// keeps unique among payments: an invoice cannot be paid twice.
	InvoiceID string
	// CustomerID is our customer id, sent as the purchase unit's
	// reference_id (PayPal has one custom_id, and it holds the invoice).
	CustomerID  string
	Amount      money.Amount
	Description string // shown to the buyer; cut to 127 bytes
	// ReturnURL and CancelURL are where PayPal sends the buyer after
	// approving or abandoning; the return carries ?token=<order id>.
	ReturnURL, CancelURL string
}

// CreateOrder creates an Orders v2 order for an invoice and returns its id
// and the link the customer must follow to approve it. Its PayPal-Request-Id
// is derived from the invoice and the amount, so that a retry after a
// timeout returns the same order while a changed invoice gets a new one.
func (c *Client) CreateOrder(ctx context.Context, req OrderRequest) (orderID, approveURL string, err error) {
	if req.InvoiceID == "" {
		return "", "", errors.New("paypal: create order: no invoice id")
	}
	if req.Amount.Minor <= 0 {
		return "", "", fmt.Errorf("paypal: create order for invoice %s: amount %s is not positive", req.InvoiceID, req.Amount)
	}
	value, err := formatAmount(req.Amount)
	if err != nil {
		return "", "", err
	}
	units := []paypal.PurchaseUnitRequest{{
		ReferenceID: req.CustomerID,
		CustomID:    truncate(req.InvoiceID, 127),
		InvoiceID:   truncate(req.InvoiceID, 127),
		Description: truncate(req.Description, 127),
		Amount:      &paypal.PurchaseUnitAmount{Currency: req.Amount.Currency, Value: value},
	}}
	appCtx := &paypal.ApplicationContext{
		ShippingPreference: paypal.ShippingPreferenceNoShipping,
		UserAction:         paypal.UserActionPayNow,
		ReturnURL:          req.ReturnURL,
		CancelURL:          req.CancelURL,
	}
	requestID := fmt.Sprintf("ezscale-order-%s-%d%s", req.InvoiceID, req.Amount.Minor, req.Amount.Currency)
	order, err := c.pp.CreateOrderWithPaypalRequestID(ctx, paypal.OrderIntentCapture, units, nil, appCtx, requestID)
	if err != nil {
		return "", "", wrap(err)
	}
	approveURL = approveLink(order.Links)
	if approveURL == "" {
		return "", "", fmt.Errorf("paypal: order %s (%s) came without an approve link", order.ID, order.Status)
	}
	return order.ID, approveURL, nil
}

// CaptureOrder takes the money of an order the customer approved. The
// capture carries a PayPal-Request-Id derived from the order, so a retry
// after a lost answer gets the original capture back; once PayPal has
// forgotten that id, it answers ORDER_ALREADY_CAPTURED instead, and the
// capture is then read from the order. Either way a retry never fails for
// a payment that happened. An order not yet approved fails with an
// *APIError naming ORDER_NOT_APPROVED.
func (c *Client) CaptureOrder(ctx context.Context, orderID string) (gateway.ChargeResult, error) {
	var resp paypal.CaptureOrderResponse
	// Sent by hand: plutov's CaptureOrder races on its representation flag
	// (see New). The body is the one plutov sends.
	err := c.send(ctx, http.MethodPost, "/v2/checkout/orders/"+url.PathEscape(orderID)+"/capture",
		paypal.CaptureOrderRequest{}, "ezscale-capture-"+orderID, &resp)
	if isIssue(err, "ORDER_ALREADY_CAPTURED") {
		order, gerr := c.pp.GetOrder(ctx, orderID)
		if gerr != nil {
			return gateway.ChargeResult{}, wrap(gerr)
		}
		var payments []*paypal.CapturedPayments
		for _, pu := range order.PurchaseUnits {
			payments = append(payments, pu.Payments)
		}
		return chargeResult(orderID, payments)
	}
	if err != nil {
		return gateway.ChargeResult{}, err
	}
	var payments []*paypal.CapturedPayments
	for _, pu := range resp.PurchaseUnits {
		payments = append(payments, pu.Payments)
	}
	return chargeResult(orderID, payments)
}

// chargeResult reads the order's capture: its id is what payments records
// and what a refund names.
func chargeResult(orderID string, payments []*paypal.CapturedPayments) (gateway.ChargeResult, error) {
	for _, p := range payments {
		if p == nil || len(p.Captures) == 0 {
			continue
		}
		capture := p.Captures[0]
		res := gateway.ChargeResult{GatewayID: capture.ID}
		switch capture.Status {
		case "COMPLETED", "PARTIALLY_REFUNDED", "REFUNDED":
			res.Status = gateway.StatusSucceeded
		case "PENDING":
			res.Status = gateway.StatusPending // PAYMENT.CAPTURE.COMPLETED or .DENIED follows
		default:
			res.Status = gateway.StatusFailed
			res.FailureCode = capture.Status
		}
		return res, nil
	}
	return gateway.ChargeResult{}, fmt.Errorf("paypal: order %s has no capture", orderID)
}
