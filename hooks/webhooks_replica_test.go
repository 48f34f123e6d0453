package hooks_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/integrations/stripe"
	"github.com/ezscale/ezscale/internal/replication"
	"github.com/ezscale/ezscale/internal/testutil"
)

// TestWebhookAnsweredOnlyOnceReplicated: with replication configured, a
// payment event is applied at once but answered 200 only when the replica
// holds it; while the storage cannot be reached the gateway gets 503 and
// redelivers, and the redelivery is a duplicate that pays nothing twice.
// It used to answer 200 straight away, so a machine lost in the next second
// took a payment the gateway would never send again.
func TestWebhookAnsweredOnlyOnceReplicated(t *testing.T) {
	app, api := stripeApp(t)
	alice := testutil.Customer(t, app, "alice@example.com", "USD")
	_, price := testutil.Plan(t, app, "vps", "USD", 1200)
	res := api.Do(http.MethodPost, "/api/orders", testutil.Token(t, alice), map[string]any{"plan_price": price.Id})
	if res.Status != http.StatusCreated {
		t.Fatalf("order: %d %s", res.Status, res.Body)
	}
	invID := res.Object(t)["invoice"].(map[string]any)["id"].(string)

	unreachable := replication.Config{Bucket: "ezscale", Path: "db", Endpoint: "http://127.0.0.1:1", Region: "us-east-1",
		AccessKey: "k", SecretKey: "s", MaxLag: time.Minute}
	r := replication.Start(app.DataDir(), unreachable, slog.New(slog.NewTextHandler(io.Discard, nil)), nil, nil)
	t.Cleanup(func() { _ = r.Close(context.Background()) })
	replication.Register(app, r)

	body := paymentSucceeded("evt_replica", "pi_replica", invID, alice.Id, 1200)
	sig := stripe.SignPayload(webhookSecret, body, time.Now())
	for attempt := 1; attempt <= 2; attempt++ {
		if got := deliver(api.Handler(), body, sig); got != http.StatusServiceUnavailable {
			t.Fatalf("delivery %d with the replica unreachable: %d, want 503", attempt, got)
		}
	}
	if inv, _ := ledger.FindInvoice(app, invID); inv.Status() != ledger.StatusPaid {
		t.Errorf("invoice %s after the event was stored, want paid", inv.Status())
	}

	replication.Register(app, nil) // replication off: nothing to wait for
	if got := deliver(api.Handler(), body, sig); got != http.StatusOK {
		t.Fatalf("redelivery: %d, want 200", got)
	}
	if n, _ := app.CountRecords("payments"); n != 1 {
		t.Errorf("%d payments after three deliveries of one event, want 1", n)
	}
}
