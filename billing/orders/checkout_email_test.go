package orders_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/billing/orders"
	"github.com/ezscale/ezscale/billing/payments"
	"github.com/ezscale/ezscale/integrations/notify"
	"github.com/ezscale/ezscale/integrations/outbox"
	"github.com/ezscale/ezscale/internal/testutil"
)

// inbox records the emails delivery sends, by template.
type inbox []string

func (b *inbox) Send(_ context.Context, m *outbox.Outgoing) (string, error) {
	*b = append(*b, m.Template)
	return "sent-" + m.ID, nil
}

// deliverAt sends every email due at now to b.
func deliverAt(t *testing.T, app core.App, b *inbox, now time.Time) {
	t.Helper()
	d := &outbox.Deliverer{App: app, Email: b, Now: func() time.Time { return now }}
	for {
		n, err := d.Pass(context.Background(), outbox.ChannelEmail)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

// TestCheckoutSendsOneEmail: an order paid at checkout gets the receipt
// and no invoice email before it; an order left unpaid gets its invoice
// once the short wait is over, and one paid during the wait gets only the
// receipt.
func TestCheckoutSendsOneEmail(t *testing.T) {
	tests := []struct {
		name   string
		payAt  time.Duration // after the order; <0: never
		before []string      // emails sent just before the wait ends
		after  []string      // emails sent in all once it has ended
	}{
		{"paid at once", 0, []string{"payment_received"}, []string{"payment_received"}},
		{"paid during the wait", notify.OrderInvoiceDelay / 2, []string{"payment_received"}, []string{"payment_received"}},
		{"left unpaid", -1, nil, []string{"invoice_issued"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			app := testutil.NewApp(t)
			customer := testutil.Customer(t, app, "buyer@example.com", "USD")
			_, price := testutil.Plan(t, app, "p", "USD", 1200)
			ordered := time.Now().UTC()
			res, err := orders.Place(context.Background(), app, customer, orders.Request{PlanPrice: price.Id}, orders.By{}, ordered)
			if err != nil {
				t.Fatal(err)
			}
			var sent inbox
			deliverAt(t, app, &sent, ordered.Add(time.Second))
			if tc.payAt >= 0 {
				deliverAt(t, app, &sent, ordered.Add(tc.payAt))
				err := app.RunInTransaction(func(tx core.App) error {
					inv, err := ledger.FindInvoice(tx, res.Invoice.Id)
					if err != nil {
						return err
					}
					_, _, err = payments.ApplyCharge(context.Background(), tx, payments.Charge{InvoiceID: inv.Id, Gateway: payments.GatewayManual,
						Amount: money.MustNew(inv.AmountDue(), inv.Currency())})
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			deliverAt(t, app, &sent, ordered.Add(notify.OrderInvoiceDelay-time.Second))
			if !same(sent, tc.before) {
				t.Errorf("before the wait ended: %v, want %v", sent, tc.before)
			}
			deliverAt(t, app, &sent, ordered.Add(notify.OrderInvoiceDelay+time.Minute))
			if !same(sent, tc.after) {
				t.Errorf("emails %v, want %v", sent, tc.after)
			}
		})
	}
}

// same compares the emails sent with want, in any order.
func same(got inbox, want []string) bool {
	g, w := slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))
	return slices.Equal(g, w)
}
