package paypal

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/integrations/gateway"
)

// TestGetOrderSaysWhatTheOrderIsFor: the invoice, customer and amount an
// order was made for are read back before it is captured, and the capture
// reports the money PayPal took.
func TestGetOrderSaysWhatTheOrderIsFor(t *testing.T) {
	sim, c := setup(t)
	ctx := context.Background()
	amount := money.MustNew(12800, "USD")
	id, _, err := c.CreateOrder(ctx, OrderRequest{InvoiceID: "inv_dedi", CustomerID: "cus_alice", Amount: amount})
	if err != nil {
		t.Fatal(err)
	}
	order, err := c.GetOrder(ctx, id)
	want := Order{ID: id, Status: "CREATED", InvoiceID: "inv_dedi", PayPalInvoiceID: "inv_dedi", CustomerID: "cus_alice", Amount: amount}
	if err != nil || order != want {
		t.Fatalf("GetOrder = %+v, %v; want %+v", order, err, want)
	}
	if err := sim.Approve(id); err != nil {
		t.Fatal(err)
	}
	capture, err := c.CaptureOrder(ctx, id)
	if err != nil || capture.Status != gateway.StatusSucceeded || capture.GatewayID == "" ||
		capture.Amount != amount || capture.InvoiceID != "inv_dedi" || capture.OrderID != id {
		t.Fatalf("CaptureOrder = %+v, %v", capture, err)
	}
	order, err = c.GetOrder(ctx, id)
	if err != nil || order.Status != "COMPLETED" || order.Capture == nil || *order.Capture != capture {
		t.Fatalf("captured order = %+v (capture %+v), %v; want capture %+v", order, order.Capture, err, capture)
	}
}

func TestGetOrderUnknown(t *testing.T) {
	sim, c := setup(t)
	for _, id := range []string{"5O190127TN364715T", "../../v1/billing/plans", ""} {
		if _, err := c.GetOrder(context.Background(), id); !errors.Is(err, ErrOrderNotFound) {
			t.Errorf("GetOrder(%q) = %v, want ErrOrderNotFound", id, err)
		}
		if _, err := c.CaptureOrder(context.Background(), id); err == nil {
			t.Errorf("CaptureOrder(%q) succeeded", id)
		}
	}
	if got := sim.Stats(); got.Captures != 0 {
		t.Fatalf("stats %+v", got)
	}
}

// TestSimulatorCapturesAnOrderOnce: like PayPal, a second capture of an
// order (a new PayPal-Request-Id) is 422 ORDER_ALREADY_CAPTURED and takes
// nothing.
func TestSimulatorCapturesAnOrderOnce(t *testing.T) {
	sim, c := setup(t)
	ctx := context.Background()
	id := approvedOrder(t, sim, c, "inv_once", money.MustNew(400, "USD"))
	if _, err := c.CaptureOrder(ctx, id); err != nil {
		t.Fatal(err)
	}
	err := c.send(ctx, http.MethodPost, "/v2/checkout/orders/"+id+"/capture", struct{}{}, "another-request", nil)
	if e := apiError(t, err); e.Status != http.StatusUnprocessableEntity || e.Name != "UNPROCESSABLE_ENTITY" || !e.HasIssue("ORDER_ALREADY_CAPTURED") {
		t.Fatalf("second capture: %+v", e)
	}
	if n := sim.Stats().Captures; n != 1 {
		t.Fatalf("%d captures, want 1", n)
	}
}
