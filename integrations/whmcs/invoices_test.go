package whmcs

import (
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/ezscale/billing/ledger"
)

func TestInvoiceStatus(t *testing.T) {
	tests := []struct {
		whmcs          string
		paid, refunded int64
		want           string
	}{
		{"Paid", 1000, 0, ledger.StatusPaid},
		{"Paid", 10955, 4929, ledger.StatusPartiallyRefunded},
		{"Paid", 1000, 1000, ledger.StatusPaid},
		{"Paid", 0, 0, ledger.StatusPaid}, // settled from credit
		{"Refunded", 10512, 10512, ledger.StatusRefunded},
		{"Unpaid", 989, 0, ledger.StatusOpen},
		{"Payment Pending", 0, 0, ledger.StatusOpen},
		{"Collections", 0, 0, ledger.StatusUncollectible},
		{"Draft", 0, 0, ledger.StatusDraft},
		{"Cancelled", 0, 0, ledger.StatusVoid},
	}
	for _, tc := range tests {
		status, ok := invoiceStatuses[tc.whmcs]
		if got := paidStatus(status, tc.paid, tc.refunded); !ok || got != tc.want {
			t.Errorf("%s, paid %d, refunded %d: %q, want %q", tc.whmcs, tc.paid, tc.refunded, got, tc.want)
		}
	}
	if _, ok := invoiceStatuses["Overdue"]; ok {
		t.Error("an unknown status maps to something")
	}
}

func TestAmountDue(t *testing.T) {
	tests := []struct {
		status                    string
		total, credit, paid, want int64
	}{
		{ledger.StatusOpen, 3299, 0, 989, 2310},  // partly paid
		{ledger.StatusOpen, 1561, 1300, 0, 261},  // part credit
		{ledger.StatusOpen, 1000, 0, 1200, 0},    // overpaid: never negative
		{ledger.StatusDraft, 11714, 0, 0, 11714}, // what issuing will ask for
		{ledger.StatusUncollectible, 919, 0, 0, 919},
		{ledger.StatusPaid, 1000, 0, 900, 0}, // settled
		{ledger.StatusPartiallyRefunded, 10955, 0, 10955, 0},
		{ledger.StatusRefunded, 10512, 0, 10512, 0},
		{ledger.StatusVoid, 1436, 0, 0, 0},
	}
	for _, tc := range tests {
		if got := amountDue(tc.status, tc.total, tc.credit, tc.paid); got != tc.want {
			t.Errorf("amountDue(%s, %d, %d, %d) = %d, want %d", tc.status, tc.total, tc.credit, tc.paid, got, tc.want)
		}
	}
}

func TestInvoiceNumber(t *testing.T) {
	tests := []struct {
		id         int64
		invoicenum string
		want       string
	}{
		{9, "", "WHMCS-9"},
		{26, "INV-2022-00001", "WHMCS-INV-2022-00001"},
		{27, " 1001 ", "WHMCS-1001"},
		{28, "A&amp;B", "WHMCS-A&B"},
		{29, strings.Repeat("9", 80), "WHMCS-" + strings.Repeat("9", 58)},
	}
	for _, tc := range tests {
		if got := invoiceNumber(tc.id, tc.invoicenum); got != tc.want {
			t.Errorf("invoiceNumber(%d, %q) = %q, want %q", tc.id, tc.invoicenum, got, tc.want)
		}
	}
}

func TestItemKindAndDescription(t *testing.T) {
	kinds := map[string]string{"Hosting": "period", "Setup": "setup", "PromoHosting": "discount", "PromoDomain": "discount",
		"GroupDiscount": "discount", "LateFee": "adjustment", "Item": "adjustment", "Addon": "adjustment",
		"Domain": "adjustment", "AddFunds": "adjustment", "": "adjustment"}
	for whmcs, want := range kinds {
		if got := itemKind(whmcs); got != want {
			t.Errorf("itemKind(%q) = %q, want %q", whmcs, got, want)
		}
	}
	descriptions := []struct {
		item whmcsItem
		want string
	}{
		{whmcsItem{kind: "Item", description: "rDNS change &amp; setup"}, "rDNS change & setup"},
		{whmcsItem{kind: "LateFee", description: "  "}, "LateFee"},
		{whmcsItem{}, "Invoice line"},
		{whmcsItem{kind: "Item", description: strings.Repeat("é", 600)}, strings.Repeat("é", 500)},
	}
	for _, tc := range descriptions {
		if got := itemDescription(&tc.item); got != tc.want {
			t.Errorf("itemDescription(%+v) = %q, want %q", tc.item, got, tc.want)
		}
	}
}

func TestInvoiceTax(t *testing.T) {
	tests := []struct {
		name                               string
		rate1, rate2, taxedNet, tax1, tax2 int64
		treatment, summary                 string
	}{
		{"no tax", 0, 0, 1060, 0, 0,
			`{"name":"Tax","rate":0,"charge":false,"reason":"as invoiced by WHMCS"}`, `[]`},
		{"a rate but nothing charged (exempt)", 19000, 0, 5000, 0, 0,
			`{"name":"Tax","rate":19000,"charge":false,"reason":"as invoiced by WHMCS"}`, `[]`},
		{"one level", 20000, 0, 12412, 2482, 0,
			`{"name":"Tax","rate":20000,"charge":true,"reason":"as invoiced by WHMCS"}`,
			`[{"name":"Tax","rate":20000,"net":12412,"tax":2482}]`},
		{"two levels (Quebec)", 5000, 9975, 52400, 2620, 5227,
			`{"name":"Tax","rate":5000,"charge":true,"reason":"as invoiced by WHMCS"}`,
			`[{"name":"Tax","rate":5000,"net":52400,"tax":2620},{"name":"Tax (level 2)","rate":9975,"net":52400,"tax":5227}]`},
	}
	cache := treatmentCache{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := cache.get(tc.rate1, false, tc.tax1, tc.tax2); got != tc.treatment {
				t.Errorf("treatment %s, want %s", got, tc.treatment)
			}
			if got := invoiceTaxSummary(tc.rate1, tc.rate2, tc.taxedNet, tc.tax1, tc.tax2, false); got != tc.summary {
				t.Errorf("summary %s, want %s", got, tc.summary)
			}
		})
	}
}

func TestClaimPeriods(t *testing.T) {
	due := func(s string) sql.NullTime {
		d, _ := time.Parse(time.DateOnly, s)
		return sql.NullTime{Time: d, Valid: true}
	}
	services := &table{byWHMCS: map[string]*stored{
		"34": {id: "svc34", values: map[string]string{"subscription": "sub34"}},
		"40": {id: "svc40", values: map[string]string{"subscription": "sub40"}},
		"2":  {id: "svc2", values: map[string]string{"subscription": ""}}, // one-time: no subscription
	}}
	invoices := []*whmcsInvoice{
		{id: 9, status: "Paid", items: []*whmcsItem{
			{id: 21, kind: "Hosting", relID: 34, dueDate: due("2020-05-05")},
			{id: 22, kind: "Hosting", relID: 34, dueDate: due("2020-05-05")}, // a duplicate line
			{id: 23, kind: "Hosting", relID: 40, dueDate: due("2020-05-05")},
			{id: 24, kind: "PromoHosting", relID: 40, dueDate: due("2020-05-05")},
			{id: 25, kind: "Hosting", relID: 2, dueDate: due("2020-05-05")},
			{id: 26, kind: "Hosting", relID: 999, dueDate: due("2020-05-05")}, // service gone
		}},
		{id: 25, status: "Cancelled", items: []*whmcsItem{
			{id: 58, kind: "Hosting", relID: 40, dueDate: due("2022-01-17")},
		}},
		{id: 28, status: "Paid", items: []*whmcsItem{
			{id: 61, kind: "Hosting", relID: 40, dueDate: due("2022-01-17")}, // billed again after the void one
			{id: 62, kind: "Hosting", relID: 34, dueDate: due("2022-01-17")},
		}},
	}
	got := claimPeriods(invoices, services)
	want := map[int64]bool{21: true, 23: true, 61: true, 62: true}
	if len(got) != len(want) {
		t.Errorf("claimed %v, want %v", got, want)
	}
	for id := range want {
		if !got[id] {
			t.Errorf("line %d does not link its subscription period (claimed %v)", id, got)
		}
	}
}
