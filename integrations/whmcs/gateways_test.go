package whmcs

import (
	"strings"
	"testing"
)

func TestPaymentGatewayModules(t *testing.T) {
	tests := []struct {
		module, want string
		mapped       GatewayMap
		unknown      bool
	}{
		{module: "stripe", want: "stripe"},
		{module: "stripe_ach", want: "stripe"},
		{module: "stripe_sepa", want: "stripe"},
		{module: " PayPal ", want: "paypal"},
		{module: "paypalcheckout", want: "paypal"},
		{module: "paypal_ppcpv", want: "paypal"},
		{module: "banktransfer", want: "manual"},
		{module: "mailin", want: "manual"},
		{module: "", want: "manual"},
		{module: "gocardless", want: "manual", unknown: true},
		{module: "GoCardless", want: "stripe", mapped: GatewayMap{"gocardless": "stripe"}},
		{module: "paypalcheckout", want: "manual", mapped: GatewayMap{"paypalcheckout": "manual"}},
	}
	for _, tc := range tests {
		t.Run(tc.module, func(t *testing.T) {
			im := &importer{report: &Report{}, opts: Options{GatewayMap: tc.mapped}}
			if got := im.paymentGateway(tc.module); got != tc.want {
				t.Errorf("paymentGateway(%q) = %q, want %q", tc.module, got, tc.want)
			}
			im.reportUnknownGateways()
			if reported := len(im.report.Notes) > 0; reported != tc.unknown {
				t.Errorf("reported %v, want %v (notes %v)", reported, tc.unknown, im.report.Notes)
			}
		})
	}
}

func TestUnknownGatewayReportedOnceWithItsCount(t *testing.T) {
	im := &importer{report: &Report{}}
	for range 3 {
		im.paymentGateway("2checkout")
	}
	im.reportUnknownGateways()
	if len(im.report.Notes) != 1 || im.report.Notes[0].ID != "2checkout" || !strings.Contains(im.report.Notes[0].Reason, "3 rows") {
		t.Fatalf("notes %+v, want one naming 2checkout with 3 rows", im.report.Notes)
	}
}

func TestParseGatewayMap(t *testing.T) {
	tests := []struct {
		name, raw, wantErr string
		want               GatewayMap
	}{
		{name: "modules named", raw: `{"GoCardless": "manual", "stripe_bacs": "stripe"}`,
			want: GatewayMap{"gocardless": "manual", "stripe_bacs": "stripe"}},
		{name: "not JSON", raw: `gocardless=manual`, wantErr: "not valid"},
		{name: "not an object of strings", raw: `{"gocardless": {"gateway": "manual"}}`, wantErr: "not valid"},
		{name: "a gateway we do not have", raw: `{"gocardless": "gocardless"}`, wantErr: `gateway "gocardless" is not one of stripe, paypal, manual`},
		{name: "credit is not a module's gateway", raw: `{"x": "credit"}`, wantErr: "is not one of"},
		{name: "empty module", raw: `{" ": "manual"}`, wantErr: "empty module name"},
		{name: "two values", raw: `{} {}`, wantErr: "more than one"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseGatewayMap([]byte(tc.raw))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
		})
	}
}
