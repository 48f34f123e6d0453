package hooks_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"github.com/ezscale/ezscale/billing/orders"
	"github.com/ezscale/ezscale/integrations/stripe"
	"github.com/ezscale/ezscale/internal/testutil"
)

// BenchmarkStripeWebhook measures verified, stored, idempotent payment
// events per second: each delivery pays one invoice (payment row,
// fulfilment, provisioning job), sent by 4 concurrent clients. It fails
// unless every event paid its invoice and queued its service once.
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
	invoices := make([]any, b.N)
	for i := range deliveries {
		res, err := orders.Place(context.Background(), app, customer, orders.Request{PlanPrice: price.Id}, orders.By{}, time.Now().UTC())
		if err != nil {
			b.Fatal(err)
		}
		invoices[i] = res.Invoice.Id
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
	elapsed := time.Since(started)
	b.StopTimer()
	// Answered 200 is not enough: a failed event is stored and answered 200.
	paid, err := app.CountRecords("invoices", dbx.HashExp{"id": invoices, "status": "paid"})
	if err != nil {
		b.Fatal(err)
	}
	if paid != int64(b.N) {
		b.Fatalf("%d of %d events paid their invoice", paid, b.N)
	}
	if jobs, err := app.CountRecords("provisioning_jobs"); err != nil || jobs != int64(b.N) {
		b.Fatalf("%d provisioning jobs for %d paid orders (%v)", jobs, b.N, err)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "events/s")
}
