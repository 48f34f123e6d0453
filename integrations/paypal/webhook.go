package paypal

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/integrations/gateway"
)

// MaxWebhookBody is the largest delivery VerifyWebhook accepts; PayPal's
// events are a few KiB, and a larger body is refused before PayPal is asked.
const MaxWebhookBody = 1 << 20

// The event types the platform acts on.
const (
	EventCaptureCompleted = "PAYMENT.CAPTURE.COMPLETED"
	EventCaptureDenied    = "PAYMENT.CAPTURE.DENIED"
	EventCaptureDeclined  = "PAYMENT.CAPTURE.DECLINED" // sent by some flows instead of DENIED
	EventCaptureRefunded  = "PAYMENT.CAPTURE.REFUNDED"
	EventSaleCompleted    = "PAYMENT.SALE.COMPLETED"
	EventSaleRefunded     = "PAYMENT.SALE.REFUNDED"

	EventSubscriptionActivated     = "BILLING.SUBSCRIPTION.ACTIVATED"
	EventSubscriptionReactivated   = "BILLING.SUBSCRIPTION.RE-ACTIVATED" // a name that also circulates for ACTIVATED
	EventSubscriptionCancelled     = "BILLING.SUBSCRIPTION.CANCELLED"
	EventSubscriptionSuspended     = "BILLING.SUBSCRIPTION.SUSPENDED"
	EventSubscriptionPaymentFailed = "BILLING.SUBSCRIPTION.PAYMENT.FAILED"
)

// Payment kinds: PayPal refunds each through a different API.
const (
	KindCapture = "capture" // Orders v2
	KindSale    = "sale"    // a subscription's recurring payment
)

// Event is a webhook event with the fields the platform acts on, read from
// the resource of the known event types. Exactly one of Payment, Refund
// and Subscription is set for a known type; none for other types, which
// the platform stores and ignores.
type Event struct {
	ID   string // WH-…, the key of webhook_events
	Type string
	// Created is the event's create_time; zero when it does not parse (the
	// webhook simulator on PayPal's site sends month 19). PayPal does not
	// deliver in order: compare it before undoing a later change.
	Created      time.Time
	Payment      *Payment      // PAYMENT.CAPTURE.COMPLETED / DENIED / DECLINED, PAYMENT.SALE.COMPLETED
	Refund       *Refund       // PAYMENT.CAPTURE.REFUNDED, PAYMENT.SALE.REFUNDED
	Subscription *Subscription // BILLING.SUBSCRIPTION.*
}

// Payment is money received, or refused, on PayPal.
type Payment struct {
	ID     string // capture or sale id: payments.gateway_id, and what a refund names
	Kind   string // KindCapture or KindSale
	Status string // PayPal's: COMPLETED, DECLINED, … (captures); completed (sales)
	// CustomID is our id: the invoice for a capture (CreateOrder's
	// InvoiceID), our subscription for a sale (CreateSubscription's
	// customID, sent by PayPal as "custom").
	CustomID       string
	OrderID        string // captures: the order
	SubscriptionID string // sales: billing_agreement_id, the I-… subscription
	Amount         money.Amount
}

// Refund is money returned on PayPal; a partial refund sends one event each.
type Refund struct {
	ID        string // the refund's own id
	Kind      string // KindCapture or KindSale: what was refunded
	PaymentID string // the capture (from the "up" link) or sale (sale_id) refunded
	Status    string
	Amount    money.Amount // this refund, positive
	// CustomID and SubscriptionID are set when PayPal includes them.
	CustomID, SubscriptionID string
}

// Subscription is a subscription's state as an event reports it.
type Subscription struct {
	ID, Status, PlanID string
	CustomID           string // our subscription id
	FailedPayments     int    // consecutive failed renewals
}

// VerifyWebhook asks PayPal's verify-webhook-signature API whether a
// delivery is genuine, for our webhook id, and returns its event. PayPal
// must see the body unchanged, so it is passed through as received. Any
// doubt is a refusal: a FAILURE, missing headers, a body that is no event,
// or an error talking to PayPal all wrap gateway.ErrBadSignature (the last
// also wraps the *APIError, so a handler can tell PayPal being down and
// answer 5xx for a redelivery).
func (c *Client) VerifyWebhook(ctx context.Context, header http.Header, body []byte) (gateway.Event, error) {
	if len(body) > MaxWebhookBody {
		return gateway.Event{}, fmt.Errorf("%w: body of %d bytes exceeds %d", gateway.ErrBadSignature, len(body), MaxWebhookBody)
	}
	var env struct {
		ID        string `json:"id"`
		EventType string `json:"event_type"`
	}
	if err := json.Unmarshal(body, &env); err != nil || env.ID == "" || env.EventType == "" {
		return gateway.Event{}, fmt.Errorf("%w: body is not a PayPal event", gateway.ErrBadSignature)
	}
	for _, h := range []string{"Paypal-Transmission-Id", "Paypal-Transmission-Time", "Paypal-Transmission-Sig", "Paypal-Cert-Url", "Paypal-Auth-Algo"} {
		if header.Get(h) == "" {
			return gateway.Event{}, fmt.Errorf("%w: header %s missing", gateway.ErrBadSignature, h)
		}
	}
	// plutov reads the headers and body from an *http.Request.
	delivery, err := http.NewRequestWithContext(ctx, http.MethodPost, "/", bytes.NewReader(body))
	if err != nil {
		return gateway.Event{}, fmt.Errorf("%w: %w", gateway.ErrBadSignature, err)
	}
	delivery.Header = header.Clone()
	resp, err := c.pp.VerifyWebhookSignature(ctx, delivery, c.webhookID)
	if err != nil {
		return gateway.Event{}, fmt.Errorf("%w: %w", gateway.ErrBadSignature, wrap(err))
	}
	if resp.VerificationStatus != "SUCCESS" {
		return gateway.Event{}, fmt.Errorf("%w: PayPal answered %q for event %s", gateway.ErrBadSignature, resp.VerificationStatus, env.ID)
	}
	return gateway.Event{ID: env.ID, Type: env.EventType, Payload: body}, nil
}

// v2Amount is money in Orders v2 and Subscriptions.
type v2Amount struct {
	CurrencyCode string `json:"currency_code"`
	Value        string `json:"value"`
}

// resourceLink is a HATEOAS link in a resource.
type resourceLink struct {
	Href string `json:"href"`
	Rel  string `json:"rel"`
}

// lastSegment returns the id at the end of the link with rel, which is how
// a v2 refund names its capture.
func lastSegment(links []resourceLink, rel string) string {
	for _, l := range links {
		if l.Rel == rel {
			return l.Href[strings.LastIndex(l.Href, "/")+1:]
		}
	}
	return ""
}

// ParseEvent reads a webhook body (verified first with VerifyWebhook) into
// an Event. Amounts are parsed exactly from PayPal's decimal strings. It
// dispatches on event_type only: resource_type differs between deliveries
// of the same event.
func ParseEvent(body []byte) (Event, error) {
	var env struct {
		ID         string          `json:"id"`
		EventType  string          `json:"event_type"`
		CreateTime string          `json:"create_time"` // a string: PayPal's simulator sends invalid dates
		Resource   json.RawMessage `json:"resource"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return Event{}, fmt.Errorf("paypal: event: %w", err)
	}
	if env.ID == "" || env.EventType == "" {
		return Event{}, errors.New("paypal: event without id or event_type")
	}
	ev := Event{ID: env.ID, Type: env.EventType}
	if t, err := time.Parse(time.RFC3339Nano, env.CreateTime); err == nil {
		ev.Created = t
	}
	var err error
	switch {
	case ev.Type == EventCaptureCompleted || ev.Type == EventCaptureDenied || ev.Type == EventCaptureDeclined:
		ev.Payment, err = parseCapture(env.Resource)
	case ev.Type == EventCaptureRefunded:
		ev.Refund, err = parseCaptureRefund(env.Resource)
	case ev.Type == EventSaleCompleted:
		ev.Payment, err = parseSale(env.Resource)
	case ev.Type == EventSaleRefunded:
		ev.Refund, err = parseSaleRefund(env.Resource)
	case strings.HasPrefix(ev.Type, "BILLING.SUBSCRIPTION."):
		ev.Subscription, err = parseSubscription(env.Resource)
	default:
		return ev, nil
	}
	if err != nil {
		return Event{}, fmt.Errorf("paypal: event %s (%s): %w", ev.ID, ev.Type, err)
	}
	return ev, nil
}

func parseCapture(raw json.RawMessage) (*Payment, error) {
	var r struct {
		ID                string         `json:"id"`
		Status            string         `json:"status"`
		CustomID          string         `json:"custom_id"`
		Amount            v2Amount       `json:"amount"`
		Links             []resourceLink `json:"links"`
		SupplementaryData struct {
			RelatedIDs struct {
				OrderID string `json:"order_id"`
			} `json:"related_ids"`
		} `json:"supplementary_data"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, err
	}
	if r.ID == "" {
		return nil, errors.New("capture without id")
	}
	amount, err := parseAmount(r.Amount.Value, r.Amount.CurrencyCode)
	if err != nil {
		return nil, err
	}
	order := r.SupplementaryData.RelatedIDs.OrderID
	if order == "" {
		order = lastSegment(r.Links, "up")
	}
	return &Payment{ID: r.ID, Kind: KindCapture, Status: r.Status, CustomID: r.CustomID, OrderID: order, Amount: amount}, nil
}

func parseCaptureRefund(raw json.RawMessage) (*Refund, error) {
	var r struct {
		ID       string         `json:"id"`
		Status   string         `json:"status"`
		CustomID string         `json:"custom_id"`
		Amount   v2Amount       `json:"amount"`
		Links    []resourceLink `json:"links"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, err
	}
	capture := lastSegment(r.Links, "up")
	if r.ID == "" || capture == "" {
		return nil, errors.New("refund without id or capture link")
	}
	amount, err := parseAmount(r.Amount.Value, r.Amount.CurrencyCode)
	if err != nil {
		return nil, err
	}
	if amount, err = abs(amount); err != nil {
		return nil, err
	}
	return &Refund{ID: r.ID, Kind: KindCapture, PaymentID: capture, Status: r.Status, Amount: amount, CustomID: r.CustomID}, nil
}

// v1Sale holds the fields of a v1 sale or sale refund.
type v1Sale struct {
	ID                 string `json:"id"`
	State              string `json:"state"`
	SaleID             string `json:"sale_id"`
	BillingAgreementID string `json:"billing_agreement_id"`
	Custom             string `json:"custom"`
	Amount             struct {
		Total    string `json:"total"`
		Currency string `json:"currency"`
	} `json:"amount"`
}

func parseV1(raw json.RawMessage) (v1Sale, money.Amount, error) {
	var r v1Sale
	if err := json.Unmarshal(raw, &r); err != nil {
		return r, money.Amount{}, err
	}
	if r.ID == "" {
		return r, money.Amount{}, errors.New("resource without id")
	}
	amount, err := parseAmount(r.Amount.Total, r.Amount.Currency)
	return r, amount, err
}

func parseSale(raw json.RawMessage) (*Payment, error) {
	r, amount, err := parseV1(raw)
	if err != nil {
		return nil, err
	}
	return &Payment{ID: r.ID, Kind: KindSale, Status: r.State, CustomID: r.Custom, SubscriptionID: r.BillingAgreementID, Amount: amount}, nil
}

// parseSaleRefund takes the refunded amount's magnitude: PayPal's older
// samples send "-0.01".
func parseSaleRefund(raw json.RawMessage) (*Refund, error) {
	r, amount, err := parseV1(raw)
	if err != nil {
		return nil, err
	}
	if r.SaleID == "" {
		return nil, errors.New("sale refund without sale_id")
	}
	if amount, err = abs(amount); err != nil {
		return nil, err
	}
	return &Refund{ID: r.ID, Kind: KindSale, PaymentID: r.SaleID, Status: r.State, Amount: amount,
		CustomID: r.Custom, SubscriptionID: r.BillingAgreementID}, nil
}

func parseSubscription(raw json.RawMessage) (*Subscription, error) {
	var r struct {
		ID          string `json:"id"`
		Status      string `json:"status"`
		PlanID      string `json:"plan_id"`
		CustomID    string `json:"custom_id"`
		BillingInfo struct {
			FailedPaymentsCount int `json:"failed_payments_count"`
		} `json:"billing_info"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, err
	}
	if r.ID == "" {
		return nil, errors.New("subscription without id")
	}
	return &Subscription{ID: r.ID, Status: r.Status, PlanID: r.PlanID, CustomID: r.CustomID, FailedPayments: r.BillingInfo.FailedPaymentsCount}, nil
}

// abs is a refund's magnitude. The one amount that has none in int64
// (math.MinInt64 minor units) is refused rather than negated, which panics.
func abs(a money.Amount) (money.Amount, error) {
	switch {
	case a.Minor == math.MinInt64:
		return money.Amount{}, fmt.Errorf("refund amount %s out of range", a)
	case a.IsNegative():
		return a.Neg(), nil
	}
	return a, nil
}
