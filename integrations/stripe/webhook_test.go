package stripe

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/ezscale/integrations/gateway"
)

func TestVerifyWebhook(t *testing.T) {
	body := stripeEvent("evt_1Paid", "payment_intent.succeeded", `{"id":"pi_3Paid","object":"payment_intent","amount":1999,"currency":"usd","status":"succeeded"}`)
	now := time.Now()
	signed := func(secret string, b []byte, at time.Time) http.Header {
		return http.Header{"Stripe-Signature": {SignPayload(secret, b, at)}}
	}
	tests := []struct {
		name    string
		header  http.Header
		body    []byte
		secret  string // the endpoint's, as configured
		wantErr string // "" for accepted; else in the error, which wraps ErrBadSignature
	}{
		{"valid", signed(testWebhookSecret, body, now), body, testWebhookSecret, ""},
		{"valid, 4 minutes old", signed(testWebhookSecret, body, now.Add(-4*time.Minute)), body, testWebhookSecret, ""},
		{"valid among rolled secrets", http.Header{"Stripe-Signature": {SignPayload("whsec_old", body, now) + ",v1=" + strings.Split(SignPayload(testWebhookSecret, body, now), "v1=")[1]}}, body, testWebhookSecret, ""},
		{"tampered body", signed(testWebhookSecret, body, now), bytes.Replace(body, []byte("1999"), []byte("1"), 1), testWebhookSecret, "no valid signature"},
		{"wrong secret", signed("whsec_someone_else", body, now), body, testWebhookSecret, "no valid signature"},
		{"expired timestamp", signed(testWebhookSecret, body, now.Add(-6*time.Minute)), body, testWebhookSecret, "tolerance"},
		{"missing header", http.Header{}, body, testWebhookSecret, "no Stripe-Signature header"},
		{"malformed header", http.Header{"Stripe-Signature": {"garbage"}}, body, testWebhookSecret, "invalid Stripe-Signature header"},
		{"no secret configured", signed("", body, now), body, "", "no webhook secret configured"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(Config{SecretKey: "sk_test_123", WebhookSecret: tt.secret})
			if err != nil {
				t.Fatal(err)
			}
			ev, err := c.VerifyWebhook(context.Background(), tt.header, tt.body)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				want := gateway.Event{ID: "evt_1Paid", Type: "payment_intent.succeeded", Payload: body}
				if ev.ID != want.ID || ev.Type != want.Type || !bytes.Equal(ev.Payload, want.Payload) {
					t.Errorf("event = %+v", ev)
				}
				return
			}
			if !errors.Is(err, gateway.ErrBadSignature) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want ErrBadSignature with %q", err, tt.wantErr)
			}
		})
	}
}

func TestVerifyWebhookRefusesOversizedBody(t *testing.T) {
	c, _ := newTestClient(t, stripeMockURL)
	// Validly signed, so only the size can be the reason.
	body := stripeEvent("evt_1Big", "payment_intent.succeeded", `{"id":"pi_3Big","description":"`+strings.Repeat("x", MaxWebhookBytes)+`"}`)
	_, err := c.VerifyWebhook(context.Background(), http.Header{"Stripe-Signature": {SignPayload(testWebhookSecret, body, time.Now())}}, body)
	if !errors.Is(err, ErrBodyTooLarge) || !errors.Is(err, gateway.ErrBadSignature) {
		t.Fatalf("err = %v, want ErrBodyTooLarge and ErrBadSignature", err)
	}
}

func TestVerifyWebhookSignedButNotAnEvent(t *testing.T) {
	c, _ := newTestClient(t, stripeMockURL)
	body := []byte(`{"id":"pi_3","object":"payment_intent"}`)
	_, err := c.VerifyWebhook(context.Background(), http.Header{"Stripe-Signature": {SignPayload(testWebhookSecret, body, time.Now())}}, body)
	if err == nil || errors.Is(err, gateway.ErrBadSignature) {
		t.Fatalf("err = %v, want an error that is not a signature failure", err)
	}
}

func TestSignPayload(t *testing.T) {
	got := SignPayload("whsec_x", []byte(`{}`), time.Unix(1700000000, 0))
	// HMAC-SHA256 with key "whsec_x" of "1700000000.{}", computed with Python's hmac.
	const want = "t=1700000000,v1=be8cb8325f2202445260a855532f967e30ad2a9394ce28da66ee02880ddcb661"
	if got != want {
		t.Fatalf("SignPayload = %q, want %q", got, want)
	}
}
