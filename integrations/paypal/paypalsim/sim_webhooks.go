package paypalsim

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"net/http"
	"reflect"
	"strings"
	"time"
)

// Delivery is one webhook as PayPal POSTs it: the transmission headers that
// verify-webhook-signature checks, and the event body.
type Delivery struct {
	ID, Type string // the event's id (WH-…) and event_type
	Header   http.Header
	Body     []byte
}

// signedEvent is what the simulator remembers of a delivery it sent, to
// answer verify-webhook-signature for it.
type signedEvent struct {
	time, sig, certURL, algo string
	event                    any // the body decoded, compared by value
}

// Event builds a webhook event of eventType around resource (any JSON
// value, typically a map in PayPal's shape for the event) with a realistic
// envelope and delivery headers; verify-webhook-signature accepts it with
// the configured webhook id. It does not change any state.
func (s *Simulator) Event(eventType string, resource any) (Delivery, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.emit(eventType, resource)
}

// Events returns every delivery the simulator has made, oldest first:
// captures, sales, refunds and subscription changes each emit one.
func (s *Simulator) Events() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.events...)
}

// notify emits an event the simulator built itself, whose resource always
// marshals.
func (s *Simulator) notify(eventType string, resource obj) Delivery {
	d, err := s.emit(eventType, resource)
	if err != nil {
		panic(err)
	}
	return d
}

func (s *Simulator) emit(eventType string, resource any) (Delivery, error) {
	res, err := json.Marshal(resource)
	if err != nil {
		return Delivery{}, fmt.Errorf("paypal simulator: event resource: %w", err)
	}
	now := time.Now().UTC()
	id := newID("WH-", 17) + "-" + newID("", 17)
	resourceType, version := resourceTypeOf(eventType)
	envelope := obj{
		"id": id, "event_version": "1.0", "create_time": now.Format("2006-01-02T15:04:05.000Z"),
		"resource_type": resourceType, "event_type": eventType, "summary": summaryOf(eventType),
		"resource": json.RawMessage(res),
		"links": []obj{
			s.link("/v1/notifications/webhooks-events/"+id, "self", "GET"),
			s.link("/v1/notifications/webhooks-events/"+id+"/resend", "resend", "POST"),
		},
	}
	if version != "" {
		envelope["resource_version"] = version
	}
	body, err := json.Marshal(envelope)
	if err != nil {
		return Delivery{}, fmt.Errorf("paypal simulator: event: %w", err)
	}
	decoded, err := decodeJSON(body)
	if err != nil {
		return Delivery{}, fmt.Errorf("paypal simulator: event: %w", err)
	}

	transmission := fmt.Sprintf("%s-%s-%s-%s-%s", randomString(hexAlphabet, 8), randomString(hexAlphabet, 4),
		randomString(hexAlphabet, 4), randomString(hexAlphabet, 4), randomString(hexAlphabet, 12))
	sent := signedEvent{
		time:    now.Format(time.RFC3339),
		certURL: s.base + "/v1/notifications/certs/CERT-360caa42-fca2a594-" + randomString(hexAlphabet, 8),
		algo:    "SHA256withRSA",
		event:   decoded,
	}
	// PayPal signs transmission id|time|webhook id|crc32(body); an HMAC over
	// the same string stands in for its RSA key.
	mac := hmac.New(sha256.New, s.signKey)
	fmt.Fprintf(mac, "%s|%s|%s|%d", transmission, sent.time, s.opts.WebhookID, crc32.ChecksumIEEE(body))
	sent.sig = base64.StdEncoding.EncodeToString(mac.Sum(nil))
	s.signed[transmission] = sent

	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "PayPal/AUHD-214.0-58391792")
	h.Set("Paypal-Transmission-Id", transmission)
	h.Set("Paypal-Transmission-Time", sent.time)
	h.Set("Paypal-Transmission-Sig", sent.sig)
	h.Set("Paypal-Cert-Url", sent.certURL)
	h.Set("Paypal-Auth-Algo", sent.algo)
	h.Set("Paypal-Auth-Version", "v2")
	d := Delivery{ID: id, Type: eventType, Header: h, Body: body}
	s.events = append(s.events, d)
	if s.opts.WebhookURL != "" {
		go s.deliver(d)
	}
	return d, nil
}

// deliver POSTs an event to Options.WebhookURL, trying again a few
// times as PayPal does when the receiver is down or answers non-2xx.
func (s *Simulator) deliver(d Delivery) {
	client := &http.Client{Timeout: 10 * time.Second}
	for attempt := 1; attempt <= 3; attempt++ {
		req, err := http.NewRequestWithContext(s.ctx, http.MethodPost, s.opts.WebhookURL, bytes.NewReader(d.Body))
		if err != nil {
			return
		}
		req.Header = d.Header.Clone()
		if resp, err := client.Do(req); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode >= 200 && resp.StatusCode < 300 {
				return
			}
		}
		select {
		case <-s.ctx.Done():
			return
		case <-time.After(time.Duration(attempt) * time.Second):
		}
	}
}

// resourceTypeOf names an event's resource_type and resource_version as
// PayPal's deliveries do (v1 sales carry no version).
func resourceTypeOf(eventType string) (resourceType, version string) {
	switch {
	case eventType == "PAYMENT.SALE.REFUNDED", eventType == "PAYMENT.SALE.REVERSED":
		return "refund", ""
	case strings.HasPrefix(eventType, "PAYMENT.SALE."):
		return "sale", ""
	case eventType == "PAYMENT.CAPTURE.REFUNDED", eventType == "PAYMENT.CAPTURE.REVERSED":
		return "refund", "2.0"
	case strings.HasPrefix(eventType, "PAYMENT.CAPTURE."):
		return "capture", "2.0"
	case strings.HasPrefix(eventType, "BILLING.SUBSCRIPTION."):
		return "subscription", "2.0"
	case strings.HasPrefix(eventType, "BILLING.PLAN."):
		return "plan", "2.0"
	case strings.HasPrefix(eventType, "CHECKOUT.ORDER."):
		return "checkout-order", "2.0"
	}
	return "", ""
}

func summaryOf(eventType string) string {
	if s, ok := map[string]string{
		"PAYMENT.SALE.COMPLETED":              "Payment completed",
		"PAYMENT.SALE.REFUNDED":               "A sale payment was refunded",
		"PAYMENT.CAPTURE.COMPLETED":           "Payment completed",
		"PAYMENT.CAPTURE.DENIED":              "Payment denied",
		"PAYMENT.CAPTURE.REFUNDED":            "A capture payment was refunded",
		"BILLING.SUBSCRIPTION.ACTIVATED":      "Subscription activated",
		"BILLING.SUBSCRIPTION.CANCELLED":      "Subscription cancelled",
		"BILLING.SUBSCRIPTION.SUSPENDED":      "Subscription suspended",
		"BILLING.SUBSCRIPTION.UPDATED":        "Subscription updated",
		"BILLING.SUBSCRIPTION.PAYMENT.FAILED": "Subscription payment failed",
		"CHECKOUT.ORDER.APPROVED":             "An order has been approved by buyer",
	}[eventType]; ok {
		return s
	}
	return strings.ToLower(strings.ReplaceAll(eventType, ".", " "))
}

func (s *Simulator) routeWebhooks() {
	s.route("POST /v1/notifications/verify-webhook-signature", func(r *http.Request) (int, any, *simError) {
		var req struct {
			AuthAlgo         string          `json:"auth_algo"`
			CertURL          string          `json:"cert_url"`
			TransmissionID   string          `json:"transmission_id"`
			TransmissionSig  string          `json:"transmission_sig"`
			TransmissionTime string          `json:"transmission_time"`
			WebhookID        string          `json:"webhook_id"`
			WebhookEvent     json.RawMessage `json:"webhook_event"`
		}
		if err := decodeBody(r, &req); err != nil {
			return 0, nil, err
		}
		for field, v := range map[string]string{
			"auth_algo": req.AuthAlgo, "cert_url": req.CertURL, "transmission_id": req.TransmissionID,
			"transmission_sig": req.TransmissionSig, "transmission_time": req.TransmissionTime,
			"webhook_id": req.WebhookID, "webhook_event": string(req.WebhookEvent),
		} {
			if v == "" {
				return 0, nil, missing("/" + field)
			}
		}
		status := "FAILURE"
		sent, ok := s.signed[req.TransmissionID]
		if ok && req.WebhookID == s.opts.WebhookID && req.TransmissionTime == sent.time &&
			req.TransmissionSig == sent.sig && req.CertURL == sent.certURL && req.AuthAlgo == sent.algo {
			// The client may re-encode the event (Go's json.Marshal compacts
			// and escapes a RawMessage); any change of a value still fails.
			if event, err := decodeJSON(req.WebhookEvent); err == nil && reflect.DeepEqual(event, sent.event) {
				status = "SUCCESS"
			}
		}
		return http.StatusOK, obj{"verification_status": status}, nil
	})
}

// decodeJSON decodes with exact numbers, so that 29.00 and 29.0 differ.
func decodeJSON(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}
