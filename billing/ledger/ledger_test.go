package ledger_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/internal/settings"
	"github.com/ezscale/ezscale/internal/testutil"
)

var ctx = context.Background()

var issueDay = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

// setSettings changes the settings record for one test.
func setSettings(t *testing.T, app core.App, values map[string]any) {
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

// draft creates a draft for customer with lines of the given unit amounts.
func draft(t *testing.T, app core.App, customer *core.Record, units ...int64) *ledger.Invoice {
	t.Helper()
	s, err := settings.Load(app)
	if err != nil {
		t.Fatal(err)
	}
	rates, err := ledger.Rates(app)
	if err != nil {
		t.Fatal(err)
	}
	inv, err := ledger.NewDraft(ctx, app, s, ledger.Decide(s, rates, customer), customer, ledger.PurposeManual)
	if err != nil {
		t.Fatal(err)
	}
	for i, u := range units {
		if _, err := ledger.AddLine(ctx, app, inv, ledger.Line{Kind: ledger.KindAdjustment, Description: fmt.Sprintf("line %d", i), Quantity: 1, UnitAmount: u}); err != nil {
			t.Fatal(err)
		}
	}
	return inv
}

func reload(t *testing.T, app core.App, inv *ledger.Invoice) *ledger.Invoice {
	t.Helper()
	fresh, err := ledger.FindInvoice(app, inv.Id)
	if err != nil {
		t.Fatal(err)
	}
	return fresh
}

func ukCustomer(t *testing.T, app core.App, email string) *core.Record {
	t.Helper()
	c := testutil.Customer(t, app, email, "GBP")
	c, _ = app.FindRecordById("customers", c.Id)
	c.Set("country", "GB")
	c.Set("address_line1", "1 High Street")
	c.Set("city", "Leeds")
	if err := app.Save(c); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestFinalizeNumbersFreezesAndTaxes(t *testing.T) {
	app := testutil.NewApp(t)
	setSettings(t, app, map[string]any{"company_country": "GB", "company_name": "Ezscale Ltd"})
	testutil.Create(t, app, "tax_rates", map[string]any{"name": "VAT", "country": "GB", "rate": 20000, "active": true})
	c := ukCustomer(t, app, "zoe@example.com")

	inv := draft(t, app, c, 1000, 2599)
	if err := ledger.Finalize(ctx, app, inv, issueDay); err != nil {
		t.Fatal(err)
	}
	inv = reload(t, app, inv)
	if inv.Number() != "INV-2026-000001" || inv.Status() != ledger.StatusOpen {
		t.Fatalf("number %q status %q", inv.Number(), inv.Status())
	}
	// 10.00 + 25.99 net, VAT 2.00 + 5.198→5.20 per line.
	if got := [4]int64{inv.GetInt64("subtotal"), inv.GetInt64("tax_total"), inv.Total(), inv.AmountDue()}; got != [4]int64{3599, 720, 4319, 4319} {
		t.Errorf("subtotal, tax, total, due = %v", got)
	}
	if !inv.GetDateTime("due_at").Time().Equal(issueDay.AddDate(0, 0, 7)) {
		t.Errorf("due %v", inv.GetDateTime("due_at"))
	}
	if !strings.Contains(inv.GetString("tax_summary"), `"net":3599`) {
		t.Errorf("tax summary %s", inv.GetString("tax_summary"))
	}

	// Editing the customer or the company afterwards never rewrites it.
	before := inv.GetString("buyer") + inv.GetString("seller")
	c, _ = app.FindRecordById("customers", c.Id)
	c.Set("address_line1", "99 New Road")
	c.Set("name", "Zoë Renamed")
	if err := app.Save(c); err != nil {
		t.Fatal(err)
	}
	setSettings(t, app, map[string]any{"company_name": "Other Name Ltd"})
	if after := reload(t, app, inv); after.GetString("buyer")+after.GetString("seller") != before {
		t.Errorf("issued invoice changed after the customer's address changed:\n%s\n%s", before, after.GetString("buyer")+after.GetString("seller"))
	}
}

func TestNumberingIsGaplessUnderConcurrency(t *testing.T) {
	app := testutil.NewApp(t)
	c := testutil.Customer(t, app, "a@example.com", "USD")
	const n = 50
	invoices := make([]*ledger.Invoice, n)
	for i := range invoices {
		invoices[i] = draft(t, app, c, 1000)
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for _, inv := range invoices {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- ledger.Finalize(ctx, app, inv, issueDay)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	for _, inv := range invoices {
		seen[reload(t, app, inv).Number()] = true
	}
	for i := 1; i <= n; i++ {
		if want := fmt.Sprintf("INV-2026-%06d", i); !seen[want] {
			t.Errorf("missing %s: numbers %v", want, seen)
		}
	}
}

func TestNumberingRestartsEachYear(t *testing.T) {
	app := testutil.NewApp(t)
	c := testutil.Customer(t, app, "a@example.com", "USD")
	for _, tc := range []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, 12, 31, 23, 0, 0, 0, time.UTC), "INV-2026-000001"},
		{time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC), "INV-2026-000002"},
		{time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), "INV-2027-000001"},
	} {
		inv := draft(t, app, c, 500)
		if err := ledger.Finalize(ctx, app, inv, tc.at); err != nil {
			t.Fatal(err)
		}
		if got := reload(t, app, inv).Number(); got != tc.want {
			t.Errorf("issued %v: got %s want %s", tc.at, got, tc.want)
		}
	}
}

func TestLifecycleRules(t *testing.T) {
	app := testutil.NewApp(t)
	c := testutil.Customer(t, app, "a@example.com", "USD")
	inv := draft(t, app, c, 1000)
	if err := ledger.Finalize(ctx, app, inv, issueDay); err != nil {
		t.Fatal(err)
	}
	inv = reload(t, app, inv)
	if err := app.Delete(inv); err == nil {
		t.Error("an issued invoice was deleted")
	}

	inv.Set("status", ledger.StatusPaid)
	if err := app.Save(inv); err != nil {
		t.Fatal(err)
	}
	inv = reload(t, app, inv)
	if inv.AmountDue() != 0 || inv.GetDateTime("paid_at").IsZero() {
		t.Errorf("paid invoice: due %d paid_at %v", inv.AmountDue(), inv.GetDateTime("paid_at"))
	}

	for name, change := range map[string]func(*ledger.Invoice){
		"back to open":  func(i *ledger.Invoice) { i.Set("status", ledger.StatusOpen) },
		"void a paid":   func(i *ledger.Invoice) { i.Set("status", ledger.StatusVoid) },
		"change total":  func(i *ledger.Invoice) { i.Set("total", 1) },
		"change number": func(i *ledger.Invoice) { i.Set("number", "X-1") },
	} {
		fresh := reload(t, app, inv)
		change(fresh)
		if err := app.Save(fresh); err == nil {
			t.Errorf("%s: accepted on a paid invoice", name)
		}
	}
	fresh := reload(t, app, inv)
	fresh.Set("notes", "Thank you!")
	if err := app.Save(fresh); err != nil {
		t.Errorf("notes on a paid invoice: %v", err)
	}
	if _, err := ledger.AddLine(ctx, app, fresh, ledger.Line{Kind: ledger.KindAdjustment, Description: "late", Quantity: 1, UnitAmount: 5}); err == nil {
		t.Error("a line was added to a paid invoice")
	}
	items, _ := ledger.Items(app, inv.Id)
	items[0].Set("unit_amount", 1)
	if err := app.Save(items[0]); err == nil {
		t.Error("a line of a paid invoice was changed")
	}

	// A voided invoice keeps its number.
	other := draft(t, app, c, 700)
	if err := ledger.Finalize(ctx, app, other, issueDay); err != nil {
		t.Fatal(err)
	}
	other = reload(t, app, other)
	other.Set("status", ledger.StatusVoid)
	if err := app.Save(other); err != nil {
		t.Fatal(err)
	}
	if other = reload(t, app, other); other.Number() == "" || other.AmountDue() != 0 || other.GetDateTime("voided_at").IsZero() {
		t.Errorf("void: number %q due %d", other.Number(), other.AmountDue())
	}
}

func TestCreditPaysWhatItCan(t *testing.T) {
	app := testutil.NewApp(t)
	c := testutil.Customer(t, app, "a@example.com", "USD")
	add := func(amount int64, currency string) {
		if _, err := ledger.AddCredit(ctx, app, ledger.CreditEntry{CustomerID: c.Id, Currency: currency, Amount: amount, Reason: ledger.CreditManual}); err != nil {
			t.Fatal(err)
		}
	}
	add(500, "USD")
	add(9999, "EUR") // another currency never pays a USD invoice

	partly := draft(t, app, c, 1200)
	if err := ledger.Finalize(ctx, app, partly, issueDay); err != nil {
		t.Fatal(err)
	}
	partly = reload(t, app, partly)
	if partly.GetInt64("credit_applied") != 500 || partly.AmountDue() != 700 || partly.Status() != ledger.StatusOpen {
		t.Errorf("partly covered: applied %d due %d status %s", partly.GetInt64("credit_applied"), partly.AmountDue(), partly.Status())
	}
	if bal, _ := ledger.Balance(app, c.Id, "USD"); bal != 0 {
		t.Errorf("USD balance after use: %d", bal)
	}

	add(5000, "USD")
	whole := draft(t, app, c, 1200)
	if err := ledger.Finalize(ctx, app, whole, issueDay); err != nil {
		t.Fatal(err)
	}
	whole = reload(t, app, whole)
	if whole.Status() != ledger.StatusPaid || whole.AmountDue() != 0 || whole.GetInt64("credit_applied") != 1200 {
		t.Errorf("fully covered: status %s due %d", whole.Status(), whole.AmountDue())
	}
	if bal, _ := ledger.Balance(app, c.Id, "USD"); bal != 3800 {
		t.Errorf("USD balance: %d, want 3800", bal)
	}
}

func TestProformaModeNumbersOnPayment(t *testing.T) {
	app := testutil.NewApp(t)
	setSettings(t, app, map[string]any{"proforma_mode": true})
	c := testutil.Customer(t, app, "a@example.com", "USD")
	inv := draft(t, app, c, 1000)
	if err := ledger.Finalize(ctx, app, inv, issueDay); err != nil {
		t.Fatal(err)
	}
	inv = reload(t, app, inv)
	if inv.Number() != "" || inv.GetString("proforma_number") != "PRO-2026-000001" {
		t.Fatalf("open proforma: number %q proforma %q", inv.Number(), inv.GetString("proforma_number"))
	}
	inv.Set("status", ledger.StatusPaid)
	if err := app.Save(inv); err != nil {
		t.Fatal(err)
	}
	if inv = reload(t, app, inv); !strings.HasPrefix(inv.Number(), "INV-") {
		t.Errorf("paid proforma got no legal number: %q", inv.Number())
	}
}

func TestTaxTreatments(t *testing.T) {
	app := testutil.NewApp(t)
	setSettings(t, app, map[string]any{"company_country": "NL", "company_vat_id": "NL123456789B01"})
	testutil.Create(t, app, "tax_rates", map[string]any{"name": "BTW 21%", "country": "NL", "rate": 21000, "inclusive": true, "active": true})
	testutil.Create(t, app, "tax_rates", map[string]any{"name": "MwSt 19%", "country": "DE", "rate": 19000, "active": true})

	customer := func(email, country, vat string, exempt bool) *core.Record {
		c := testutil.Customer(t, app, email, "EUR")
		c, _ = app.FindRecordById("customers", c.Id)
		c.Set("country", country)
		c.Set("vat_id", vat)
		c.Set("tax_exempt", exempt)
		if err := app.Save(c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	cases := []struct {
		name          string
		c             *core.Record
		total, tax    int64
		reverseCharge bool
	}{
		{"domestic consumer, inclusive 21%", customer("nl@example.com", "NL", "", false), 1210, 210, false},
		{"domestic business still pays", customer("nlb@example.com", "NL", "NL123456789B01", false), 1210, 210, false},
		{"German consumer pays German VAT", customer("de@example.com", "DE", "", false), 1440, 230, false},
		{"German business: reverse charge", customer("deb@example.com", "DE", "DE123456789", false), 1210, 0, true},
		{"malformed VAT id is charged", customer("dex@example.com", "DE", "DE12", false), 1440, 230, false},
		{"exempt customer", customer("ex@example.com", "DE", "", true), 1210, 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			inv := draft(t, app, tc.c, 1210)
			if err := ledger.Finalize(ctx, app, inv, issueDay); err != nil {
				t.Fatal(err)
			}
			inv = reload(t, app, inv)
			if inv.Total() != tc.total || inv.GetInt64("tax_total") != tc.tax || inv.GetBool("reverse_charge") != tc.reverseCharge {
				t.Errorf("total %d tax %d reverse %v", inv.Total(), inv.GetInt64("tax_total"), inv.GetBool("reverse_charge"))
			}
		})
	}
}
