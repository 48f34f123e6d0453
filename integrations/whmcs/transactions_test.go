package whmcs

import (
	"strings"
	"testing"
)

func TestIsZeroDecimal(t *testing.T) {
	tests := map[string]bool{"0.00": true, "0": true, " 0.00 ": true, "-0.00": true, "": true,
		"0.01": false, "105.12": false, "-1.00": false, "10": false}
	for dec, want := range tests {
		if got := isZeroDecimal(dec); got != want {
			t.Errorf("isZeroDecimal(%q) = %v, want %v", dec, got, want)
		}
	}
}

func TestTransactionCurrency(t *testing.T) {
	im := &importer{currencies: map[int64]string{1: "USD", 2: "EUR", 3: "GBP"}, defaultCur: "USD"}
	eur := &client{currency: "EUR"}
	tests := []struct {
		name       string
		currencyID int64
		client     *client
		want       string
	}{
		{"the client's when the row has none", 0, eur, "EUR"},
		{"the row's own", 3, eur, "GBP"},
		{"a deposit with no client", 2, nil, "EUR"},
		{"neither", 0, nil, unresolvedMoney},
		{"a currency not imported", 9, eur, unresolvedMoney},
		{"a client whose currency was not imported", 0, &client{}, unresolvedMoney},
	}
	for _, tc := range tests {
		if got := im.transactionCurrency(&transaction{currencyID: tc.currencyID}, tc.client); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestTransactionMoney(t *testing.T) {
	im := &importer{defaultCur: "USD"}
	tests := []struct {
		name, currency, in, out, fees string
		wantIn, wantOut, wantFees     int64
		err                           bool
	}{
		{"charge", "EUR", "105.12", "0.00", "4.16", 10512, 0, 416, false},
		{"refund", "USD", "0.00", "49.29", "0.00", 0, 4929, 0, false},
		{"unknown currency read in the default one", unresolvedMoney, "51.00", "0.00", "0.00", 5100, 0, 0, false},
		{"zero-decimal currency", "JPY", "1000.00", "0.00", "0.00", 1000, 0, 0, false},
		{"not a number", "USD", "abc", "0.00", "0.00", 0, 0, 0, true},
		{"finer than the currency", "USD", "1.005", "0.00", "0.00", 0, 0, 0, true},
	}
	for _, tc := range tests {
		in, out, fees, err := im.transactionMoney(&transaction{in: tc.in, out: tc.out, fees: tc.fees}, tc.currency)
		if (err != nil) != tc.err || in != tc.wantIn || out != tc.wantOut || fees != tc.wantFees {
			t.Errorf("%s: %d %d %d %v, want %d %d %d (error %v)", tc.name, in, out, fees, err, tc.wantIn, tc.wantOut, tc.wantFees, tc.err)
		}
	}
}

func TestGatewayID(t *testing.T) {
	r := &paymentRun{im: &importer{report: &Report{}}, taken: map[string]bool{"stripe/ch_made_here": true}}
	tests := []struct {
		id               int64
		gateway, transID string
		want             string
	}{
		{1, "paypal", "TFSL7XLFLD63E8MFN", "TFSL7XLFLD63E8MFN"},
		{2, "paypal", " TFSL7XLFLD63E8MFN ", "TFSL7XLFLD63E8MFN#2"}, // one payment, two invoices
		{3, "stripe", "TFSL7XLFLD63E8MFN", "TFSL7XLFLD63E8MFN"},     // unique per gateway
		{4, "stripe", "ch_made_here", "ch_made_here#4"},             // a payment made in EZSCALE has it
		{5, "manual", "", ""},
		{6, "manual", "", ""},
		{77, "manual", strings.Repeat("x", 300), strings.Repeat("x", 255)},
		{78, "manual", strings.Repeat("x", 300), strings.Repeat("x", 252) + "#78"},
	}
	for _, tc := range tests {
		if got := r.gatewayID(&transaction{id: tc.id, transID: tc.transID}, tc.gateway); got != tc.want {
			t.Errorf("transaction %d: %q, want %q", tc.id, got, tc.want)
		}
	}
	if n := len(r.im.report.Notes); n != 3 {
		t.Errorf("%d notes, want one per renamed id: %+v", n, r.im.report.Notes)
	}
}
