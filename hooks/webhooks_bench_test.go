package hooks_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ezscale/ezscale/billing/orders"
	"github.com/ezscale/ezscale/integrations/stripe"
	"github.com/ezscale/ezscale/internal/testutil"
)

// BenchmarkStripeWebhook measures verified, stored, idempotent payment
// events per second: each delivery pays one invoice (payment row,
// fulfilment, provisioning job), sent by 4 concurrent clients.
func BenchmarkStripeWebhook(b *testing.B) {
	app, api := stripeApp(b)
	b.StopTimer()
	customer := testutil.Customer(b, app, "bench@example.com", "USD")
	_, price := testutil.Plan(b, app, "vps", "USD", 1200)
	type delivery struct {
		body []byte
		sig  string
	}
	deliveries := make([]delivery, b.N)
	for i := range deliveries {
		res, err := orders.Place(context.Background(), app, customer, orders.Request{PlanPrice: price.Id}, orders.By{}, time.Now().UTC())
		if err != nil {
			b.Fatal(err)
		}
		body := paymentSucceeded(fmt.Sprintf("evt_bench_%d", i), fmt.Sprintf("pi_bench_%d", i), res.Invoice.Id, customer.Id, 1200)
		deliveries[i] = delivery{body, stripe.SignPayload(webhookSecret, body, time.Now())}
	}
	next := make(chan delivery, len(deliveries))
	for _, d := range deliveries {
		next <- d
	}
	close(next)
	b.StartTimer()
	started := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for d := range next {
				if code := deliver(api.Handler(), d.body, d.sig); code != 200 {
					b.Errorf("delivery answered %d", code)
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(started).Seconds(), "events/s")
}
