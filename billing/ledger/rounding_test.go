package ledger_test

import (
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/billing/tax"
	"github.com/ezscale/ezscale/internal/settings"
	"github.com/ezscale/ezscale/internal/testutil"
)

// roundingLines are an invoice's rounding lines, by their description.
func roundingLines(t *testing.T, app core.App, inv *ledger.Invoice) []*core.Record {
	t.Helper()
	items, err := ledger.Items(app, inv.Id)
	if err != nil {
		t.Fatal(err)
	}
	var out []*core.Record
	for _, it := range items {
		if strings.HasPrefix(it.GetString("description"), "Rounding") {
			out = append(out, it)
		}
	}
	return out
}

// sumOfLines is what an invoice's lines add up to, gross, checked apart
// from the ledger's own totals.
func sumOfLines(t *testing.T, app core.App, inv *ledger.Invoice) int64 {
	t.Helper()
	items, err := ledger.Items(app, inv.Id)
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	for _, it := range items {
		sum += it.GetInt64("amount")
		if !it.GetBool("tax_inclusive") {
			sum += it.GetInt64("tax_amount")
		}
	}
	return sum
}

// An invoice in a currency Stripe takes in steps (10 fils for KWD) is
// issued with what it leaves to pay a whole number of steps: a visible,
// untaxed adjustment line takes the remainder off, after the customer's
// credit, so that no charge Stripe refuses is ever asked for and no
// unpayable fils stay due.
func TestIssueRoundsToWhatCanBePaid(t *testing.T) {
	tests := []struct {
		name        string
		currency    string
		units       []int64
		credit      int64
		wantOff     int64 // what the rounding line takes off; 0 = no line
		wantTotal   int64
		wantApplied int64
		wantDue     int64
		wantStatus  string
	}{
		{"KWD remainder taken off", "KWD", []int64{5124}, 0, 4, 5120, 0, 5120, ledger.StatusOpen},
		{"KWD already payable", "KWD", []int64{5120}, 0, 0, 5120, 0, 5120, ledger.StatusOpen},
		{"sum of lines rounded, not each line", "BHD", []int64{1003, 2004}, 0, 7, 3000, 0, 3000, ledger.StatusOpen},
		{"JOD nine fils", "JOD", []int64{12349}, 0, 9, 12340, 0, 12340, ledger.StatusOpen},
		{"OMR", "OMR", []int64{1001}, 0, 1, 1000, 0, 1000, ledger.StatusOpen},
		{"TND", "TND", []int64{25555}, 0, 5, 25550, 0, 25550, ledger.StatusOpen},
		{"what credit leaves is rounded", "KWD", []int64{5124}, 1003, 1, 5123, 1003, 4120, ledger.StatusOpen},
		{"credit paying all but fils: paid", "KWD", []int64{5124}, 5120, 4, 5120, 5120, 0, ledger.StatusPaid},
		{"credit paying everything: no rounding", "KWD", []int64{5124}, 9000, 0, 5124, 5124, 0, ledger.StatusPaid},
		{"MGA in whole ariary", "MGA", []int64{150050}, 0, 50, 150000, 0, 150000, ledger.StatusOpen},
		{"USD never rounded", "USD", []int64{5124}, 0, 0, 5124, 0, 5124, ledger.StatusOpen},
		{"IQD never rounded", "IQD", []int64{5124}, 0, 0, 5124, 0, 5124, ledger.StatusOpen},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := testutil.NewApp(t)
			c := testutil.Customer(t, app, "fils@example.com", tt.currency)
			if tt.credit > 0 {
				if _, err := ledger.AddCredit(ctx, app, ledger.CreditEntry{CustomerID: c.Id, Currency: tt.currency, Amount: tt.credit, Reason: ledger.CreditManual, Description: "goodwill"}); err != nil {
					t.Fatal(err)
				}
			}
			inv := draft(t, app, c, tt.units...)
			if err := ledger.Finalize(ctx, app, inv, issueDay); err != nil {
				t.Fatal(err)
			}
			inv = reload(t, app, inv)

			lines := roundingLines(t, app, inv)
			switch {
			case tt.wantOff == 0 && len(lines) != 0:
				t.Fatalf("rounding line %v on an invoice that needs none", lines[0].PublicExport())
			case tt.wantOff != 0 && len(lines) != 1:
				t.Fatalf("%d rounding lines, want 1", len(lines))
			case tt.wantOff != 0:
				l := lines[0]
				if l.GetString("kind") != ledger.KindAdjustment || l.GetInt64("amount") != -tt.wantOff || l.GetInt64("tax_amount") != 0 {
					t.Errorf("rounding line kind %s amount %d tax %d, want adjustment -%d untaxed",
						l.GetString("kind"), l.GetInt64("amount"), l.GetInt64("tax_amount"), tt.wantOff)
				}
				cur, _ := money.LookupCurrency(tt.currency)
				if step := (money.Amount{Minor: cur.Step(), Currency: tt.currency}).String(); !strings.Contains(l.GetString("description"), step) {
					t.Errorf("rounding line %q does not name the step %s", l.GetString("description"), step)
				}
			}
			got := [3]int64{inv.Total(), inv.GetInt64("credit_applied"), inv.AmountDue()}
			if want := [3]int64{tt.wantTotal, tt.wantApplied, tt.wantDue}; got != want {
				t.Errorf("total, credit applied, due = %v, want %v", got, want)
			}
			if sum := sumOfLines(t, app, inv); sum != inv.Total() {
				t.Errorf("total %d is not the sum of the lines %d", inv.Total(), sum)
			}
			if inv.Status() != tt.wantStatus {
				t.Errorf("status %s, want %s", inv.Status(), tt.wantStatus)
			}
			if cur, _ := money.LookupCurrency(tt.currency); inv.AmountDue()%cur.Step() != 0 {
				t.Errorf("due %d is not payable in steps of %d", inv.AmountDue(), cur.Step())
			}
		})
	}
}

// Issuing through the dashboard (a status change, no Finalize) rounds too:
// every path that issues goes through the invoice's save hook.
func TestIssueByStatusChangeRounds(t *testing.T) {
	app := testutil.NewApp(t)
	c := testutil.Customer(t, app, "dash@example.com", "KWD")
	inv := draft(t, app, c, 7777)
	inv.Set("status", ledger.StatusOpen)
	if err := app.Save(inv); err != nil {
		t.Fatal(err)
	}
	inv = reload(t, app, inv)
	if inv.Total() != 7770 || inv.AmountDue() != 7770 || len(roundingLines(t, app, inv)) != 1 {
		t.Fatalf("total %d due %d, %d rounding lines; want 7770, 7770, 1", inv.Total(), inv.AmountDue(), len(roundingLines(t, app, inv)))
	}
}

// On a taxed invoice the rounding is outside the tax: the lines keep their
// tax, the summary lists only taxed supplies, and the total is still the
// sum of every line.
func TestRoundingStaysOutOfTheTaxSummary(t *testing.T) {
	app := testutil.NewApp(t)
	setSettings(t, app, map[string]any{"company_country": "BH", "company_name": "Ezscale WLL"})
	testutil.Create(t, app, "tax_rates", map[string]any{"name": "VAT", "country": "BH", "rate": 10000, "active": true})
	c := testutil.Customer(t, app, "manama@example.com", "BHD")
	c, _ = app.FindRecordById("customers", c.Id)
	c.Set("country", "BH")
	if err := app.Save(c); err != nil {
		t.Fatal(err)
	}
	// 12.345 net + 1.2345→1.234 (half to even) VAT = 13.579: 9 fils off.
	inv := draft(t, app, c, 12345)
	if err := ledger.Finalize(ctx, app, inv, issueDay); err != nil {
		t.Fatal(err)
	}
	inv = reload(t, app, inv)
	got := [4]int64{inv.GetInt64("subtotal"), inv.GetInt64("tax_total"), inv.Total(), inv.AmountDue()}
	if want := [4]int64{12345 - 9, 1234, 13570, 13570}; got != want {
		t.Errorf("subtotal, tax, total, due = %v, want %v", got, want)
	}
	if sum := sumOfLines(t, app, inv); sum != inv.Total() {
		t.Errorf("total %d is not the sum of the lines %d", inv.Total(), sum)
	}
	var summary []tax.SummaryRow
	if err := inv.UnmarshalJSONField("tax_summary", &summary); err != nil {
		t.Fatal(err)
	}
	if len(summary) != 1 || summary[0].Net != 12345 || summary[0].Tax != 1234 {
		t.Errorf("tax summary %s (%+v), want one row of net 12345, tax 1234", inv.GetString("tax_summary"), summary)
	}
}

// The bulk paths (the renewal run) build lines in memory: WithRounding
// adds the line there, and Issue then leaves a payable amount.
func TestWithRoundingInMemory(t *testing.T) {
	app := testutil.NewApp(t)
	c := testutil.Customer(t, app, "bulk@example.com", "OMR")
	s, err := settings.Load(app)
	if err != nil {
		t.Fatal(err)
	}
	invCol, _ := app.FindCollectionByNameOrId(ledger.InvoicesCollection)
	itemCol, _ := app.FindCollectionByNameOrId(ledger.ItemsCollection)
	inv := ledger.NewDraftRecord(invCol, ledger.Treatment{Reason: "tax disabled"}, c, ledger.PurposeRenewal)
	var items []*core.Record
	for i, u := range []int64{4321, 1000} {
		it, err := ledger.NewLine(itemCol, inv, ledger.Line{Kind: ledger.KindPeriod, Description: "period", Quantity: 1, UnitAmount: u})
		if err != nil {
			t.Fatal(err)
		}
		it.Set("sort_order", i)
		items = append(items, it)
	}
	items, err = ledger.WithRounding(itemCol, inv, items, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 3 || items[2].GetInt64("amount") != -1 || items[2].GetInt("sort_order") != 2 {
		t.Fatalf("lines %d, last amount %d order %d; want a third line of -1 after the others", len(items), items[len(items)-1].GetInt64("amount"), items[len(items)-1].GetInt("sort_order"))
	}
	if _, err := ledger.Issue(inv, items, ledger.IssueContext{Settings: s, Customer: c, Numbers: fixedNumbers{}, Now: issueDay}); err != nil {
		t.Fatal(err)
	}
	if inv.Total() != 5320 || inv.AmountDue() != 5320 {
		t.Errorf("total %d due %d, want 5320", inv.Total(), inv.AmountDue())
	}

	// Already payable: the lines are returned as they were.
	again, err := ledger.WithRounding(itemCol, inv, items, 0)
	if err != nil || len(again) != 3 {
		t.Errorf("second rounding: %d lines, %v", len(again), err)
	}
}

type fixedNumbers struct{}

func (fixedNumbers) Next(series, format string, at time.Time) (string, error) {
	return series + "-1", nil
}
