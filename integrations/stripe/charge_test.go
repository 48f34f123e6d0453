package stripe

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	stripeapi "github.com/stripe/stripe-go/v85"

	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/integrations/gateway"
)

func chargeRequest(amount money.Amount) gateway.ChargeRequest {
	return gateway.ChargeRequest{
		InvoiceID:         "inv_ours_1",
		CustomerID:        "cust_ours_1",
		GatewayCustomerID: "cus_Ann",
		PaymentMethodRef:  "pm_Visa",
		Amount:            amount,
		Description:       "Invoice INV-2026-0042",
		IdempotencyKey:    "charge-inv_ours_1-1",
	}
}

// What goes over the wire, checked by stripe-mock against Stripe's spec.
// Its PaymentIntent fixture is always requires_payment_method, whatever is
// sent, so outcomes are tested against the fake below.
func TestChargeRequest(t *testing.T) {
	tests := []struct {
		name         string
		amount       money.Amount
		wantAmount   string
		wantCurrency string
	}{
		{"USD in cents", money.MustNew(1999, "USD"), "1999", "usd"},
		{"JPY sent unscaled", money.MustNew(1500, "JPY"), "1500", "jpy"},
		{"ISK in Stripe's two decimals", money.MustNew(2500, "ISK"), "250000", "isk"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, rec := newTestClient(t, stripeMockURL)
			req := chargeRequest(tt.amount)
			res, err := c.Charge(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(res.GatewayID, "pi_") {
				t.Errorf("GatewayID = %q", res.GatewayID)
			}
			sent := rec.last(t)
			if sent.Method != "POST" || sent.Path != "/v1/payment_intents" {
				t.Errorf("request %s %s", sent.Method, sent.Path)
			}
			if got := sent.Header.Get("Idempotency-Key"); got != req.IdempotencyKey {
				t.Errorf("Idempotency-Key = %q, want %q", got, req.IdempotencyKey)
			}
			for param, want := range map[string]string{
				"amount":                  tt.wantAmount,
				"currency":                tt.wantCurrency,
				"customer":                "cus_Ann",
				"payment_method":          "pm_Visa",
				"payment_method_types[0]": "card",
				"confirm":                 "true",
				"off_session":             "true",
				"description":             req.Description,
				"metadata[invoice_id]":    req.InvoiceID,
				"metadata[customer_id]":   req.CustomerID,
			} {
				if got := sent.Form.Get(param); got != want {
					t.Errorf("%s = %q, want %q", param, got, want)
				}
			}
		})
	}
}

func TestChargeRefusesBeforeCallingStripe(t *testing.T) {
	tests := []struct {
		name    string
		mutate  func(*gateway.ChargeRequest)
		wantErr string
	}{
		{"no idempotency key", func(r *gateway.ChargeRequest) { r.IdempotencyKey = "" }, "idempotency key is required"},
		{"zero amount", func(r *gateway.ChargeRequest) { r.Amount = money.MustNew(0, "USD") }, "not positive"},
		{"refund-like amount", func(r *gateway.ChargeRequest) { r.Amount = money.MustNew(-500, "USD") }, "not positive"},
		{"fraction Stripe cannot take", func(r *gateway.ChargeRequest) { r.Amount = money.MustNew(100050, "MGA") }, "MGA amounts must be multiples of 1.00 MGA"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, rec := newTestClient(t, stripeMockURL)
			req := chargeRequest(money.MustNew(1999, "USD"))
			tt.mutate(&req)
			_, err := c.Charge(context.Background(), req)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if n := len(rec.requests()); n != 0 {
				t.Errorf("%d requests sent", n)
			}
		})
	}
}

// Stripe's answers that stripe-mock cannot give: it is stateless and
// returns its fixture for every valid request, so it never declines, never
// asks for 3-D Secure, and never fails auth or rate limits a test key. The
// fake replays Stripe's real response shapes for those.
func TestChargeOutcomes(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		body     string
		want     gateway.ChargeResult
		wantErr  string // a Go error: the caller retries later
		wantCode stripeapi.ErrorCode
	}{
		{
			name:   "succeeded",
			status: http.StatusOK,
			body:   `{"id":"pi_3Paid","object":"payment_intent","amount":1999,"currency":"usd","status":"succeeded","latest_charge":"ch_3Paid","metadata":{"invoice_id":"inv_ours_1"}}`,
			want:   gateway.ChargeResult{GatewayID: "pi_3Paid", Status: gateway.StatusSucceeded},
		},
		{
			name:   "processing settles by webhook",
			status: http.StatusOK,
			body:   `{"id":"pi_3Slow","object":"payment_intent","amount":1999,"currency":"usd","status":"processing"}`,
			want:   gateway.ChargeResult{GatewayID: "pi_3Slow", Status: gateway.StatusPending},
		},
		{
			name:   "requires_action with a redirect",
			status: http.StatusOK,
			body: `{"id":"pi_3Act","object":"payment_intent","amount":1999,"currency":"usd","status":"requires_action","client_secret":"pi_3Act_secret_abc",
				"next_action":{"type":"redirect_to_url","redirect_to_url":{"url":"https://hooks.stripe.com/3d_secure_2/hosted?merchant=acct_1&payment_intent=pi_3Act","return_url":"https://portal.example/return"}}}`,
			want: gateway.ChargeResult{GatewayID: "pi_3Act", Status: gateway.StatusRequiresAction, ActionURL: "https://hooks.stripe.com/3d_secure_2/hosted?merchant=acct_1&payment_intent=pi_3Act"},
		},
		{
			name:   "requires_action through Stripe.js",
			status: http.StatusOK,
			body:   `{"id":"pi_3Sdk","object":"payment_intent","amount":1999,"currency":"usd","status":"requires_action","next_action":{"type":"use_stripe_sdk","use_stripe_sdk":{"type":"three_d_secure_redirect"}}}`,
			want:   gateway.ChargeResult{GatewayID: "pi_3Sdk", Status: gateway.StatusRequiresAction},
		},
		{
			name:   "declined card",
			status: http.StatusPaymentRequired,
			body: `{"error":{"type":"card_error","code":"card_declined","decline_code":"insufficient_funds","message":"Your card has insufficient funds.",
				"charge":"ch_3Decl","doc_url":"https://stripe.com/docs/error-codes/card-declined","request_log_url":"https://dashboard.stripe.com/test/logs/req_fake123",
				"payment_method":{"id":"pm_Visa","object":"payment_method","type":"card"},
				"payment_intent":{"id":"pi_3Decl","object":"payment_intent","amount":1999,"currency":"usd","status":"requires_payment_method","client_secret":"pi_3Decl_secret_abc",
					"last_payment_error":{"type":"card_error","code":"card_declined","decline_code":"insufficient_funds","message":"Your card has insufficient funds."}}}}`,
			want: gateway.ChargeResult{GatewayID: "pi_3Decl", Status: gateway.StatusFailed, FailureCode: "insufficient_funds", FailureMessage: "Your card has insufficient funds."},
		},
		{
			name:   "card error without a decline code",
			status: http.StatusPaymentRequired,
			body:   `{"error":{"type":"card_error","code":"expired_card","param":"exp_month","message":"Your card has expired.","payment_intent":{"id":"pi_3Exp","object":"payment_intent","status":"requires_payment_method"}}}`,
			want:   gateway.ChargeResult{GatewayID: "pi_3Exp", Status: gateway.StatusFailed, FailureCode: "expired_card", FailureMessage: "Your card has expired."},
		},
		{
			name:   "3-D Secure needed off-session",
			status: http.StatusPaymentRequired,
			body: `{"error":{"type":"card_error","code":"authentication_required","decline_code":"authentication_required","message":"Your card was declined. This transaction requires authentication.",
				"payment_intent":{"id":"pi_3Auth","object":"payment_intent","amount":1999,"currency":"usd","status":"requires_payment_method"}}}`,
			want: gateway.ChargeResult{GatewayID: "pi_3Auth", Status: gateway.StatusRequiresAction, FailureCode: "authentication_required", FailureMessage: "Your card was declined. This transaction requires authentication."},
		},
		{
			name:   "failed attempt reported without an error",
			status: http.StatusOK,
			body:   `{"id":"pi_3Fail","object":"payment_intent","status":"requires_payment_method","last_payment_error":{"type":"card_error","code":"card_declined","decline_code":"do_not_honor","message":"Your card was declined."}}`,
			want:   gateway.ChargeResult{GatewayID: "pi_3Fail", Status: gateway.StatusFailed, FailureCode: "do_not_honor", FailureMessage: "Your card was declined."},
		},
		{
			name:    "invalid API key",
			status:  http.StatusUnauthorized,
			body:    `{"error":{"message":"Invalid API Key provided: sk_test_********************1234","type":"invalid_request_error"}}`,
			wantErr: "HTTP 401 invalid_request_error: Invalid API Key provided",
		},
		{
			name:     "rate limited",
			status:   http.StatusTooManyRequests,
			body:     `{"error":{"code":"rate_limit","doc_url":"https://stripe.com/docs/error-codes/rate-limit","message":"Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.","type":"invalid_request_error"}}`,
			wantErr:  "HTTP 429 invalid_request_error rate_limit: Request rate limit exceeded",
			wantCode: stripeapi.ErrorCodeRateLimit,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, rec := newTestClient(t, fakeStripe(t, tt.status, tt.body).URL)
			res, err := c.Charge(context.Background(), chargeRequest(money.MustNew(1999, "USD")))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				var se *stripeapi.Error
				if !errors.As(err, &se) || se.HTTPStatusCode != tt.status || se.Code != tt.wantCode {
					t.Errorf("err does not wrap the Stripe error: %#v", err)
				}
				if !strings.Contains(err.Error(), "req_fake123") {
					t.Errorf("err does not name Stripe's request id: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v, want a result", err)
			}
			if res != tt.want {
				t.Errorf("result = %+v\nwant %+v", res, tt.want)
			}
			if got := rec.last(t).Header.Get("Idempotency-Key"); got != "charge-inv_ours_1-1" {
				t.Errorf("Idempotency-Key = %q", got)
			}
		})
	}
}

// A connection that fails is an error to retry, and stripe-go's own
// retries must reuse our idempotency key.
func TestChargeNetworkError(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	c, rec := newTestClient(t, srv.URL)
	_, err := c.Charge(context.Background(), chargeRequest(money.MustNew(1999, "USD")))
	if err == nil || !strings.Contains(err.Error(), "stripe charge:") || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("err = %v, want a connection error", err)
	}
	reqs := rec.requests()
	if len(reqs) < 2 {
		t.Fatalf("%d attempts, want stripe-go's retries", len(reqs))
	}
	for _, r := range reqs {
		if got := r.Header.Get("Idempotency-Key"); got != "charge-inv_ours_1-1" {
			t.Errorf("attempt with Idempotency-Key %q", got)
		}
	}
}

func TestPaymentIntentStatus(t *testing.T) {
	c, rec := newTestClient(t, stripeMockURL)
	res, err := c.PaymentIntentStatus(context.Background(), "pi_Lookup")
	if err != nil {
		t.Fatal(err)
	}
	// stripe-mock's fixture is a PaymentIntent awaiting a payment method.
	if res.GatewayID != "pi_Lookup" || res.Status != gateway.StatusFailed {
		t.Errorf("result = %+v", res)
	}
	if req := rec.last(t); req.Method != "GET" || req.Path != "/v1/payment_intents/pi_Lookup" {
		t.Errorf("request %s %s", req.Method, req.Path)
	}
}
