package hooks_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/integrations/paypal"
	"github.com/ezscale/ezscale/internal/testutil"
)

// TestOnePayPalSubscriptionPerService: a service PayPal pays already is not
// offered a second PayPal subscription (each would bill every cycle), and
// one activated anyway does not replace the first: staff are told to
// cancel one.
func TestOnePayPalSubscriptionPerService(t *testing.T) {
	sim, base, app, api := paypalWorld(t)
	alice := testutil.Customer(t, app, "alice@example.com", "USD")
	token := testutil.Token(t, alice)
	_, price := testutil.Plan(t, app, "vps", "USD", 1500)
	res := api.Do(http.MethodPost, "/api/orders", token, map[string]any{"plan_price": price.Id})
	if res.Status != http.StatusCreated {
		t.Fatalf("order: %d %s", res.Status, res.Body)
	}
	body := res.Object(t)
	subID := body["subscription"].(map[string]any)["id"].(string)
	svcID := body["service"].(map[string]any)["id"].(string)

	client, err := paypal.New(paypal.Config{ClientID: "cid", ClientSecret: "secret", WebhookID: "WH-ID", APIBase: base})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	planID, err := client.EnsurePlan(ctx, paypal.PlanSpec{PlanPriceID: price.Id, Name: "VPS", Amount: money.MustNew(1500, "USD"), IntervalUnit: "MONTH"})
	if err != nil {
		t.Fatal(err)
	}
	subscribe := func() string {
		id, _, err := client.CreateSubscription(ctx, planID, subID, paypal.SubscriptionOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if err := sim.Approve(id); err != nil {
			t.Fatal(err)
		}
		for _, d := range sim.Events() {
			if code := deliverPayPal(api.Handler(), d); code != 200 {
				t.Errorf("%s: %d", d.Type, code)
			}
		}
		return id
	}
	first := subscribe()
	sub, _ := app.FindRecordById("subscriptions", subID)
	if sub.GetString("paypal_subscription_id") != first {
		t.Fatalf("first PayPal subscription not linked: %q", sub.GetString("paypal_subscription_id"))
	}

	if r := api.Do(http.MethodPost, "/api/services/"+svcID+"/paypal-subscription", token, nil); r.Status != http.StatusConflict {
		t.Errorf("a second PayPal subscription offered: %d %s", r.Status, r.Body)
	}

	second := subscribe() // made at PayPal some other way, and activated
	sub, _ = app.FindRecordById("subscriptions", subID)
	if got := sub.GetString("paypal_subscription_id"); got != first {
		t.Errorf("the link moved from %s to %q when %s was activated", first, got, second)
	}
	if _, err := app.FindFirstRecordByFilter("outbox", "template = 'paypal_second_subscription' && body_text ~ {:p}", map[string]any{"p": second}); err != nil {
		t.Errorf("staff were not told of the second PayPal subscription: %v", err)
	}
}
