package webhooks_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledgercheck"
	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/billing/payments"
	"github.com/ezscale/ezscale/billing/staffinvoices"
	"github.com/ezscale/ezscale/billing/webhooks"
	"github.com/ezscale/ezscale/integrations/gateway"
	"github.com/ezscale/ezscale/internal/audit"
	"github.com/ezscale/ezscale/internal/testutil"
)

// A refund staff paid into credit never reached Stripe: when Stripe later
// reports a refund made in its dashboard, its refunded total is compared
// with Stripe's own refunds only, so that refund is recorded, not taken
// for the credit one.
func TestStripeRefundBesideARefundToCredit(t *testing.T) {
	ctx := context.Background()
	app := testutil.NewApp(t)
	c := testutil.Customer(t, app, "a@example.com", "USD")
	staff := staffinvoices.Staff{Actor: audit.Actor{Kind: audit.KindSuperuser, ID: testutil.Superuser(t, app, "s@example.com").Id}}
	inv, err := staff.CreateInvoice(ctx, app, staffinvoices.NewInvoice{Customer: c.Id, Currency: "USD",
		Lines: []staffinvoices.Line{{Description: "Work", Quantity: 1, UnitAmount: 3000}}})
	if err != nil {
		t.Fatal(err)
	}
	if inv, err = staff.Issue(ctx, app, inv.Id); err != nil {
		t.Fatal(err)
	}
	var charge *core.Record
	err = app.RunInTransaction(func(tx core.App) error {
		var err error
		charge, _, err = payments.ApplyCharge(ctx, tx, payments.Charge{InvoiceID: inv.Id, Gateway: payments.GatewayStripe,
			GatewayID: "pi_credit", Amount: money.MustNew(inv.AmountDue(), "USD")})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := staff.Refund(ctx, app, nil, inv.Id, staffinvoices.Refund{Payment: charge.Id, Amount: 1000, Currency: "USD",
		Reason: "Outage", To: staffinvoices.RefundToCredit}); err != nil {
		t.Fatal(err)
	}

	payload := fmt.Sprintf(`{"id":"evt_dash","object":"event","type":"charge.refunded","data":{"object":{"object":"charge",
		"amount":%d,"amount_refunded":500,"currency":"usd","payment_intent":"pi_credit","metadata":{"invoice_id":%q}}}}`, charge.GetInt64("amount"), inv.Id)
	out, err := webhooks.Receive(app, "stripe", gateway.Event{ID: "evt_dash", Type: "charge.refunded", Payload: []byte(payload)}, webhooks.HandleStripe)
	if err != nil || out.Status != webhooks.StatusProcessed {
		t.Fatalf("event: %+v %v", out, err)
	}
	n, err := app.CountRecords(payments.Collection, dbx.HashExp{"refund_of": charge.Id, "gateway": payments.GatewayStripe, "amount": 500, "status": "succeeded"})
	if err != nil || n != 1 {
		t.Errorf("%d refunds of 5.00 at Stripe recorded (%v), want 1", n, err)
	}
	rep, err := ledgercheck.Run(app)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range rep.Violations {
		t.Errorf("ledger check: %s", v)
	}
}
