package paypal

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/integrations/gateway"
	"github.com/ezscale/ezscale/integrations/paypal/paypalsim"
)

// TestParseEventRefusesUnnegatableRefund is the refund amount a fuzzer
// found: -92233720368547758.08 is math.MinInt64 cents, whose magnitude no
// int64 holds, and taking it panicked instead of refusing the event.
func TestParseEventRefusesUnnegatableRefund(t *testing.T) {
	for _, body := range []string{
		`{"id":"WH-1","event_type":"PAYMENT.SALE.REFUNDED","resource":{"id":"R1","sale_id":"S1","amount":{"total":"-92233720368547758.08","currency":"USD"}}}`,
		`{"id":"WH-2","event_type":"PAYMENT.CAPTURE.REFUNDED","resource":{"id":"R2","amount":{"currency_code":"JPY","value":"-9223372036854775808"},"links":[{"href":"https://x/v2/payments/captures/C1","rel":"up"}]}}`,
	} {
		ev, err := ParseEvent([]byte(body))
		if err == nil || !strings.Contains(err.Error(), "out of range") {
			t.Errorf("ParseEvent(%s) = %+v, %v; want the amount refused as out of range", body, ev, err)
		}
	}
}

// FuzzParseEvent checks that any body is either refused with an error
// naming PayPal, or read into an event with an id and a type whose
// amounts are in a canonical currency and are exactly the decimal PayPal
// sent (refunds as its magnitude). The committed corpus holds the
// contract's deliveries of every event type the platform reads.
func FuzzParseEvent(f *testing.F) {
	f.Add([]byte(`{"id":"WH-1","event_type":"PAYMENT.SALE.REFUNDED","resource":{"id":"R1","sale_id":"S1","amount":{"total":"-0.01","currency":"USD"}}}`))
	f.Add([]byte(`{"id":"WH-2","event_type":"PAYMENT.CAPTURE.COMPLETED","create_time":"2025-19-01T00:00:00Z","resource":{"id":"C1","amount":{"currency_code":"JPY","value":"1500"},"links":[{"href":"x/y/O1","rel":"up"}]}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := ParseEvent(body)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "paypal: ") {
				t.Fatalf("error %q does not say it is PayPal's event", err)
			}
			return
		}
		if ev.ID == "" || ev.Type == "" {
			t.Fatalf("event without id or type: %+v", ev)
		}
		var raw struct {
			Resource struct {
				Amount struct {
					Value, Total, Currency string
					CurrencyCode           string `json:"currency_code"`
				}
			}
		}
		if err := json.Unmarshal(body, &raw); err != nil {
			t.Fatalf("ParseEvent accepted a body encoding/json refuses: %v", err)
		}
		sent := raw.Resource.Amount
		value, currency := sent.Value, sent.CurrencyCode
		if strings.HasPrefix(ev.Type, "PAYMENT.SALE.") {
			value, currency = sent.Total, sent.Currency
		}
		switch {
		case ev.Payment != nil:
			sameDecimal(t, ev.Payment.Amount, value, currency, false)
		case ev.Refund != nil:
			sameDecimal(t, ev.Refund.Amount, value, currency, true)
		}
	})
}

// sameDecimal fails t unless a is exactly value in currency (its
// magnitude when magnitude is set), as money.ParseDecimal reads it.
func sameDecimal(t *testing.T, a money.Amount, value, currency string, magnitude bool) {
	t.Helper()
	want, err := money.ParseDecimal(value, strings.ToUpper(strings.TrimSpace(currency)))
	if err != nil {
		t.Fatalf("amount %q %q read as %v, but it is no amount: %v", value, currency, a, err)
	}
	if magnitude && want.IsNegative() {
		want = want.Neg()
	}
	if a != want {
		t.Fatalf("amount %q %q read as %v, want %v", value, currency, a, want)
	}
}

// FuzzVerifyWebhook replaces the body of a genuine delivery, or its
// signature, and checks that PayPal's verification (the simulator's, as
// strict as PayPal's) decides: any body whose JSON differs in a value from
// what was signed, and any other signature, is refused as a bad
// signature; the same event, however it is spaced, is accepted.
func FuzzVerifyWebhook(f *testing.F) {
	sim := paypalsim.New(paypalsim.Options{ClientID: testClientID, ClientSecret: testSecret, WebhookID: testWebhookID})
	base, stop := sim.Start()
	f.Cleanup(stop)
	c, err := New(Config{ClientID: testClientID, ClientSecret: testSecret, WebhookID: testWebhookID, APIBase: base})
	if err != nil {
		f.Fatal(err)
	}
	good, err := sim.Event(EventCaptureCompleted, map[string]any{
		"id": "3C679366HH908993F", "status": "COMPLETED", "custom_id": "inv_9f2a",
		"amount":             map[string]string{"currency_code": "EUR", "value": "29.00"},
		"supplementary_data": map[string]any{"related_ids": map[string]string{"order_id": "5O190127TN364715T"}},
	})
	if err != nil {
		f.Fatal(err)
	}
	signed := decodeExact(good.Body)
	sig := good.Header.Get("Paypal-Transmission-Sig")
	f.Add(good.Body, sig)
	f.Add(bytes.Replace(good.Body, []byte(`"29.00"`), []byte(`"29.0"`), 1), sig)
	f.Add(bytes.Replace(good.Body, []byte(`inv_9f2a`), []byte(`inv_9f2b`), 1), sig)
	f.Add(good.Body, sig[:len(sig)-2]+"==")
	f.Add([]byte(`{"id":"WH-1","event_type":"X"}`), sig)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, body []byte, signature string) {
		header := good.Header.Clone()
		header.Set("Paypal-Transmission-Sig", signature)
		ev, err := c.VerifyWebhook(ctx, header, body)
		same := signature == sig && signed != nil && reflect.DeepEqual(decodeExact(body), signed)
		switch {
		case err == nil && !same:
			t.Fatalf("accepted body %q with signature %q", body, signature)
		case err == nil && (ev.ID != good.ID || ev.Type != good.Type || !bytes.Equal(ev.Payload, body)):
			t.Fatalf("accepted the delivery as %+v", ev)
		case err != nil && !errors.Is(err, gateway.ErrBadSignature):
			t.Fatalf("refused, but not as a bad signature: %v", err)
		case err != nil && same && json.Valid(body):
			t.Fatalf("refused the signed event, re-spaced as %q: %v", body, err)
		}
	})
}

// decodeExact is a JSON document with its numbers as written, or nil when
// body is not exactly one JSON document.
func decodeExact(body []byte) any {
	if !json.Valid(body) {
		return nil
	}
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var v any
	if d.Decode(&v) != nil {
		return nil
	}
	return v
}
