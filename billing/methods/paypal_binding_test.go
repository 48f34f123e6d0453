package methods

import (
	"errors"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/integrations/paypal"
)

func TestOrderFor(t *testing.T) {
	rec := core.NewRecord(core.NewBaseCollection(ledger.InvoicesCollection))
	rec.Id = "inv_dedicated"
	rec.Set("customer", "cus_bob")
	rec.Set("currency", "USD")
	inv := ledger.AsInvoice(rec)
	own := paypal.Order{ID: "ORDER1", Status: "APPROVED", InvoiceID: inv.Id, PayPalInvoiceID: inv.Id, CustomerID: "cus_bob", Amount: money.MustNew(12800, "USD")}

	tests := []struct {
		name string
		edit func(*paypal.Order)
		ok   bool
	}{
		{"this invoice's order", func(*paypal.Order) {}, true},
		{"for less than is due", func(o *paypal.Order) { o.Amount = money.MustNew(400, "USD") }, true},
		{"no invoice_id echoed", func(o *paypal.Order) { o.PayPalInvoiceID = "" }, true},
		{"another invoice's order", func(o *paypal.Order) { o.InvoiceID, o.PayPalInvoiceID = "inv_cheap", "inv_cheap" }, false},
		{"custom_id of another invoice", func(o *paypal.Order) { o.InvoiceID = "inv_cheap" }, false},
		{"invoice_id of another invoice", func(o *paypal.Order) { o.PayPalInvoiceID = "inv_cheap" }, false},
		{"no custom_id", func(o *paypal.Order) { o.InvoiceID = "" }, false},
		{"another customer's order", func(o *paypal.Order) { o.CustomerID = "cus_alice" }, false},
		{"another currency", func(o *paypal.Order) { o.Amount = money.MustNew(12800, "EUR") }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			order := own
			tt.edit(&order)
			err := orderFor(order, inv)
			if tt.ok != (err == nil) || (err != nil && !errors.Is(err, ErrOrderMismatch)) {
				t.Fatalf("orderFor(%+v) = %v, want ok %v", order, err, tt.ok)
			}
		})
	}
}
