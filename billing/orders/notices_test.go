package orders_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"github.com/ezscale/ezscale/billing/orders"
	"github.com/ezscale/ezscale/internal/settings"
	"github.com/ezscale/ezscale/internal/testutil"
)

// An order tells staff once, flags a high-value one (converted to the base
// currency, USD here, with EUR at 1.08), and sends the customer the invoice.
func TestOrderNotices(t *testing.T) {
	tests := []struct {
		name      string
		currency  string
		amount    int64
		threshold int64
		highValue bool
	}{
		{"ordinary", "USD", 1200, 50000, false},
		{"at the threshold", "USD", 50000, 50000, true},
		{"converted above it", "EUR", 47000, 50000, true},  // 470.00 EUR = 507.60 USD
		{"converted below it", "EUR", 46000, 50000, false}, // 496.80 USD
		{"alert off", "USD", 900000, 0, false},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			app := testutil.NewApp(t)
			rec, err := settings.Record(app)
			if err != nil {
				t.Fatal(err)
			}
			rec.Set("high_value_order_threshold", tc.threshold)
			rec.Set("tax_enabled", false)
			if err := app.Save(rec); err != nil {
				t.Fatal(err)
			}
			customer := testutil.Customer(t, app, fmt.Sprintf("c%d@example.com", i), tc.currency)
			_, price := testutil.Plan(t, app, "p", tc.currency, tc.amount)
			res, err := orders.Place(context.Background(), app, customer, orders.Request{PlanPrice: price.Id}, orders.By{}, time.Now().UTC())
			if err != nil {
				t.Fatal(err)
			}
			count := func(template string) int {
				n, _ := app.CountRecords("outbox", dbx.HashExp{"template": template})
				return int(n)
			}
			if count("new_order") != 1 {
				t.Errorf("%d new-order notices", count("new_order"))
			}
			if want := map[bool]int{true: 1, false: 0}[tc.highValue]; count("high_value_order") != want {
				t.Errorf("%d high-value notices, want %d", count("high_value_order"), want)
			}
			issued, err := app.FindAllRecords("outbox", dbx.HashExp{"template": "invoice_issued"})
			if err != nil || len(issued) != 1 {
				t.Fatalf("%d invoice emails, %v", len(issued), err)
			}
			m := issued[0]
			if m.GetString("recipient") != customer.Email() || m.GetString("dedupe_key") != "invoice:"+res.Invoice.Id+":issued" ||
				!strings.Contains(m.GetString("attachments"), res.Invoice.Id) || !strings.Contains(m.GetString("facts"), "/billing/invoices/"+res.Invoice.Id) {
				t.Errorf("invoice email %v", m.FieldsData())
			}
		})
	}
}
