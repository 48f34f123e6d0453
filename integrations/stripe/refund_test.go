package stripe

import (
	"context"
	"net/http"
	"strings"
	"testing"

	stripeapi "github.com/stripe/stripe-go/v85"

	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/integrations/gateway"
)

// Against stripe-mock, which rejects a reason outside Stripe's enum, so the
// mapping is checked by the spec itself.
func TestRefund(t *testing.T) {
	long := strings.Repeat("é", 600)
	tests := []struct {
		name           string
		reason         string
		amount         money.Amount
		wantAmount     string
		wantReason     string
		wantMetaReason string
	}{
		{"Stripe's reason", "requested_by_customer", money.MustNew(500, "USD"), "500", "requested_by_customer", ""},
		{"duplicate", " duplicate ", money.MustNew(1999, "USD"), "1999", "duplicate", ""},
		{"free text goes to metadata", "Server never provisioned", money.MustNew(500, "USD"), "500", "", "Server never provisioned"},
		{"long text is cut to Stripe's limit", long, money.MustNew(500, "USD"), "500", "", long[:1000]},
		{"no reason", "", money.MustNew(1200, "JPY"), "1200", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, rec := newTestClient(t, stripeMockURL)
			req := gateway.RefundRequest{PaymentGatewayID: "pi_3Paid", Amount: tt.amount, Reason: tt.reason, IdempotencyKey: "refund-pay_1-1"}
			res, err := c.Refund(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(res.GatewayID, "re_") || res.Status != gateway.StatusSucceeded {
				t.Errorf("result = %+v", res)
			}
			sent := rec.last(t)
			if sent.Method != "POST" || sent.Path != "/v1/refunds" {
				t.Errorf("request %s %s", sent.Method, sent.Path)
			}
			if got := sent.Header.Get("Idempotency-Key"); got != req.IdempotencyKey {
				t.Errorf("Idempotency-Key = %q", got)
			}
			for param, want := range map[string]string{
				"payment_intent":   "pi_3Paid",
				"amount":           tt.wantAmount,
				"reason":           tt.wantReason,
				"metadata[reason]": tt.wantMetaReason,
			} {
				if got := sent.Form.Get(param); got != want {
					t.Errorf("%s = %q, want %q", param, got, want)
				}
			}
		})
	}
}

func TestRefundRefusesBeforeCallingStripe(t *testing.T) {
	tests := []struct {
		name    string
		req     gateway.RefundRequest
		wantErr string
	}{
		{"no idempotency key", gateway.RefundRequest{PaymentGatewayID: "pi_1", Amount: money.MustNew(500, "USD")}, "idempotency key is required"},
		{"no amount", gateway.RefundRequest{PaymentGatewayID: "pi_1", Amount: money.MustNew(0, "USD"), IdempotencyKey: "k"}, "not positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, rec := newTestClient(t, stripeMockURL)
			_, err := c.Refund(context.Background(), tt.req)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if n := len(rec.requests()); n != 0 {
				t.Errorf("%d requests sent", n)
			}
		})
	}
}

// stripe-mock's refund fixture is always succeeded; the other states come
// from the fake.
func TestRefundStatus(t *testing.T) {
	tests := []struct {
		stripe stripeapi.RefundStatus
		want   string
	}{
		{stripeapi.RefundStatusSucceeded, gateway.StatusSucceeded},
		{stripeapi.RefundStatusPending, gateway.StatusPending},
		{stripeapi.RefundStatusRequiresAction, gateway.StatusPending},
		{stripeapi.RefundStatusFailed, gateway.StatusFailed},
		{stripeapi.RefundStatusCanceled, gateway.StatusFailed},
	}
	for _, tt := range tests {
		t.Run(string(tt.stripe), func(t *testing.T) {
			body := `{"id":"re_3Fake","object":"refund","amount":500,"currency":"usd","payment_intent":"pi_3Paid","status":"` + string(tt.stripe) + `"}`
			c, _ := newTestClient(t, fakeStripe(t, http.StatusOK, body).URL)
			res, err := c.Refund(context.Background(), gateway.RefundRequest{PaymentGatewayID: "pi_3Paid", Amount: money.MustNew(500, "USD"), IdempotencyKey: "k"})
			if err != nil {
				t.Fatal(err)
			}
			if res != (gateway.RefundResult{GatewayID: "re_3Fake", Status: tt.want}) {
				t.Errorf("result = %+v, want status %s", res, tt.want)
			}
		})
	}
}
