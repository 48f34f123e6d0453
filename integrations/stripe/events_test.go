package stripe

import (
	"strings"
	"testing"

	"github.com/ezscale/ezscale/billing/money"
)

// stripeEvent wraps object in Stripe's event envelope, as a webhook
// delivers it.
func stripeEvent(id, typ, object string) []byte {
	return []byte(`{
  "id": "` + id + `",
  "object": "event",
  "api_version": "2026-03-25.dahlia",
  "created": 1767225600,
  "data": {"object": ` + object + `},
  "livemode": false,
  "pending_webhooks": 1,
  "request": {"id": "req_1Abc", "idempotency_key": "charge-inv_ours_1-1"},
  "type": "` + typ + `"
}`)
}

const (
	succeededIntent = `{
    "id": "pi_3Paid", "object": "payment_intent", "amount": 1999, "amount_received": 1999,
    "currency": "usd", "customer": "cus_Ann", "description": "Invoice INV-2026-0042",
    "latest_charge": "ch_3Paid", "last_payment_error": null,
    "metadata": {"invoice_id": "inv_ours_1", "customer_id": "cust_ours_1"},
    "payment_method": "pm_Visa", "status": "succeeded"
  }`
	failedIntent = `{
    "id": "pi_3Decl", "object": "payment_intent", "amount": 1500, "amount_received": 0,
    "currency": "jpy", "customer": "cus_Ann",
    "last_payment_error": {"type": "card_error", "code": "card_declined", "decline_code": "insufficient_funds",
      "message": "Your card has insufficient funds.", "payment_method": {"id": "pm_Visa", "object": "payment_method", "type": "card"}},
    "metadata": {"invoice_id": "inv_ours_2", "customer_id": "cust_ours_1"},
    "payment_method": null, "status": "requires_payment_method"
  }`
	refundedCharge = `{
    "id": "ch_3Paid", "object": "charge", "amount": 1999, "amount_captured": 1999, "amount_refunded": 500,
    "currency": "usd", "customer": "cus_Ann", "paid": true, "payment_intent": "pi_3Paid",
    "metadata": {"invoice_id": "inv_ours_1", "customer_id": "cust_ours_1"},
    "refunded": false, "status": "succeeded"
  }`
	openDispute = `{
    "id": "du_1Dsp", "object": "dispute", "amount": 1999, "charge": "ch_3Paid", "currency": "usd",
    "is_charge_refundable": false, "metadata": {}, "payment_intent": "pi_3Paid",
    "reason": "fraudulent", "status": "needs_response"
  }`
	lostDispute = `{
    "id": "du_1Dsp", "object": "dispute", "amount": 1999, "charge": "ch_3Paid", "currency": "usd",
    "metadata": {}, "payment_intent": "pi_3Paid", "reason": "fraudulent", "status": "lost"
  }`
	succeededSetup = `{
    "id": "seti_1Card", "object": "setup_intent", "customer": "cus_Ann", "payment_method": "pm_NewVisa",
    "payment_method_types": ["card"], "status": "succeeded", "usage": "off_session"
  }`
	detachedMethod = `{
    "id": "pm_OldVisa", "object": "payment_method", "type": "card", "customer": null,
    "card": {"brand": "visa", "last4": "4242", "exp_month": 8, "exp_year": 2030}
  }`
)

func TestParseEvent(t *testing.T) {
	usd := func(minor int64) money.Amount { return money.MustNew(minor, "USD") }
	tests := []struct {
		name string
		body []byte
		want Event
	}{
		{
			name: "payment succeeded",
			body: stripeEvent("evt_1", "payment_intent.succeeded", succeededIntent),
			want: Event{ID: "evt_1", Type: "payment_intent.succeeded", PaymentIntentID: "pi_3Paid",
				InvoiceID: "inv_ours_1", CustomerID: "cust_ours_1", Amount: usd(1999), Status: "succeeded"},
		},
		{
			name: "payment failed, in yen",
			body: stripeEvent("evt_2", "payment_intent.payment_failed", failedIntent),
			want: Event{ID: "evt_2", Type: "payment_intent.payment_failed", PaymentIntentID: "pi_3Decl",
				InvoiceID: "inv_ours_2", CustomerID: "cust_ours_1", Amount: money.MustNew(1500, "JPY"),
				Status: "requires_payment_method", FailureCode: "insufficient_funds", FailureMessage: "Your card has insufficient funds."},
		},
		{
			name: "charge refunded in part",
			body: stripeEvent("evt_3", "charge.refunded", refundedCharge),
			want: Event{ID: "evt_3", Type: "charge.refunded", PaymentIntentID: "pi_3Paid",
				InvoiceID: "inv_ours_1", CustomerID: "cust_ours_1", Amount: usd(1999), AmountRefunded: usd(500)},
		},
		{
			name: "dispute created",
			body: stripeEvent("evt_4", "charge.dispute.created", openDispute),
			want: Event{ID: "evt_4", Type: "charge.dispute.created", DisputeID: "du_1Dsp", PaymentIntentID: "pi_3Paid",
				Amount: usd(1999), Status: "needs_response"},
		},
		{
			name: "dispute closed",
			body: stripeEvent("evt_5", "charge.dispute.closed", lostDispute),
			want: Event{ID: "evt_5", Type: "charge.dispute.closed", DisputeID: "du_1Dsp", PaymentIntentID: "pi_3Paid",
				Amount: usd(1999), Status: "lost"},
		},
		{
			name: "card saved",
			body: stripeEvent("evt_6", "setup_intent.succeeded", succeededSetup),
			want: Event{ID: "evt_6", Type: "setup_intent.succeeded", StripeCustomerID: "cus_Ann", PaymentMethodID: "pm_NewVisa"},
		},
		{
			name: "card removed",
			body: stripeEvent("evt_7", "payment_method.detached", detachedMethod),
			want: Event{ID: "evt_7", Type: "payment_method.detached", PaymentMethodID: "pm_OldVisa"},
		},
		{
			name: "a type we do not act on",
			body: stripeEvent("evt_8", "customer.updated", `{"id":"cus_Ann","object":"customer"}`),
			want: Event{ID: "evt_8", Type: "customer.updated"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseEvent(tt.body)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("ParseEvent =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestParseEventErrors(t *testing.T) {
	tests := []struct {
		name    string
		body    []byte
		wantErr string
	}{
		{"not JSON", []byte(`{"id":`), "stripe event"},
		{"not an event", []byte(`{"id":"pi_3","object":"payment_intent"}`), "not an event"},
		{"unknown currency", stripeEvent("evt_9", "payment_intent.succeeded", `{"id":"pi_3","amount":1,"currency":"zzz"}`), "evt_9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ParseEvent(tt.body); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}
