package stripe

import (
	"context"
	"errors"
	"testing"

	stripeapi "github.com/stripe/stripe-go/v85"

	"github.com/ezscale/ezscale/integrations/gateway"
)

// TestRefundErrorsSayWhetherStripeActed: a 4xx answer is a refusal (the
// refund fails and frees its amount); anything that may have refunded is
// not (it stays pending and is retried with the same key).
func TestRefundErrorsSayWhetherStripeActed(t *testing.T) {
	cases := []struct {
		name    string
		err     error
		refused bool
	}{
		{"already refunded", &stripeapi.Error{HTTPStatusCode: 400, Code: stripeapi.ErrorCodeChargeAlreadyRefunded}, true},
		{"declined", &stripeapi.Error{HTTPStatusCode: 402, Type: stripeapi.ErrorTypeCard}, true},
		{"bad key", &stripeapi.Error{HTTPStatusCode: 401}, true},
		{"same key in flight", &stripeapi.Error{HTTPStatusCode: 409, Type: stripeapi.ErrorTypeIdempotency}, false},
		{"rate limited", &stripeapi.Error{HTTPStatusCode: 429}, false},
		{"Stripe down", &stripeapi.Error{HTTPStatusCode: 503, Type: stripeapi.ErrorTypeAPI}, false},
		{"timeout", context.DeadlineExceeded, false},
		{"connection reset", errors.New("read tcp: connection reset by peer"), false},
	}
	for _, tc := range cases {
		err := classifyRefundErr(wrapErr("refund", tc.err))
		if gateway.Refused(err) != tc.refused {
			t.Errorf("%s: refused %v, want %v (%v)", tc.name, gateway.Refused(err), tc.refused, err)
		}
	}
}
