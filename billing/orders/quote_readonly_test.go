package orders_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/orders"
	"github.com/ezscale/ezscale/internal/settings"
	"github.com/ezscale/ezscale/internal/testutil"
)

var quoteNow = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

var vpsOptions = map[string]string{"hostname": "web1.example.com", "os": "debian-12"}

// quoteCatalog makes a VPS plan with one price per currency and cycle given.
func quoteCatalog(t testing.TB, app core.App, slug string, prices map[string]int64, setup int64, extra map[string]any) map[string]*core.Record {
	t.Helper()
	plan := map[string]any{
		"name": "VPS " + slug, "slug": slug, "service_type": "vps", "platform": "virtfusion", "status": "active",
		"order_options": map[string]any{"hostname": true, "os": []string{"debian-12"}},
	}
	for k, v := range extra {
		plan[k] = v
	}
	p := testutil.Create(t, app, "plans", plan)
	out := map[string]*core.Record{}
	for key, amount := range prices {
		var currency, cyc string
		fmt.Sscanf(key, "%3s/%s", &currency, &cyc)
		out[key] = testutil.Create(t, app, "plan_prices", map[string]any{"plan": p.Id, "currency": currency, "cycle": cyc,
			"amount": amount, "setup_fee": setup, "active": true})
	}
	return out
}

func setQuoteSettings(t testing.TB, app core.App, values map[string]any) {
	t.Helper()
	rec, err := settings.Record(app)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range values {
		rec.Set(k, v)
	}
	if err := app.Save(rec); err != nil {
		t.Fatalf("settings %v: %v", values, err)
	}
}

// invoiceView is what a customer is shown of an invoice and its lines.
func invoiceView(inv *core.Record, items []*core.Record) string {
	s := fmt.Sprintf("%s %s number=%q proforma=%q subtotal=%d discount=%d tax=%d total=%d credit=%d due=%d rc=%v summary=%s due_at=%s\n",
		inv.GetString("status"), inv.GetString("currency"), inv.GetString("number"), inv.GetString("proforma_number"),
		inv.GetInt64("subtotal"), inv.GetInt64("discount_total"), inv.GetInt64("tax_total"), inv.GetInt64("total"),
		inv.GetInt64("credit_applied"), inv.GetInt64("amount_due"), inv.GetBool("reverse_charge"), inv.GetString("tax_summary"),
		inv.GetDateTime("due_at").String())
	lines := make([]string, 0, len(items))
	for _, it := range items {
		lines = append(lines, fmt.Sprintf("  %s %q q=%d unit=%d amount=%d tax=%d incl=%v rate=%d\n", it.GetString("kind"), it.GetString("description"),
			it.GetInt64("quantity"), it.GetInt64("unit_amount"), it.GetInt64("amount"), it.GetInt64("tax_amount"),
			it.GetBool("tax_inclusive"), it.GetInt64("tax_rate_value")))
	}
	// Lines saved in the same millisecond come back in id order.
	slices.Sort(lines)
	return s + strings.Join(lines, "")
}

// TestQuoteIsWhatTheOrderInvoices quotes, then places, the same order in
// many situations (plans, cycles, setup fees, coupons, currencies with
// and without a payable step, exclusive, inclusive and reverse-charged
// tax, exemption, account credit partial and whole, a wait-list, proforma
// numbering) and requires the quote to show exactly the invoice the
// order then creates, number included.
func TestQuoteIsWhatTheOrderInvoices(t *testing.T) {
	app := testutil.NewApp(t)
	ctx := context.Background()
	setQuoteSettings(t, app, map[string]any{"currencies": []string{"USD", "EUR", "GBP", "KWD"}, "exchange_rates": map[string]string{"EUR": "1.08", "GBP": "1.27", "KWD": "3.25"}, "company_country": "DE", "eu_reverse_charge": true})
	testutil.Create(t, app, "tax_rates", map[string]any{"name": "VAT 20%", "country": "GB", "rate": 20000, "active": true})
	testutil.Create(t, app, "tax_rates", map[string]any{"name": "BTW 21%", "country": "NL", "rate": 21000, "inclusive": true, "active": true})
	testutil.Create(t, app, "tax_rates", map[string]any{"name": "MwSt 19%", "country": "DE", "rate": 19000, "active": true})
	testutil.Create(t, app, "tax_rates", map[string]any{"name": "VAT", "country": "KW", "rate": 5000, "active": true})

	prices := quoteCatalog(t, app, "a", map[string]int64{"USD/monthly": 1299, "USD/annual": 12999, "EUR/monthly": 1111, "EUR/quarterly": 3333,
		"GBP/monthly": 999, "KWD/monthly": 4567, "USD/hourly": 2}, 500, nil)
	noSetup := quoteCatalog(t, app, "b", map[string]int64{"USD/monthly": 700, "EUR/monthly": 650}, 0, nil)
	dedi := quoteCatalog(t, app, "dedi", map[string]int64{"USD/monthly": 9900}, 0, map[string]any{"track_stock": true, "stock": 0, "allow_waitlist": true})
	stocked := quoteCatalog(t, app, "stocked", map[string]int64{"USD/monthly": 4900}, 1000, map[string]any{"track_stock": true, "stock": 5})

	testutil.Create(t, app, "coupons", map[string]any{"code": "TEN", "kind": "percent", "percent_off": 10, "duration": "forever", "active": true})
	testutil.Create(t, app, "coupons", map[string]any{"code": "FIVER", "kind": "fixed", "amounts_off": map[string]int64{"USD": 500, "EUR": 450, "GBP": 400, "KWD": 333}, "duration": "once", "active": true})
	testutil.Create(t, app, "coupons", map[string]any{"code": "FREE", "kind": "percent", "percent_off": 100, "duration": "once", "active": true})
	testutil.Create(t, app, "coupons", map[string]any{"code": "ONCEEACH", "kind": "percent", "percent_off": 33, "duration": "repeating", "duration_cycles": 3, "once_per_customer": true, "active": true})

	type customerSpec struct {
		currency, country, vat string
		exempt                 bool
		credit                 int64
	}
	tests := []struct {
		name     string
		customer customerSpec
		price    *core.Record
		coupon   string
		settings map[string]any
	}{
		{"usd monthly, no tax", customerSpec{currency: "USD"}, prices["USD/monthly"], "", nil},
		{"usd annual, percent coupon", customerSpec{currency: "USD"}, prices["USD/annual"], "TEN", nil},
		{"usd hourly, setup only", customerSpec{currency: "USD"}, prices["USD/hourly"], "", nil},
		{"usd, fixed coupon and partial credit", customerSpec{currency: "USD", credit: 300}, prices["USD/monthly"], "FIVER", nil},
		{"usd, credit pays it all", customerSpec{currency: "USD", credit: 50000}, noSetup["USD/monthly"], "", nil},
		{"usd, free coupon", customerSpec{currency: "USD"}, prices["USD/monthly"], "FREE", nil},
		{"gbp, exclusive vat", customerSpec{currency: "GBP", country: "GB"}, prices["GBP/monthly"], "TEN", nil},
		{"gbp, exempt", customerSpec{currency: "GBP", country: "GB", exempt: true}, prices["GBP/monthly"], "", nil},
		{"eur, inclusive vat", customerSpec{currency: "EUR", country: "NL"}, prices["EUR/quarterly"], "ONCEEACH", nil},
		{"eur, reverse charge", customerSpec{currency: "EUR", country: "NL", vat: "NL123456789B01"}, noSetup["EUR/monthly"], "FIVER", nil},
		{"eur, seller's country", customerSpec{currency: "EUR", country: "DE", vat: "DE123456789"}, prices["EUR/monthly"], "", nil},
		{"kwd, payable step rounding", customerSpec{currency: "KWD", country: "KW"}, prices["KWD/monthly"], "FIVER", nil},
		{"kwd, rounding after credit", customerSpec{currency: "KWD", country: "KW", credit: 1001}, prices["KWD/monthly"], "", nil},
		{"wait-listed dedicated", customerSpec{currency: "USD"}, dedi["USD/monthly"], "TEN", nil},
		{"stocked plan", customerSpec{currency: "USD", credit: 2000}, stocked["USD/monthly"], "TEN", nil},
		{"proforma numbering", customerSpec{currency: "GBP", country: "GB"}, prices["GBP/monthly"], "", map[string]any{"proforma_mode": true}},
		{"proforma, paid by credit", customerSpec{currency: "USD", credit: 99999}, prices["USD/monthly"], "", map[string]any{"proforma_mode": true}},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.settings != nil {
				setQuoteSettings(t, app, tc.settings)
				defer setQuoteSettings(t, app, map[string]any{"proforma_mode": false})
			}
			c := testutil.Customer(t, app, fmt.Sprintf("c%d@example.com", i), tc.customer.currency)
			if tc.customer.country != "" {
				c.Set("country", tc.customer.country)
			}
			c.Set("vat_id", tc.customer.vat)
			c.Set("tax_exempt", tc.customer.exempt)
			if err := app.Save(c); err != nil {
				t.Fatal(err)
			}
			if tc.customer.credit > 0 {
				if _, err := ledger.AddCredit(ctx, app, ledger.CreditEntry{CustomerID: c.Id, Currency: tc.customer.currency,
					Amount: tc.customer.credit, Reason: ledger.CreditManual, Description: "goodwill"}); err != nil {
					t.Fatal(err)
				}
			}
			req := orders.Request{PlanPrice: tc.price.Id, Coupon: tc.coupon, Options: vpsOptions}
			q, err := orders.Quote(ctx, app, c, req, orders.By{}, quoteNow)
			if err != nil {
				t.Fatalf("quote: %v", err)
			}
			res, err := orders.Place(ctx, app, c, req, orders.By{}, quoteNow)
			if err != nil {
				t.Fatalf("order: %v", err)
			}
			items, err := ledger.Items(app, res.Invoice.Id)
			if err != nil {
				t.Fatal(err)
			}
			quoted, ordered := invoiceView(q.Invoice, q.Items), invoiceView(res.Invoice.Record, items)
			if quoted != ordered {
				t.Errorf("the quote is not the invoice:\nquoted  %s\nordered %s", quoted, ordered)
			}
		})
	}
}

// TestQuoteRefusesWhatTheOrderRefuses: a quote refuses, with the same
// reason, what the order would refuse, and writes nothing.
func TestQuoteRefusesWhatTheOrderRefuses(t *testing.T) {
	app := testutil.NewApp(t)
	ctx := context.Background()
	prices := quoteCatalog(t, app, "a", map[string]int64{"USD/monthly": 1299}, 0, nil)
	sold := quoteCatalog(t, app, "sold", map[string]int64{"USD/monthly": 9900}, 0, map[string]any{"track_stock": true, "stock": 0})
	testutil.Create(t, app, "coupons", map[string]any{"code": "ONE", "kind": "percent", "percent_off": 10, "duration": "once", "max_uses": 1, "active": true})
	c := testutil.Customer(t, app, "c@example.com", "USD")
	other := testutil.Customer(t, app, "o@example.com", "USD")
	if _, err := orders.Place(ctx, app, other, orders.Request{PlanPrice: prices["USD/monthly"].Id, Coupon: "ONE", Options: vpsOptions}, orders.By{}, quoteNow); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		req   orders.Request
		code  string
		field string
	}{
		{"used-up coupon", orders.Request{PlanPrice: prices["USD/monthly"].Id, Coupon: "ONE", Options: vpsOptions}, "", "coupon"},
		{"unknown coupon", orders.Request{PlanPrice: prices["USD/monthly"].Id, Coupon: "NOPE", Options: vpsOptions}, "invalid", "coupon"},
		{"out of stock", orders.Request{PlanPrice: sold["USD/monthly"].Id, Options: vpsOptions}, "out_of_stock", "plan_price"},
		{"bad option", orders.Request{PlanPrice: prices["USD/monthly"].Id, Options: map[string]string{"hostname": "-x-", "os": "debian-12"}}, "", "options.hostname"},
		{"no price", orders.Request{Options: vpsOptions}, "required", "plan_price"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := app.CountRecords("orders")
			_, qerr := orders.Quote(ctx, app, c, tc.req, orders.By{}, quoteNow)
			_, perr := orders.Place(ctx, app, c, tc.req, orders.By{}, quoteNow)
			qe, ok1 := qerr.(*orders.Error)
			pe, ok2 := perr.(*orders.Error)
			if !ok1 || !ok2 || qe.Field != tc.field || *qe != *pe || (tc.code != "" && qe.Code != tc.code) {
				t.Fatalf("quote refused with %#v, order with %#v; want field %s", qerr, perr, tc.field)
			}
			if after, _ := app.CountRecords("orders"); after != before {
				t.Errorf("a refused order wrote %d orders", after-before)
			}
		})
	}
}

// TestQuoteAnswersWhileTheWriteLockIsHeld: quotes are read-only, so one
// answers while another transaction holds PocketBase's single write
// connection (an order being placed, a renewal run writing).
func TestQuoteAnswersWhileTheWriteLockIsHeld(t *testing.T) {
	app := testutil.NewApp(t)
	ctx := context.Background()
	prices := quoteCatalog(t, app, "a", map[string]int64{"USD/monthly": 1299}, 500, nil)
	c := testutil.Customer(t, app, "c@example.com", "USD")

	locked, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- app.RunInTransaction(func(tx core.App) error {
			c2 := testutil.Customer(t, tx, "writer@example.com", "USD")
			_ = c2
			close(locked)
			<-release
			return nil
		})
	}()
	<-locked
	quoted := make(chan error, 1)
	go func() {
		_, err := orders.Quote(ctx, app, c, orders.Request{PlanPrice: prices["USD/monthly"].Id, Options: vpsOptions}, orders.By{}, quoteNow)
		quoted <- err
	}()
	select {
	case err := <-quoted:
		if err != nil {
			t.Errorf("quote: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Error("the quote waited for another transaction's write lock")
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// BenchmarkQuoteUnderWriters measures quotes per second while two
// goroutines keep placing orders, each order a write transaction.
//
//	go test ./billing/orders/ -run '^$' -bench QuoteUnderWriters -benchtime 3s
func BenchmarkQuoteUnderWriters(b *testing.B) {
	app := testutil.NewApp(b)
	ctx := context.Background()
	prices := quoteCatalog(b, app, "a", map[string]int64{"USD/monthly": 1299}, 500, nil)
	testutil.Create(b, app, "coupons", map[string]any{"code": "TEN", "kind": "percent", "percent_off": 10, "duration": "forever", "active": true})
	c := testutil.Customer(b, app, "c@example.com", "USD")
	writer := testutil.Customer(b, app, "w@example.com", "USD")
	req := orders.Request{PlanPrice: prices["USD/monthly"].Id, Coupon: "TEN", Options: vpsOptions}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var placed atomic.Int64
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := orders.Place(ctx, app, writer, req, orders.By{}, quoteNow); err != nil {
					b.Error(err)
					return
				}
				placed.Add(1)
			}
		}()
	}
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		if _, err := orders.Quote(ctx, app, c, req, orders.By{}, quoteNow); err != nil {
			b.Fatal(err)
		}
	}
	elapsed := time.Since(start)
	close(stop)
	wg.Wait()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "quotes/s")
	b.ReportMetric(float64(placed.Load())/elapsed.Seconds(), "orders/s")
}
