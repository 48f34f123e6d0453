package paypal

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"

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

// ErrOrderNotFound is an order PayPal does not know, or an id that cannot
// name one.
var ErrOrderNotFound = errors.New("paypal: order not found")

// Order is an Orders v2 order as PayPal holds it: what it is for, as
// CreateOrder described it, and its capture once the money is taken. A
// capture must be checked against it before it pays anything: PayPal
// captures any approved order of ours, whatever invoice it was made for.
type Order struct {
	ID     string
	Status string // CREATED, APPROVED, COMPLETED, VOIDED, PAYER_ACTION_REQUIRED
	// InvoiceID is the purchase unit's custom_id and PayPalInvoiceID its
	// invoice_id: both our invoice id when CreateOrder made the order.
	InvoiceID, PayPalInvoiceID string
	CustomerID                 string // reference_id: our customer
	Amount                     money.Amount
	Capture                    *Capture // nil until captured
}

// Capture is the money taken for an order. Amount is what PayPal
// captured, which is what must be booked: the order's amount was the
// invoice's due when the order was made, and the invoice may have changed.
type Capture struct {
	gateway.ChargeResult // GatewayID is the capture id: payments.gateway_id, and what a refund names
	OrderID              string
	InvoiceID            string // custom_id, copied by PayPal from the order
	Amount               money.Amount
}

// orderIDPattern is what an Orders v2 id can look like; anything else is
// refused before it reaches a URL.
var orderIDPattern = regexp.MustCompile(`^[A-Za-z0-9-]{1,64}$`)

// GetOrder reads an order, so that a capture can be checked against the
// invoice it is meant to pay before any money moves. An unknown order, or
// an id that cannot be one, wraps ErrOrderNotFound.
func (c *Client) GetOrder(ctx context.Context, orderID string) (Order, error) {
	if !orderIDPattern.MatchString(orderID) {
		return Order{}, fmt.Errorf("%w: %q is not an order id", ErrOrderNotFound, orderID)
	}
	var w wireOrder
	err := c.send(ctx, http.MethodGet, "/v2/checkout/orders/"+url.PathEscape(orderID), nil, "", &w)
	if isStatus(err, http.StatusNotFound) {
		return Order{}, fmt.Errorf("%w: %s: %w", ErrOrderNotFound, orderID, err)
	}
	if err != nil {
		return Order{}, err
	}
	return w.order()
}

// CaptureOrder takes the money of an order the customer approved. The
// capture carries a PayPal-Request-Id derived from the order, so a retry
// after a lost answer gets the original capture back; once PayPal has
// forgotten that id, it answers ORDER_ALREADY_CAPTURED instead, and the
// capture is then read from the order. Either way a retry never fails for
// a payment that happened. An order not yet approved fails with an
// *APIError naming ORDER_NOT_APPROVED.
func (c *Client) CaptureOrder(ctx context.Context, orderID string) (Capture, error) {
	if !orderIDPattern.MatchString(orderID) {
		return Capture{}, fmt.Errorf("%w: %q is not an order id", ErrOrderNotFound, orderID)
	}
	var w wireOrder
	// Sent by hand: plutov's CaptureOrder races on its representation flag
	// (see New). The body is the one plutov sends.
	err := c.send(ctx, http.MethodPost, "/v2/checkout/orders/"+url.PathEscape(orderID)+"/capture",
		paypal.CaptureOrderRequest{}, "ezscale-capture-"+orderID, &w)
	if isIssue(err, "ORDER_ALREADY_CAPTURED") {
		order, gerr := c.GetOrder(ctx, orderID)
		if gerr != nil {
			return Capture{}, gerr
		}
		if order.Capture == nil {
			return Capture{}, fmt.Errorf("paypal: order %s is captured but has no capture", orderID)
		}
		return *order.Capture, nil
	}
	if err != nil {
		return Capture{}, err
	}
	order, err := w.order()
	if err != nil {
		return Capture{}, err
	}
	if order.Capture == nil {
		return Capture{}, fmt.Errorf("paypal: order %s has no capture", orderID)
	}
	return *order.Capture, nil
}

// wireOrder is an order, or a capture's answer, as Orders v2 sends it.
type wireOrder struct {
	ID            string `json:"id"`
	Status        string `json:"status"`
	PurchaseUnits []struct {
		ReferenceID string    `json:"reference_id"`
		CustomID    string    `json:"custom_id"`
		InvoiceID   string    `json:"invoice_id"`
		Amount      *v2Amount `json:"amount"`
		Payments    *struct {
			Captures []wireCapture `json:"captures"`
		} `json:"payments"`
	} `json:"purchase_units"`
}

// wireCapture is a capture in an order's payments.
type wireCapture struct {
	ID       string   `json:"id"`
	Status   string   `json:"status"`
	CustomID string   `json:"custom_id"`
	Amount   v2Amount `json:"amount"`
}

// order reads the one purchase unit CreateOrder makes. The capture's answer
// carries no amount on the unit, only on the capture.
func (w wireOrder) order() (Order, error) {
	if len(w.PurchaseUnits) != 1 {
		return Order{}, fmt.Errorf("paypal: order %s has %d purchase units, want 1", w.ID, len(w.PurchaseUnits))
	}
	pu := w.PurchaseUnits[0]
	o := Order{ID: w.ID, Status: w.Status, InvoiceID: pu.CustomID, PayPalInvoiceID: pu.InvoiceID, CustomerID: pu.ReferenceID}
	if pu.Amount != nil {
		a, err := parseAmount(pu.Amount.Value, pu.Amount.CurrencyCode)
		if err != nil {
			return Order{}, fmt.Errorf("paypal: order %s: %w", w.ID, err)
		}
		o.Amount = a
	}
	if pu.Payments != nil && len(pu.Payments.Captures) > 0 {
		capture, err := pu.Payments.Captures[0].capture(w.ID)
		if err != nil {
			return Order{}, err
		}
		o.Capture = &capture
	}
	return o, nil
}

// capture reads a capture: its id is what payments records and what a
// refund names, its amount what is booked.
func (wc wireCapture) capture(orderID string) (Capture, error) {
	if wc.ID == "" {
		return Capture{}, fmt.Errorf("paypal: order %s has a capture without id", orderID)
	}
	amount, err := parseAmount(wc.Amount.Value, wc.Amount.CurrencyCode)
	if err != nil {
		return Capture{}, fmt.Errorf("paypal: capture %s: %w", wc.ID, err)
	}
	c := Capture{ChargeResult: gateway.ChargeResult{GatewayID: wc.ID}, OrderID: orderID, InvoiceID: wc.CustomID, Amount: amount}
	switch wc.Status {
	case "COMPLETED", "PARTIALLY_REFUNDED", "REFUNDED":
		c.Status = gateway.StatusSucceeded
	case "PENDING":
		c.Status = gateway.StatusPending // PAYMENT.CAPTURE.COMPLETED or .DENIED follows
	default:
		c.Status = gateway.StatusFailed
		c.FailureCode = wc.Status
	}
	return c, nil
}
