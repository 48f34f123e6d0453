package stripe

import (
	"context"
	"strings"
	"testing"

	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/integrations/gateway"
)

// Stripe's three-decimal currencies (https://docs.stripe.com/currencies,
// "Three-decimal currencies"): amounts are in thousandths, but the last
// digit must be 0. This list is Stripe's, written out here so that the
// currency table's steps are checked against it rather than against
// themselves.
var stripeThreeDecimal = []string{"BHD", "JOD", "KWD", "OMR", "TND"}

func TestToStripeThreeDecimal(t *testing.T) {
	for _, code := range stripeThreeDecimal {
		t.Run(code, func(t *testing.T) {
			for minor := int64(5120); minor < 5130; minor++ {
				n, cur, err := toStripe(money.Amount{Minor: minor, Currency: code})
				if minor%10 == 0 {
					if err != nil || n != minor || cur != strings.ToLower(code) {
						t.Errorf("toStripe(%d %s) = %d %q, %v; want %d", minor, code, n, cur, err, minor)
					}
					continue
				}
				if err == nil {
					t.Errorf("toStripe(%d %s) = %d %q, want a refusal", minor, code, n, cur)
				} else if !strings.Contains(err.Error(), code+" amounts must be multiples of 0.010 "+code) {
					t.Errorf("toStripe(%d %s) error %q does not say why", minor, code, err)
				}
			}
		})
	}
}

// A charge or refund Stripe would refuse never leaves: the refusal comes
// before any request, so no money moves and nothing is left half done.
func TestThreeDecimalRefusedBeforeAnyRequest(t *testing.T) {
	c, rec := newTestClient(t, stripeMockURL)
	if res, err := c.Charge(context.Background(), chargeRequest(money.MustNew(5124, "KWD"))); err == nil {
		t.Fatalf("charge of 5.124 KWD = %+v, want an error", res)
	} else if !strings.Contains(err.Error(), "5.124 KWD") {
		t.Errorf("charge error %q does not name the amount", err)
	}
	refund := gateway.RefundRequest{PaymentGatewayID: "pi_123", Amount: money.MustNew(3001, "BHD"), IdempotencyKey: "refund-1"}
	if res, err := c.Refund(context.Background(), refund); err == nil {
		t.Fatalf("refund of 3.001 BHD = %+v, want an error", res)
	}
	if reqs := rec.requests(); len(reqs) != 0 {
		t.Fatalf("requests sent to Stripe: %+v", reqs)
	}

	// The payable amount goes through, in thousandths, as Stripe's spec wants.
	res, err := c.Charge(context.Background(), chargeRequest(money.MustNew(5120, "KWD")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(res.GatewayID, "pi_") {
		t.Errorf("GatewayID = %q", res.GatewayID)
	}
	sent := rec.last(t)
	if sent.Form.Get("amount") != "5120" || sent.Form.Get("currency") != "kwd" {
		t.Errorf("sent amount %q %q, want 5120 kwd", sent.Form.Get("amount"), sent.Form.Get("currency"))
	}
}
