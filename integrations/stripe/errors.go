package stripe

import (
	"errors"
	"fmt"

	stripeapi "github.com/stripe/stripe-go/v85"
)

// apiError is a Stripe API failure the caller should retry later (auth,
// rate limit, invalid request, Stripe outage). It names the cause in one
// line instead of stripe-go's JSON dump, which would also print the
// PaymentIntent's client secret, and unwraps to the *stripe.Error.
type apiError struct {
	op  string
	err *stripeapi.Error
}

func (e *apiError) Error() string {
	s := fmt.Sprintf("stripe %s: HTTP %d %s", e.op, e.err.HTTPStatusCode, e.err.Type)
	if e.err.Code != "" {
		s += " " + string(e.err.Code)
	}
	if e.err.Msg != "" {
		s += ": " + e.err.Msg
	}
	if e.err.RequestID != "" {
		s += " (request " + e.err.RequestID + ")"
	}
	return s
}

func (e *apiError) Unwrap() error { return e.err }

// wrapErr names the operation that failed; network errors keep their own
// text, which says what went wrong with the connection.
func wrapErr(op string, err error) error {
	var se *stripeapi.Error
	if errors.As(err, &se) {
		return &apiError{op: op, err: se}
	}
	return fmt.Errorf("stripe %s: %w", op, err)
}
