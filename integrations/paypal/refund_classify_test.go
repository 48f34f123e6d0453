package paypal

import (
	"context"
	"net/http"
	"testing"

	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/integrations/gateway"
)

// TestRefundErrorsSayWhetherPayPalActed: a refusal frees the refund's
// reservation, anything else keeps it for a retry with the same key.
func TestRefundErrorsSayWhetherPayPalActed(t *testing.T) {
	sim, c := setup(t)
	ctx := context.Background()
	charge, err := c.CaptureOrder(ctx, approvedOrder(t, sim, c, "inv_classify", money.MustNew(2900, "EUR")))
	if err != nil {
		t.Fatal(err)
	}
	refund := func(minor int64, key string) error {
		_, err := c.Refund(ctx, gateway.RefundRequest{PaymentGatewayID: charge.GatewayID, Amount: money.MustNew(minor, "EUR"), IdempotencyKey: key})
		return err
	}
	cases := []struct {
		name    string
		fault   func()
		minor   int64
		refused bool
	}{
		{"more than captured", func() {}, 2901, true},
		{"not positive", func() {}, 0, true},
		{"PayPal down", func() { sim.FailNext(1, http.StatusServiceUnavailable, 0) }, 100, false},
		{"rate limited", func() { sim.FailNext(1, http.StatusTooManyRequests, 0) }, 100, false},
		{"answer lost", sim.DropNextResponse, 100, false},
	}
	for _, tc := range cases {
		tc.fault()
		err := refund(tc.minor, "refund:"+tc.name)
		if err == nil || gateway.Refused(err) != tc.refused {
			t.Errorf("%s: %v, refused %v, want %v", tc.name, err, gateway.Refused(err), tc.refused)
		}
	}
	// The lost answer's refund was made; its retry returns it, once.
	before := sim.Stats().Refunds
	if err := refund(100, "refund:answer lost"); err != nil || sim.Stats().Refunds != before {
		t.Errorf("retry after a lost answer: %v, refunds %d → %d", err, before, sim.Stats().Refunds)
	}
}
