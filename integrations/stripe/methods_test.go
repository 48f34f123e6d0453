package stripe

import (
	"context"
	"strings"
	"testing"
)

// Against stripe-mock, which checks each request against Stripe's spec and
// answers with its fixtures (one Visa card ending 4242, exp 8/2030).
func TestPaymentMethods(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name       string
		call       func(t *testing.T, c *Client)
		wantMethod string
		wantPath   string
		wantForm   map[string]string
	}{
		{
			name: "setup intent for off-session use",
			call: func(t *testing.T, c *Client) {
				secret, id, err := c.CreateSetupIntent(ctx, "cus_Ann")
				if err != nil {
					t.Fatal(err)
				}
				if !strings.HasPrefix(id, "seti_") || !strings.Contains(secret, "_secret_") {
					t.Errorf("CreateSetupIntent = %q, %q", secret, id)
				}
			},
			wantMethod: "POST",
			wantPath:   "/v1/setup_intents",
			wantForm:   map[string]string{"customer": "cus_Ann", "usage": "off_session", "payment_method_types[0]": "card"},
		},
		{
			name: "list cards",
			call: func(t *testing.T, c *Client) {
				pms, err := c.ListPaymentMethods(ctx, "cus_Ann")
				if err != nil {
					t.Fatal(err)
				}
				if len(pms) != 1 {
					t.Fatalf("got %d methods: %+v", len(pms), pms)
				}
				pm := pms[0]
				if !strings.HasPrefix(pm.ID, "pm_") || pm.Brand != "visa" || pm.Last4 != "4242" || pm.ExpMonth != 8 || pm.ExpYear != 2030 {
					t.Errorf("method = %+v", pm)
				}
			},
			wantMethod: "GET",
			wantPath:   "/v1/customers/cus_Ann/payment_methods",
			wantForm:   map[string]string{"type": "card", "limit": "100"},
		},
		{
			name: "detach",
			call: func(t *testing.T, c *Client) {
				if err := c.DetachPaymentMethod(ctx, "pm_Old"); err != nil {
					t.Fatal(err)
				}
			},
			wantMethod: "POST",
			wantPath:   "/v1/payment_methods/pm_Old/detach",
		},
		{
			name: "set default",
			call: func(t *testing.T, c *Client) {
				if err := c.SetDefaultPaymentMethod(ctx, "cus_Ann", "pm_New"); err != nil {
					t.Fatal(err)
				}
			},
			wantMethod: "POST",
			wantPath:   "/v1/customers/cus_Ann",
			wantForm:   map[string]string{"invoice_settings[default_payment_method]": "pm_New"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, rec := newTestClient(t, stripeMockURL)
			tt.call(t, c)
			req := rec.last(t)
			if req.Method != tt.wantMethod || req.Path != tt.wantPath {
				t.Errorf("request %s %s, want %s %s", req.Method, req.Path, tt.wantMethod, tt.wantPath)
			}
			for param, want := range tt.wantForm {
				if got := req.Form.Get(param); got != want {
					t.Errorf("%s = %q, want %q (form %v)", param, got, want, req.Form)
				}
			}
		})
	}
}
