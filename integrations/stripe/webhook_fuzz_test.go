package stripe

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/integrations/gateway"
)

// stripeSeedEvents are the test fixtures' deliveries, one per event type
// the platform reads.
func stripeSeedEvents() [][]byte {
	return [][]byte{
		stripeEvent("evt_1", "payment_intent.succeeded", succeededIntent),
		stripeEvent("evt_2", "payment_intent.payment_failed", failedIntent),
		stripeEvent("evt_3", "charge.refunded", refundedCharge),
		stripeEvent("evt_4", "charge.dispute.created", openDispute),
		stripeEvent("evt_5", "charge.dispute.closed", lostDispute),
		stripeEvent("evt_6", "setup_intent.succeeded", succeededSetup),
		stripeEvent("evt_7", "payment_method.detached", detachedMethod),
		stripeEvent("evt_8", "customer.updated", `{"id":"cus_Ann","object":"customer"}`),
	}
}

// FuzzParseEvent checks that any body either is refused or reads into an
// event with an id and a type whose amounts are exactly the ones Stripe
// sent: converted back into Stripe's units they give its integer again.
func FuzzParseEvent(f *testing.F) {
	for _, b := range stripeSeedEvents() {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := ParseEvent(body)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "stripe event") {
				t.Fatalf("error %q does not say what failed", err)
			}
			return
		}
		if ev.ID == "" || ev.Type == "" {
			t.Fatalf("event without id or type: %+v", ev)
		}
		var raw struct {
			Data struct {
				Object struct {
					Amount         json.Number `json:"amount"`
					AmountRefunded json.Number `json:"amount_refunded"`
					Currency       string      `json:"currency"`
				} `json:"object"`
			} `json:"data"`
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&raw); err != nil {
			t.Fatalf("ParseEvent accepted a body encoding/json refuses: %v", err)
		}
		obj := raw.Data.Object
		switch {
		case strings.HasPrefix(ev.Type, "payment_intent."), strings.HasPrefix(ev.Type, "charge.dispute."):
			sameAmount(t, "amount", obj.Amount, obj.Currency, ev.Amount.Minor, ev.Amount.Currency)
		case ev.Type == "charge.refunded":
			sameAmount(t, "amount", obj.Amount, obj.Currency, ev.Amount.Minor, ev.Amount.Currency)
			sameAmount(t, "amount_refunded", obj.AmountRefunded, obj.Currency, ev.AmountRefunded.Minor, ev.AmountRefunded.Currency)
		default:
			if ev.Amount.Currency != "" || ev.Amount.Minor != 0 {
				t.Fatalf("%s event has an amount: %v", ev.Type, ev.Amount)
			}
		}
	})
}

// sameAmount fails t unless minor units of currency are exactly the
// integer Stripe sent in field, in the currency it named.
func sameAmount(t *testing.T, field string, sent json.Number, sentCurrency string, minor int64, currency string) {
	t.Helper()
	want := int64(0)
	if sent != "" {
		var err error
		if want, err = sent.Int64(); err != nil {
			t.Fatalf("%s %q read as %d %s, but it is no int64", field, sent, minor, currency)
		}
	}
	c, err := money.LookupCurrency(currency)
	if err != nil || c.Code != strings.ToUpper(strings.TrimSpace(sentCurrency)) {
		t.Fatalf("%s currency %q read as %q (%v)", field, sentCurrency, currency, err)
	}
	if n, err := rescale(minor, c.Exponent, stripeExponent(c)); err != nil || n != want {
		t.Fatalf("%s %d %s read as %d minor units, which is %d (%v) in Stripe's units", field, want, sentCurrency, minor, n, err)
	}
}

// FuzzVerifyWebhook signs a body as someone holding signer's secret would,
// some seconds ago, and checks that only our own secret's fresh signature
// over the unaltered body is accepted: a wrong secret, an empty one, a
// stale timestamp or a body altered after signing (flip picks the byte)
// is always refused as a bad signature.
func FuzzVerifyWebhook(f *testing.F) {
	for i, b := range stripeSeedEvents() {
		f.Add(b, testWebhookSecret, testWebhookSecret, int16(i*37), uint16(i*11))
		f.Add(b, testWebhookSecret, "whsec_someone_else", int16(0), uint16(i))
	}
	f.Add([]byte(`{"id":"evt_1","object":"event","type":"x"}`), "", "", int16(0), uint16(0))
	f.Add([]byte(`{}`), "s", "s", int16(301), uint16(1))
	f.Add([]byte(`{"id":"evt_1","object":"event","type":"x"}`), "s", "s", int16(-600), uint16(3))
	f.Fuzz(func(t *testing.T, body []byte, secret, signer string, age int16, flip uint16) {
		c := &Client{webhookSecret: secret}
		at := time.Now().Add(-time.Duration(age) * time.Second)
		header := http.Header{"Stripe-Signature": {SignPayload(signer, body, at)}}
		ctx := context.Background()

		ev, err := c.VerifyWebhook(ctx, header, body)
		genuine := secret != "" && signer == secret && len(body) <= MaxWebhookBytes
		// A few seconds either side of the tolerance, the clock decides.
		tolerance := int16(webhookTolerance / time.Second)
		fresh, stale := age < tolerance-5, age > tolerance+5
		switch {
		case err == nil && (!genuine || stale):
			t.Fatalf("accepted a delivery signed with %q, %ds ago, for secret %q", signer, age, secret)
		case err == nil && (ev.ID == "" || ev.Type == "" || !bytes.Equal(ev.Payload, body)):
			t.Fatalf("accepted event %+v from body %q", ev, body)
		case err != nil && (!genuine || stale) && !errors.Is(err, gateway.ErrBadSignature):
			t.Fatalf("refused a delivery signed with %q, %ds ago, for secret %q, but not as a bad signature: %v", signer, age, secret, err)
		case err != nil && genuine && fresh && errors.Is(err, gateway.ErrBadSignature):
			t.Fatalf("refused a genuine fresh delivery as a bad signature: %v", err)
		}

		if len(body) == 0 || secret == "" {
			return
		}
		altered := bytes.Clone(body)
		altered[int(flip)%len(altered)] ^= 1 << (flip % 8)
		if _, err := c.VerifyWebhook(ctx, header, altered); !errors.Is(err, gateway.ErrBadSignature) {
			t.Fatalf("accepted, or refused otherwise than as a bad signature, a body altered after signing: %v", err)
		}
	})
}
