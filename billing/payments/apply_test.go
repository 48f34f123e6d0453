package payments_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/billing/orders"
	"github.com/ezscale/ezscale/billing/payments"
	"github.com/ezscale/ezscale/internal/testutil"
)

var ctx = context.Background()

type world struct {
	app      core.App
	customer *core.Record
	order    *orders.Result
}

// newWorld places an order of 17.00 USD (5.00 setup + 12.00 first month).
func newWorld(t *testing.T) *world {
	t.Helper()
	app := testutil.NewApp(t)
	plan := testutil.Create(t, app, "plans", map[string]any{"name": "VPS", "slug": "vps", "service_type": "vps", "platform": "virtfusion", "status": "active"})
	price := testutil.Create(t, app, "plan_prices", map[string]any{"plan": plan.Id, "currency": "USD", "cycle": "monthly", "amount": 1200, "setup_fee": 500, "active": true})
	c := testutil.Customer(t, app, "a@example.com", "USD")
	res, err := orders.Place(ctx, app, c, orders.Request{PlanPrice: price.Id}, orders.By{}, time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	return &world{app: app, customer: c, order: res}
}

func (w *world) pay(t *testing.T, gatewayID string, minor int64, currency string) (*core.Record, bool, error) {
	t.Helper()
	var p *core.Record
	var applied bool
	err := w.app.RunInTransaction(func(tx core.App) error {
		var err error
		p, applied, err = payments.ApplyCharge(ctx, tx, payments.Charge{InvoiceID: w.order.Invoice.Id, Gateway: payments.GatewayStripe,
			GatewayID: gatewayID, Amount: money.Amount{Minor: minor, Currency: currency}})
		return err
	})
	return p, applied, err
}

func (w *world) count(t *testing.T, collection, filter string) int {
	t.Helper()
	recs, err := w.app.FindRecordsByFilter(collection, filter, "", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return len(recs)
}

func TestPaymentActivatesAndQueuesOnce(t *testing.T) {
	w := newWorld(t)
	if _, applied, err := w.pay(t, "pi_1", 1700, "USD"); err != nil || !applied {
		t.Fatalf("pay: %v %v", applied, err)
	}
	inv, _ := ledger.FindInvoice(w.app, w.order.Invoice.Id)
	if inv.Status() != ledger.StatusPaid || inv.AmountDue() != 0 || inv.GetInt64("amount_paid") != 1700 {
		t.Fatalf("invoice: %s due %d paid %d", inv.Status(), inv.AmountDue(), inv.GetInt64("amount_paid"))
	}
	sub, _ := w.app.FindRecordById("subscriptions", w.order.Subscription.Id)
	svc, _ := w.app.FindRecordById("services", w.order.Service.Id)
	order, _ := w.app.FindRecordById("orders", w.order.Order.Id)
	if sub.GetString("status") != "active" || svc.GetString("status") != "provisioning" || order.GetString("status") != "active" {
		t.Errorf("after payment: subscription %s service %s order %s", sub.GetString("status"), svc.GetString("status"), order.GetString("status"))
	}
	if n := w.count(t, "provisioning_jobs", "action = 'create'"); n != 1 {
		t.Errorf("%d create jobs", n)
	}
	if w.count(t, "outbox", "template = 'payment_received'") != 1 || w.count(t, "outbox", "template = 'invoice_paid'") != 1 {
		t.Error("want one receipt and one staff notice")
	}

	// The same charge again (a replayed webhook) changes nothing.
	if _, applied, err := w.pay(t, "pi_1", 1700, "USD"); err != nil || applied {
		t.Errorf("replay: applied %v err %v", applied, err)
	}
	if n := w.count(t, "payments", "gateway_id = 'pi_1'"); n != 1 {
		t.Errorf("%d payment rows for one charge", n)
	}
}

func TestSameChargeDeliveredConcurrently(t *testing.T) {
	w := newWorld(t)
	var wg sync.WaitGroup
	applied := make(chan bool, 50)
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, ok, err := w.pay(t, "pi_same", 1700, "USD")
			if err != nil {
				t.Error(err)
			}
			applied <- ok
		}()
	}
	wg.Wait()
	close(applied)
	n := 0
	for ok := range applied {
		if ok {
			n++
		}
	}
	if n != 1 || w.count(t, "payments", "") != 1 || w.count(t, "provisioning_jobs", "") != 1 {
		t.Errorf("50 deliveries: applied %d, %d payments, %d jobs", n, w.count(t, "payments", ""), w.count(t, "provisioning_jobs", ""))
	}
}

func TestPartialPaymentsAndOverpayment(t *testing.T) {
	w := newWorld(t)
	steps := []struct {
		id     string
		amount int64
		status string
		due    int64
		credit int64
	}{
		{"pi_a", 700, ledger.StatusOpen, 1000, 0},
		{"pi_b", 1500, ledger.StatusPaid, 0, 500}, // 1000 due, 500 too much
		{"pi_c", 300, ledger.StatusPaid, 0, 800},  // after payment: all credit
	}
	for _, s := range steps {
		if _, _, err := w.pay(t, s.id, s.amount, "USD"); err != nil {
			t.Fatal(err)
		}
		inv, _ := ledger.FindInvoice(w.app, w.order.Invoice.Id)
		bal, _ := ledger.Balance(w.app, w.customer.Id, "USD")
		if inv.Status() != s.status || inv.AmountDue() != s.due || bal != s.credit {
			t.Errorf("after %s: status %s due %d credit %d, want %s %d %d", s.id, inv.Status(), inv.AmountDue(), bal, s.status, s.due, s.credit)
		}
	}
}

func TestRefusedCharges(t *testing.T) {
	w := newWorld(t)
	for name, tc := range map[string]struct {
		minor    int64
		currency string
	}{
		"negative":         {-100, "USD"},
		"zero":             {0, "USD"},
		"foreign currency": {1700, "EUR"},
	} {
		if _, _, err := w.pay(t, "pi_"+name, tc.minor, tc.currency); !errors.Is(err, payments.ErrInvalid) {
			t.Errorf("%s: want ErrInvalid, got %v", name, err)
		}
	}
	if n := w.count(t, "payments", ""); n != 0 {
		t.Errorf("refused charges wrote %d payments", n)
	}
	inv, _ := ledger.FindInvoice(w.app, w.order.Invoice.Id)
	if inv.Status() != ledger.StatusOpen {
		t.Errorf("status %s", inv.Status())
	}
}

func TestRenewalPaymentLiftsOnlyOverdueSuspensions(t *testing.T) {
	for _, reason := range []string{"overdue", "staff", "abuse"} {
		t.Run(reason, func(t *testing.T) {
			w := newWorld(t)
			svc, _ := w.app.FindRecordById("services", w.order.Service.Id)
			svc.Set("status", "suspended")
			svc.Set("suspend_reason", reason)
			if err := w.app.Save(svc); err != nil {
				t.Fatal(err)
			}
			if _, _, err := w.pay(t, "pi_"+reason, 1700, "USD"); err != nil {
				t.Fatal(err)
			}
			want := map[string]int{"overdue": 1, "staff": 0, "abuse": 0}[reason]
			if n := w.count(t, "provisioning_jobs", fmt.Sprintf("action = 'unsuspend' && service = '%s'", svc.Id)); n != want {
				t.Errorf("%s suspension: %d unsuspend jobs, want %d", reason, n, want)
			}
		})
	}
}
