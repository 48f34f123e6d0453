package methods_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/methods"
	"github.com/ezscale/ezscale/billing/orders"
	"github.com/ezscale/ezscale/integrations/gateway"
	"github.com/ezscale/ezscale/integrations/stripe"
	"github.com/ezscale/ezscale/internal/testutil"
)

var ctx = context.Background()

// fakeStripe keeps cards in memory the way Stripe would.
type fakeStripe struct {
	cards    []stripe.PaymentMethod
	detached []string
	defaults []string
	charge   gateway.ChargeResult
	keys     []string
}

func (f *fakeStripe) EnsureCustomer(_ context.Context, existing string, info stripe.CustomerInfo) (string, error) {
	if existing != "" {
		return existing, nil
	}
	return "cus_" + info.ID, nil
}
func (f *fakeStripe) CreateSetupIntent(context.Context, string) (string, string, error) {
	return "seti_secret", "seti_1", nil
}
func (f *fakeStripe) ListPaymentMethods(context.Context, string) ([]stripe.PaymentMethod, error) {
	return f.cards, nil
}
func (f *fakeStripe) DetachPaymentMethod(_ context.Context, id string) error {
	f.detached = append(f.detached, id)
	return nil
}
func (f *fakeStripe) SetDefaultPaymentMethod(_ context.Context, _, pm string) error {
	f.defaults = append(f.defaults, pm)
	return nil
}
func (f *fakeStripe) Charge(_ context.Context, req gateway.ChargeRequest) (gateway.ChargeResult, error) {
	f.keys = append(f.keys, req.IdempotencyKey)
	return f.charge, nil
}

func TestCardsFollowStripe(t *testing.T) {
	app := testutil.NewApp(t)
	c := testutil.Customer(t, app, "a@example.com", "USD")
	fs := &fakeStripe{}
	if secret, err := methods.Setup(ctx, app, fs, c); err != nil || secret != "seti_secret" {
		t.Fatalf("setup: %q %v", secret, err)
	}
	c, _ = app.FindRecordById("customers", c.Id)
	if c.GetString("stripe_customer_id") != "cus_"+c.Id {
		t.Fatalf("stripe customer not stored: %q", c.GetString("stripe_customer_id"))
	}
	fs.cards = []stripe.PaymentMethod{{ID: "pm_1", Brand: "visa", Last4: "4242", ExpMonth: 12, ExpYear: 2030}, {ID: "pm_2", Brand: "amex", Last4: "0005"}}
	if err := methods.Sync(ctx, app, fs, c); err != nil {
		t.Fatal(err)
	}
	recs, _ := app.FindRecordsByFilter(methods.Collection, "customer = {:c}", "last4", 0, 0, map[string]any{"c": c.Id})
	if len(recs) != 2 || recs[1].GetString("last4") != "4242" || !recs[1].GetBool("is_default") || recs[0].GetBool("is_default") {
		t.Fatalf("synced cards: %v", recs)
	}
	if err := methods.MakeDefault(ctx, app, fs, c, recs[0].Id); err != nil {
		t.Fatal(err)
	}
	other := testutil.Customer(t, app, "b@example.com", "USD")
	if err := methods.Remove(ctx, app, fs, other.Id, recs[0].Id); !errors.Is(err, methods.ErrNotFound) {
		t.Errorf("removing someone else's card: %v", err)
	}
	fs.cards = fs.cards[1:] // pm_1 removed in Stripe's dashboard
	if err := methods.Sync(ctx, app, fs, c); err != nil {
		t.Fatal(err)
	}
	if n, _ := app.CountRecords(methods.Collection); n != 1 {
		t.Errorf("%d cards after the removal", n)
	}
}

func TestPayNow(t *testing.T) {
	app := testutil.NewApp(t)
	c := testutil.Customer(t, app, "a@example.com", "USD")
	_, price := testutil.Plan(t, app, "vps", "USD", 1200)
	res, err := orders.Place(ctx, app, c, orders.Request{PlanPrice: price.Id}, orders.By{}, time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	testutil.Create(t, app, methods.Collection, map[string]any{"customer": c.Id, "gateway": "stripe", "gateway_ref": "pm_1", "is_default": true})
	fs := &fakeStripe{charge: gateway.ChargeResult{GatewayID: "pi_d", Status: gateway.StatusFailed, FailureCode: "card_declined"}}
	other := testutil.Customer(t, app, "b@example.com", "USD")
	if _, err := methods.PayNow(ctx, app, map[string]gateway.Charger{"stripe": fs}, other, res.Invoice.Id, ""); !errors.Is(err, methods.ErrNotFound) {
		t.Errorf("paying someone else's invoice: %v", err)
	}
	if r, err := methods.PayNow(ctx, app, map[string]gateway.Charger{"stripe": fs}, c, res.Invoice.Id, ""); err != nil || r.Status != gateway.StatusFailed {
		t.Fatalf("declined: %+v %v", r, err)
	}
	fs.charge = gateway.ChargeResult{GatewayID: "pi_ok", Status: gateway.StatusSucceeded}
	if _, err := methods.PayNow(ctx, app, map[string]gateway.Charger{"stripe": fs}, c, res.Invoice.Id, ""); err != nil {
		t.Fatal(err)
	}
	inv, _ := ledger.FindInvoice(app, res.Invoice.Id)
	if inv.Status() != ledger.StatusPaid || fs.keys[0] == fs.keys[1] {
		t.Errorf("after paying: %s, keys %v", inv.Status(), fs.keys)
	}
	if _, err := methods.PayNow(ctx, app, map[string]gateway.Charger{"stripe": fs}, c, res.Invoice.Id, ""); !errors.Is(err, methods.ErrNothingDue) {
		t.Errorf("paying a paid invoice: %v", err)
	}
}
