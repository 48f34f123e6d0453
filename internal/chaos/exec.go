package chaos

import (
	"fmt"

	"github.com/pocketbase/dbx"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// runStep runs a step's actions at the same time, then collects the
// webhooks they caused.
func (w *world) runStep(st Step) error {
	var wg sync.WaitGroup
	errs := make([]error, len(st.Actions))
	for i, a := range st.Actions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = w.run(a)
		}()
	}
	wg.Wait()
	w.collect()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// run does one action through the app's real routes and entry points. The
// app refusing an action is normal (nothing to pay, a change pending); only
// a failure of the harness itself is an error.
func (w *world) run(a Action) error {
	cust, tok := w.customers[a.Customer], w.tokens[a.Customer]
	openInvoice := func(n int) string { return w.nth("invoices", cust, " && status = 'open'", n) }
	switch a.Kind {
	case Order:
		body := map[string]any{"plan_price": w.prices[a.Plan]}
		if code := coupons[a.Coupon]; code != "" {
			body["coupon"] = code
		}
		w.call(http.MethodPost, "/api/orders", tok, body)
	case PayNow:
		if inv := openInvoice(a.Target); inv != "" {
			w.call(http.MethodPost, "/api/invoices/"+inv+"/pay", tok, nil)
		}
	case PayPalPay:
		w.payPal(a, cust, tok, openInvoice)
	case PayCredit:
		if inv := openInvoice(a.Target); inv != "" {
			w.call(http.MethodPost, "/api/invoices/"+inv+"/pay/credit", tok, nil)
		}
	case ChangePlan:
		svc := w.nth("services", cust, "", a.Target)
		if svc == "" {
			return nil
		}
		w.parallel(a.Count, func() {
			w.call(http.MethodPost, "/api/services/"+svc+"/change-plan", tok, map[string]any{"plan_price": w.prices[a.Plan]})
		})
	case Cancel:
		if svc := w.nth("services", cust, "", a.Target); svc != "" {
			w.call(http.MethodPost, "/api/services/"+svc+"/cancel", tok, map[string]any{"when": "period_end", "reason": "too_expensive"})
		}
	case StaffCancel:
		if svc := w.nth("services", cust, "", a.Target); svc != "" {
			w.call(http.MethodPost, "/api/services/"+svc+"/cancel", w.staffToken, map[string]any{"when": "now", "credit": true, "reason": "other"})
		}
	case Void:
		if inv := openInvoice(a.Target); inv != "" {
			w.call(http.MethodPatch, "/api/collections/invoices/records/"+inv, w.staffToken, map[string]any{"status": "void"})
		}
	case Refund:
		w.refund(a, cust)
	case GiveCredit:
		code, _ := w.call(http.MethodPost, "/api/collections/credit_entries/records", w.staffToken, map[string]any{
			"customer": cust, "currency": currency, "amount": a.Amount, "reason": "manual", "description": "chaos goodwill"})
		if code == http.StatusOK {
			w.mu.Lock()
			w.staffCredit[cust] += a.Amount
			w.mu.Unlock()
		}
	case SetCard:
		pm, err := w.app.FindFirstRecordByFilter("payment_methods", "customer = {:c} && is_default = true", dbx.Params{"c": cust})
		if err != nil {
			return nil // the customer removed it
		}
		pm.Set("gateway_ref", fmt.Sprintf("pm_%s_%d", a.Card, a.Customer))
		return w.app.Save(pm)
	case Webhooks:
		w.deliverSome(a.Seed)
	case Advance:
		w.advance(time.Duration(a.Hours) * time.Hour)
		w.collect()
		return w.runJobs()
	case PlatformFaults:
		w.platform.setFaults(a.Fail, a.Lose)
		return w.work()
	}
	return nil
}

func (w *world) parallel(n int, f func()) {
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f()
		}()
	}
	wg.Wait()
}

// payPal checks out an invoice at PayPal, approves it as the buyer would,
// and captures it, against another open invoice when the action says so.
// Every fifth capture loses its answer after PayPal captured.
func (w *world) payPal(a Action, cust, tok string, openInvoice func(int) string) {
	inv := openInvoice(a.Target)
	if inv == "" {
		return
	}
	code, out := w.call(http.MethodPost, "/api/invoices/"+inv+"/paypal", tok, nil)
	orderID, _ := out["order_id"].(string)
	if code != http.StatusOK || orderID == "" {
		return
	}
	w.mu.Lock()
	w.ppOrders[orderID] = inv
	w.mu.Unlock()
	if err := w.paypal.Approve(orderID); err != nil {
		return
	}
	target := inv
	if a.Other >= 0 {
		if other := openInvoice(a.Other); other != "" {
			target = other
		}
	}
	if a.Seed%5 == 0 {
		w.paypal.DropNextResponse()
	}
	w.call(http.MethodPost, "/api/invoices/"+target+"/paypal/capture", tok, map[string]string{"order_id": orderID})
}

// refund refunds a share of one of the customer's charges, Count times at
// once.
func (w *world) refund(a Action, cust string) {
	id := w.nth("payments", cust, " && kind = 'charge' && status = 'succeeded' && (gateway = 'stripe' || gateway = 'paypal')", a.Target)
	if id == "" {
		return
	}
	pay, err := w.app.FindRecordById("payments", id)
	if err != nil {
		return
	}
	amount := pay.GetInt("amount") * int(a.Amount) / 100
	if amount <= 0 {
		amount = 1
	}
	if a.Race && pay.GetString("gateway") == "stripe" {
		w.stripe.raceNextRefund()
	}
	w.parallel(a.Count, func() {
		w.call(http.MethodPost, "/api/staff/payments/"+id+"/refund", w.staffToken, map[string]any{"amount": amount, "reason": "requested_by_customer"})
	})
}

// deliverSome delivers the pending webhooks in a shuffled order, some
// twice at once, and holds a quarter back for a later step. A delivery
// the app does not accept stays pending, as the gateway retries it.
func (w *world) deliverSome(seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 7))
	w.mu.Lock()
	batch := w.pending
	w.pending = nil
	w.mu.Unlock()
	rng.Shuffle(len(batch), func(i, j int) { batch[i], batch[j] = batch[j], batch[i] })
	var send, keep []delivery
	for _, d := range batch {
		switch r := rng.IntN(100); {
		case r < 25:
			keep = append(keep, d)
		case r < 50:
			send = append(send, d, d)
		default:
			send = append(send, d)
		}
	}
	failed := w.deliverAll(send)
	w.mu.Lock()
	w.pending = append(append(w.pending, keep...), failed...)
	w.mu.Unlock()
}

// deliverAll posts deliveries four at a time and returns those refused.
func (w *world) deliverAll(send []delivery) []delivery {
	var mu sync.Mutex
	var failed []delivery
	seen := map[string]bool{}
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for _, d := range send {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if code := w.deliver(d); code != http.StatusOK {
				mu.Lock()
				if !seen[d.Gateway+d.ID] {
					seen[d.Gateway+d.ID] = true
					failed = append(failed, d)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return failed
}

// drain delivers everything still owed, once each, as the gateways
// eventually do.
func (w *world) drain() {
	w.collect()
	w.mu.Lock()
	batch := w.pending
	w.pending = nil
	w.mu.Unlock()
	w.deliverAll(batch)
	w.collect()
}
