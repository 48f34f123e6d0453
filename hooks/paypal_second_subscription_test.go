package hooks_test

import (
	"net/http"
	"testing"

	"github.com/ezscale/ezscale/internal/testutil"
)

// TestOnePayPalSubscriptionPerService: a service PayPal pays already is not
// offered a second PayPal subscription (each would bill every cycle), and
// one activated anyway does not replace the first: staff are told to
// cancel one.
func TestOnePayPalSubscriptionPerService(t *testing.T) {
	w := newPayPalSubscriptionWorld(t)
	app, api, subID := w.app, w.api, w.subID
	token := testutil.Token(t, w.customer)
	svcID := w.order["service"].(map[string]any)["id"].(string)
	first := w.subscribe(t)
	sub, _ := app.FindRecordById("subscriptions", subID)
	if sub.GetString("paypal_subscription_id") != first {
		t.Fatalf("first PayPal subscription not linked: %q", sub.GetString("paypal_subscription_id"))
	}

	if r := api.Do(http.MethodPost, "/api/services/"+svcID+"/paypal-subscription", token, nil); r.Status != http.StatusConflict {
		t.Errorf("a second PayPal subscription offered: %d %s", r.Status, r.Body)
	}

	second := w.subscribe(t) // made at PayPal some other way, and activated
	sub, _ = app.FindRecordById("subscriptions", subID)
	if got := sub.GetString("paypal_subscription_id"); got != first {
		t.Errorf("the link moved from %s to %q when %s was activated", first, got, second)
	}
	if _, err := app.FindFirstRecordByFilter("outbox", "template = 'paypal_second_subscription' && body_text ~ {:p}", map[string]any{"p": second}); err != nil {
		t.Errorf("staff were not told of the second PayPal subscription: %v", err)
	}
}
