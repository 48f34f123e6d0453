package orders_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/orders"
	"github.com/ezscale/ezscale/integrations/notify"
	"github.com/ezscale/ezscale/internal/testutil"
)

// TestOrderNeedsBillingCountry: an order from a customer whose country is
// unknown is refused with a 400 naming the field, and writes nothing; the
// old code placed it, taxed as if the buyer were nowhere. A quote is still
// given (the portal shows a price while asking for the address) but names
// the missing field, so it is not final.
func TestOrderNeedsBillingCountry(t *testing.T) {
	app := testutil.NewApp(t)
	ctx := context.Background()
	setQuoteSettings(t, app, map[string]any{"currencies": []string{"USD", "EUR"}, "exchange_rates": map[string]string{"EUR": "1.08"}, "company_country": "DE"})
	testutil.Create(t, app, "tax_rates", map[string]any{"name": "MwSt 19%", "country": "DE", "rate": 19000, "active": true})
	prices := quoteCatalog(t, app, "addr", map[string]int64{"EUR/monthly": 595}, 0, nil)
	req := orders.Request{PlanPrice: prices["EUR/monthly"].Id, Options: vpsOptions}

	c := testutil.Customer(t, app, "nowhere@example.com", "EUR")
	c.Set("country", "")
	if err := app.Save(c); err != nil {
		t.Fatal(err)
	}
	for _, by := range []orders.By{{}, {Staff: true}} {
		_, err := orders.Place(ctx, app, c, req, by, quoteNow)
		var oe *orders.Error
		if !errors.As(err, &oe) || oe.Status != http.StatusBadRequest || oe.Field != "country" {
			t.Fatalf("order without a country (staff %v): %v, want a 400 naming country", by.Staff, err)
		}
	}
	for _, col := range []string{"orders", "subscriptions", "services", "invoices", "invoice_items"} {
		if n, err := app.CountRecords(col); err != nil || n != 0 {
			t.Errorf("%s after the refused orders: %d (%v), want none", col, n, err)
		}
	}
	q, err := orders.Quote(ctx, app, c, req, orders.By{}, quoteNow)
	if err != nil {
		t.Fatalf("quote without a country: %v", err)
	}
	if !slices.Equal(q.Missing, []string{"country"}) {
		t.Errorf("quote without a country: missing %v, want [country]", q.Missing)
	}

	c.Set("country", "DE")
	c.Set("address_line1", "Hauptstr. 1")
	c.Set("postal_code", "10115")
	c.Set("city", "Berlin")
	if err := app.Save(c); err != nil {
		t.Fatal(err)
	}
	if q, err = orders.Quote(ctx, app, c, req, orders.By{}, quoteNow); err != nil || len(q.Missing) != 0 {
		t.Fatalf("quote with a country: missing %v, %v", q, err)
	}
	res, err := orders.Place(ctx, app, c, req, orders.By{}, quoteNow)
	if err != nil {
		t.Fatalf("order with a country: %v", err)
	}
	if got := res.Invoice.GetInt64("tax_total"); got != 113 { // 19% of 5.95, rounded half to even
		t.Errorf("tax of the order = %d, want 113", got)
	}
	var buyer ledger.Party
	if err := res.Invoice.UnmarshalJSONField("buyer", &buyer); err != nil {
		t.Fatal(err)
	}
	if buyer.Country != "DE" || !slices.Equal(buyer.AddressLines, []string{"Hauptstr. 1", "10115 Berlin"}) {
		t.Errorf("bill to = %+v, want the customer's address in DE", buyer)
	}
}

// TestRenewalLabelIsTheSameEverywhere: the checkout's quote, the invoice
// line the API enriches, the PDF document and the invoice email all say
// how the price recurs in the same words, for an exclusive and an
// inclusive rate, a reverse-charged business and an exempt customer.
func TestRenewalLabelIsTheSameEverywhere(t *testing.T) {
	app := testutil.NewApp(t)
	ctx := context.Background()
	setQuoteSettings(t, app, map[string]any{"currencies": []string{"USD", "EUR"}, "exchange_rates": map[string]string{"EUR": "1.08"},
		"company_country": "DE", "eu_reverse_charge": true})
	testutil.Create(t, app, "tax_rates", map[string]any{"name": "MwSt 19%", "country": "DE", "rate": 19000, "active": true})
	testutil.Create(t, app, "tax_rates", map[string]any{"name": "BTW 21%", "country": "NL", "rate": 21000, "inclusive": true, "active": true})
	prices := quoteCatalog(t, app, "labels", map[string]int64{"EUR/monthly": 595, "EUR/annual": 5950}, 100, nil)

	tests := []struct {
		name, country, vat, price string
		exempt                    bool
		want                      string
	}{
		{"exclusive", "DE", "", "EUR/monthly", false, "then €5.95 monthly plus 19% MwSt"},
		{"inclusive", "NL", "", "EUR/annual", false, "then €59.50 annually incl. 21% BTW"},
		{"reverse charge", "NL", "NL123456789B01", "EUR/monthly", false, "then €5.95 monthly, VAT reverse charged"},
		{"exempt", "DE", "", "EUR/monthly", true, "then €5.95 monthly, tax exempt"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := testutil.Customer(t, app, fmt.Sprintf("label%d@example.com", i), "EUR")
			c.Set("country", tc.country)
			c.Set("vat_id", tc.vat)
			c.Set("tax_exempt", tc.exempt)
			if err := app.Save(c); err != nil {
				t.Fatal(err)
			}
			req := orders.Request{PlanPrice: prices[tc.price].Id, Options: vpsOptions}
			q, err := orders.Quote(ctx, app, c, req, orders.By{}, quoteNow)
			if err != nil {
				t.Fatal(err)
			}
			res, err := orders.Place(ctx, app, c, req, orders.By{}, quoteNow)
			if err != nil {
				t.Fatal(err)
			}
			items, err := ledger.Items(app, res.Invoice.Id)
			if err != nil {
				t.Fatal(err)
			}
			var line string
			for _, it := range items {
				if l := ledger.LineRenewalLabel(app, res.Invoice, it); l != "" {
					line = l
				} else if it.GetString("kind") == ledger.KindPeriod {
					t.Errorf("period line %q has no renewal label", it.GetString("description"))
				}
			}
			doc, err := ledger.Document(app, res.Invoice)
			if err != nil {
				t.Fatal(err)
			}
			var printed []string
			for _, l := range doc.Lines {
				printed = append(printed, l.Renews)
			}
			var emailed []string
			for _, l := range notify.InvoiceLines(app, res.Invoice) {
				emailed = append(emailed, l["Renews"].(string))
			}
			// The setup fee is one-off; the period line renews.
			want := []string{"", tc.want}
			if q.Renews != tc.want || line != tc.want || !slices.Equal(printed, want) || !slices.Equal(emailed, want) {
				t.Errorf("quote %q, invoice line %q, PDF %q, email %q; want %q everywhere", q.Renews, line, printed, emailed, tc.want)
			}
		})
	}
}
