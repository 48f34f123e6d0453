package paypal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/integrations/gateway"
	"github.com/ezscale/ezscale/integrations/paypal/paypalsim"
)

const (
	testClientID  = "test-client-id"
	testSecret    = "test-secret"
	testWebhookID = "8PT597110X687430LKGECATA"
)

// startSim serves a fresh simulator for one test.
func startSim(t *testing.T) (*paypalsim.Simulator, string) {
	t.Helper()
	sim := paypalsim.New(paypalsim.Options{ClientID: testClientID, ClientSecret: testSecret, WebhookID: testWebhookID})
	base, stop := sim.Start()
	t.Cleanup(stop)
	return sim, base
}

func newClient(t *testing.T, base string, edit ...func(*Config)) *Client {
	t.Helper()
	cfg := Config{ClientID: testClientID, ClientSecret: testSecret, WebhookID: testWebhookID, APIBase: base}
	for _, e := range edit {
		e(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func setup(t *testing.T) (*paypalsim.Simulator, *Client) {
	sim, base := startSim(t)
	return sim, newClient(t, base)
}

func apiError(t *testing.T, err error) *APIError {
	t.Helper()
	var e *APIError
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *APIError", err, err)
	}
	return e
}

// lastEvent returns the newest delivery of eventType.
func lastEvent(t *testing.T, sim *paypalsim.Simulator, eventType string) paypalsim.Delivery {
	t.Helper()
	events := sim.Events()
	for i := len(events) - 1; i >= 0; i-- {
		if events[i].Type == eventType {
			return events[i]
		}
	}
	t.Fatalf("no %s event among %d", eventType, len(events))
	return paypalsim.Delivery{}
}

// approvedOrder creates and approves an order for amount.
func approvedOrder(t *testing.T, sim *paypalsim.Simulator, c *Client, invoiceID string, amount money.Amount) string {
	t.Helper()
	id, _, err := c.CreateOrder(context.Background(), OrderRequest{InvoiceID: invoiceID, Amount: amount})
	if err != nil {
		t.Fatalf("CreateOrder: %v", err)
	}
	if err := sim.Approve(id); err != nil {
		t.Fatalf("Approve: %v", err)
	}
	return id
}

func TestNewRequiresCredentials(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		missing string
	}{
		{"nothing", Config{}, "PAYPAL_CLIENT_ID, PAYPAL_CLIENT_SECRET, PAYPAL_WEBHOOK_ID"},
		{"no secret", Config{ClientID: "id", WebhookID: "wh"}, "PAYPAL_CLIENT_SECRET"},
		{"no webhook id", Config{ClientID: "id", ClientSecret: "s"}, "PAYPAL_WEBHOOK_ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.missing) {
				t.Fatalf("New(%+v) = %v, %v; want an error naming %s", tt.cfg, c, err, tt.missing)
			}
		})
	}
	c, err := New(Config{ClientID: "id", ClientSecret: "s", WebhookID: "wh"})
	if err != nil || c.pp.APIBase != APIBaseLive {
		t.Fatalf("New = %v, %v; want a live client", c, err)
	}
	// PayPal never charges a saved method, so dunning never finds it a charger.
	if _, ok := any(c).(interface {
		Charge(context.Context, gateway.ChargeRequest) (gateway.ChargeResult, error)
	}); ok {
		t.Fatal("the PayPal client charges saved methods")
	}
}

func TestAccessToken(t *testing.T) {
	sim, base := startSim(t)
	ctx := context.Background()
	amount := money.MustNew(2900, "EUR")

	t.Run("fetched once and reused", func(t *testing.T) {
		c := newClient(t, base)
		for i := range 3 {
			if _, _, err := c.CreateOrder(ctx, OrderRequest{InvoiceID: "inv_tok", Amount: amount}); err != nil {
				t.Fatalf("call %d: %v", i, err)
			}
		}
		if got := sim.Stats().Tokens; got != 1 {
			t.Fatalf("tokens issued = %d, want 1", got)
		}
	})

	t.Run("wrong secret", func(t *testing.T) {
		c := newClient(t, base, func(cfg *Config) { cfg.ClientSecret = "wrong" })
		_, _, err := c.CreateOrder(ctx, OrderRequest{InvoiceID: "inv_tok", Amount: amount})
		e := apiError(t, err)
		if e.Status != http.StatusUnauthorized || e.Name != "invalid_client" || e.Retryable() {
			t.Fatalf("error = %+v, want a non-retryable 401 invalid_client", e)
		}
		if !strings.Contains(err.Error(), "invalid_client") || !strings.Contains(err.Error(), "/v1/oauth2/token") {
			t.Fatalf("error %q does not name the refusal", err)
		}
	})

	t.Run("API call without a token", func(t *testing.T) {
		resp, err := http.Post(base+"/v2/checkout/orders", "application/json", strings.NewReader(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct{ Name, Message, DebugID string }
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusUnauthorized || body.Name != "AUTHENTICATION_FAILURE" || body.Message == "" {
			t.Fatalf("got %d %+v, want 401 AUTHENTICATION_FAILURE", resp.StatusCode, body)
		}
	})
}

func TestOrderCreateApproveCapture(t *testing.T) {
	tests := []struct {
		name   string
		amount money.Amount
		value  string // what PayPal sees
	}{
		{"EUR", money.MustNew(2999, "EUR"), "29.99"},
		{"EUR cent", money.MustNew(1, "EUR"), "0.01"},
		{"JPY without decimals", money.MustNew(1500, "JPY"), "1500"},
		{"HUF in whole forints", money.MustNew(1250000, "HUF"), "12500"},
		{"USD large", money.MustNew(123456789, "USD"), "1234567.89"},
	}
	sim, c := setup(t)
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			invoice := "inv_" + strings.ReplaceAll(tt.name, " ", "_")
			id, approve, err := c.CreateOrder(ctx, OrderRequest{
				InvoiceID: invoice, CustomerID: "cus_1", Amount: tt.amount, Description: "Invoice " + invoice,
				ReturnURL: "https://portal.example.net/paypal/return?invoice=" + invoice, CancelURL: "https://portal.example.net/paypal/cancel",
			})
			if err != nil {
				t.Fatalf("CreateOrder: %v", err)
			}
			if !strings.Contains(approve, "token="+id) {
				t.Fatalf("approve link %q does not carry the order", approve)
			}

			// The buyer follows the link; PayPal sends them back with the order.
			noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := noRedirect.Get(approve)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			back, _ := url.Parse(resp.Header.Get("Location"))
			if resp.StatusCode != http.StatusFound || back.Query().Get("token") != id || back.Query().Get("invoice") != invoice || back.Query().Get("PayerID") == "" {
				t.Fatalf("approval answered %d to %q", resp.StatusCode, back)
			}

			res, err := c.CaptureOrder(ctx, id)
			if err != nil {
				t.Fatalf("CaptureOrder: %v", err)
			}
			if res.Status != gateway.StatusSucceeded || res.GatewayID == "" {
				t.Fatalf("CaptureOrder = %+v", res)
			}

			d := lastEvent(t, sim, EventCaptureCompleted)
			if !strings.Contains(string(d.Body), `"value":"`+tt.value+`"`) {
				t.Fatalf("capture event %s does not carry %q", d.Body, tt.value)
			}
			ev, err := ParseEvent(d.Body)
			if err != nil {
				t.Fatalf("ParseEvent: %v", err)
			}
			want := Payment{ID: res.GatewayID, Kind: KindCapture, Status: "COMPLETED", CustomID: invoice, OrderID: id, Amount: tt.amount}
			if ev.Payment == nil || *ev.Payment != want {
				t.Fatalf("event payment = %+v, want %+v", ev.Payment, want)
			}
		})
	}
}

func TestCreateOrderRefusesAmountsPayPalCannotTake(t *testing.T) {
	_, c := setup(t)
	for _, a := range []money.Amount{
		money.MustNew(0, "EUR"), money.MustNew(-100, "EUR"),
		money.MustNew(1250050, "HUF"), // 12500.50: PayPal has no fillér
		money.MustNew(1000, "KWD"),    // not a PayPal currency
	} {
		if _, _, err := c.CreateOrder(context.Background(), OrderRequest{InvoiceID: "inv_bad", Amount: a}); err == nil {
			t.Errorf("CreateOrder(%s) succeeded", a)
		}
	}
}

func TestCaptureBeforeApproval(t *testing.T) {
	sim, c := setup(t)
	id, _, err := c.CreateOrder(context.Background(), OrderRequest{InvoiceID: "inv_1", Amount: money.MustNew(500, "USD")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CaptureOrder(context.Background(), id)
	e := apiError(t, err)
	if e.Status != http.StatusUnprocessableEntity || e.Name != "UNPROCESSABLE_ENTITY" || !e.HasIssue("ORDER_NOT_APPROVED") || e.Retryable() || e.DebugID == "" {
		t.Fatalf("error = %+v, want 422 ORDER_NOT_APPROVED with a debug id", e)
	}
	if sim.Stats().Captures != 0 {
		t.Fatal("a capture was made")
	}

	_, err = c.CaptureOrder(context.Background(), "5O190127TN364715T")
	if e := apiError(t, err); e.Status != http.StatusNotFound || e.Name != "RESOURCE_NOT_FOUND" || !e.HasIssue("INVALID_RESOURCE_ID") {
		t.Fatalf("unknown order: %+v", e)
	}
}

func TestCreateOrderIsIdempotent(t *testing.T) {
	sim, c := setup(t)
	ctx := context.Background()
	req := OrderRequest{InvoiceID: "inv_42", Amount: money.MustNew(2900, "EUR")}
	first, _, err := c.CreateOrder(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	again, _, err := c.CreateOrder(ctx, req)
	if err != nil || again != first || sim.Stats().Orders != 1 {
		t.Fatalf("retry = %s, %v with %d orders; want %s and one order", again, err, sim.Stats().Orders, first)
	}
	req.Amount = money.MustNew(3500, "EUR") // the invoice changed: a new order
	changed, _, err := c.CreateOrder(ctx, req)
	if err != nil || changed == first || sim.Stats().Orders != 2 {
		t.Fatalf("changed amount = %s, %v with %d orders; want a second order", changed, err, sim.Stats().Orders)
	}
}

func TestInjectedFaults(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		retryAfter time.Duration
		wantName   string
	}{
		{"503", http.StatusServiceUnavailable, 0, "SERVICE_UNAVAILABLE"},
		{"500", http.StatusInternalServerError, 0, "INTERNAL_SERVER_ERROR"},
		{"429 with Retry-After", http.StatusTooManyRequests, 2 * time.Second, "RATE_LIMIT_REACHED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim, c := setup(t)
			req := OrderRequest{InvoiceID: "inv_fault", Amount: money.MustNew(1000, "USD")}
			sim.FailNext(1, tt.status, tt.retryAfter)
			_, _, err := c.CreateOrder(context.Background(), req)
			e := apiError(t, err)
			if e.Status != tt.status || e.Name != tt.wantName || !e.Retryable() || e.RetryAfter != tt.retryAfter {
				t.Fatalf("error = %+v, want retryable %d %s after %s", e, tt.status, tt.wantName, tt.retryAfter)
			}
			if tt.retryAfter > 0 && !strings.Contains(err.Error(), "retry after 2s") {
				t.Fatalf("error %q does not surface Retry-After", err)
			}
			if sim.Stats().Orders != 0 {
				t.Fatal("the failed call created an order")
			}
			if _, _, err := c.CreateOrder(context.Background(), req); err != nil || sim.Stats().Orders != 1 {
				t.Fatalf("retry: %v, %d orders", err, sim.Stats().Orders)
			}
		})
	}
}

func TestLatencyTimesOut(t *testing.T) {
	sim, base := startSim(t)
	c := newClient(t, base, func(cfg *Config) { cfg.HTTPClient = &http.Client{Timeout: 300 * time.Millisecond} })
	req := OrderRequest{InvoiceID: "inv_slow", Amount: money.MustNew(1000, "USD")}
	if _, _, err := c.CreateOrder(context.Background(), req); err != nil { // fetch the token in time
		t.Fatal(err)
	}
	sim.SetLatency(time.Second)
	if _, _, err := c.CreateOrder(context.Background(), req); err == nil {
		t.Fatal("a call slower than the client's timeout succeeded")
	}
	sim.SetLatency(0)
	if _, _, err := c.CreateOrder(context.Background(), req); err != nil {
		t.Fatal(err)
	}
}

// TestCaptureRetryAfterLostAnswer is the timeout after PayPal took the money:
// the retry must return that capture, never take a second one.
func TestCaptureRetryAfterLostAnswer(t *testing.T) {
	sim, c := setup(t)
	ctx := context.Background()
	id := approvedOrder(t, sim, c, "inv_drop", money.MustNew(4999, "EUR"))

	sim.DropNextResponse()
	_, err := c.CaptureOrder(ctx, id)
	var e *APIError
	if err == nil || errors.As(err, &e) {
		t.Fatalf("dropped capture returned %v; want a transport error", err)
	}
	captured, err := ParseEvent(lastEvent(t, sim, EventCaptureCompleted).Body)
	if err != nil {
		t.Fatal(err)
	}

	// Same PayPal-Request-Id: PayPal replays its answer.
	res, err := c.CaptureOrder(ctx, id)
	if err != nil || res.GatewayID != captured.Payment.ID || res.Status != gateway.StatusSucceeded {
		t.Fatalf("retry = %+v, %v; want capture %s", res, err, captured.Payment.ID)
	}
	// Once PayPal has forgotten the id it answers ORDER_ALREADY_CAPTURED,
	// and the client reads the capture from the order.
	sim.ForgetRequestIDs()
	res, err = c.CaptureOrder(ctx, id)
	if err != nil || res.GatewayID != captured.Payment.ID || res.Status != gateway.StatusSucceeded {
		t.Fatalf("late retry = %+v, %v; want capture %s", res, err, captured.Payment.ID)
	}
	if n := sim.Stats().Captures; n != 1 {
		t.Fatalf("%d captures, want 1", n)
	}
}

func TestEnsurePlan(t *testing.T) {
	tests := []struct {
		name   string
		amount money.Amount
		unit   string
		count  int
	}{
		{"monthly EUR", money.MustNew(2900, "EUR"), "MONTH", 1},
		{"quarterly EUR cents", money.MustNew(8997, "EUR"), "MONTH", 3},
		{"yearly JPY", money.MustNew(36000, "JPY"), "YEAR", 1},
	}
	sim, c := setup(t)
	ctx := context.Background()
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := PlanSpec{PlanPriceID: "pp_" + tt.name, Name: "VPS S " + tt.name, Amount: tt.amount, IntervalUnit: tt.unit, IntervalCount: tt.count}
			id, err := c.EnsurePlan(ctx, spec)
			if err != nil {
				t.Fatalf("EnsurePlan: %v", err)
			}
			if got := sim.Stats(); got.Products != 1 || got.Plans != i+1 {
				t.Fatalf("after create: %+v; want one product and %d plans", got, i+1)
			}
			plan, err := c.pp.GetSubscriptionPlan(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			price, err := parseAmount(plan.BillingCycles[0].PricingScheme.FixedPrice.Value, plan.BillingCycles[0].PricingScheme.FixedPrice.Currency)
			if err != nil || price != tt.amount || plan.ProductId != ProductID {
				t.Fatalf("plan price %v (%v) under %s; want %s under %s", price, err, plan.ProductId, tt.amount, ProductID)
			}

			stored := spec
			stored.ExistingPlanID = id
			if again, err := c.EnsurePlan(ctx, stored); err != nil || again != id {
				t.Fatalf("EnsurePlan with the stored plan = %s, %v; want %s", again, err, id)
			}
			// The id was lost (a crash before storing it): the request id
			// makes PayPal answer with the same plan.
			if again, err := c.EnsurePlan(ctx, spec); err != nil || again != id {
				t.Fatalf("EnsurePlan without the stored plan = %s, %v; want %s", again, err, id)
			}
			if got := sim.Stats(); got.Products != 1 || got.Plans != i+1 {
				t.Fatalf("after reuse: %+v", got)
			}
		})
	}

	t.Run("price change makes a new plan", func(t *testing.T) {
		spec := PlanSpec{PlanPriceID: "pp_change", Name: "VPS M", Amount: money.MustNew(4900, "EUR"), IntervalUnit: "MONTH"}
		old, err := c.EnsurePlan(ctx, spec)
		if err != nil {
			t.Fatal(err)
		}
		spec.ExistingPlanID, spec.Amount = old, money.MustNew(5900, "EUR")
		id, err := c.EnsurePlan(ctx, spec)
		if err != nil || id == old {
			t.Fatalf("EnsurePlan after a price change = %s, %v; want a plan other than %s", id, err, old)
		}
	})

	t.Run("deactivated plan is activated", func(t *testing.T) {
		spec := PlanSpec{PlanPriceID: "pp_inactive", Name: "VPS L", Amount: money.MustNew(9900, "EUR"), IntervalUnit: "MONTH"}
		id, err := c.EnsurePlan(ctx, spec)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.pp.DeactivateSubscriptionPlans(ctx, id); err != nil {
			t.Fatal(err)
		}
		spec.ExistingPlanID = id
		if again, err := c.EnsurePlan(ctx, spec); err != nil || again != id {
			t.Fatalf("EnsurePlan = %s, %v; want %s", again, err, id)
		}
		if plan, err := c.pp.GetSubscriptionPlan(ctx, id); err != nil || plan.Status != "ACTIVE" {
			t.Fatalf("plan status %v, %v; want ACTIVE", plan.Status, err)
		}
	})

	t.Run("unknown stored plan is replaced", func(t *testing.T) {
		spec := PlanSpec{PlanPriceID: "pp_gone", Name: "VPS XL", Amount: money.MustNew(19900, "EUR"), IntervalUnit: "MONTH", ExistingPlanID: "P-0000000000000000000000GONE"}
		if id, err := c.EnsurePlan(ctx, spec); err != nil || id == spec.ExistingPlanID {
			t.Fatalf("EnsurePlan = %s, %v; want a new plan", id, err)
		}
	})

	t.Run("invalid specs", func(t *testing.T) {
		for _, spec := range []PlanSpec{
			{PlanPriceID: "x", Name: "x", Amount: money.MustNew(100, "EUR"), IntervalUnit: "FORTNIGHT"},
			{PlanPriceID: "x", Name: "x", Amount: money.MustNew(100, "EUR"), IntervalUnit: "YEAR", IntervalCount: 2},
			{PlanPriceID: "x", Name: "x", Amount: money.MustNew(0, "EUR"), IntervalUnit: "MONTH"},
			{Name: "x", Amount: money.MustNew(100, "EUR"), IntervalUnit: "MONTH"},
		} {
			if _, err := c.EnsurePlan(ctx, spec); err == nil {
				t.Errorf("EnsurePlan(%+v) succeeded", spec)
			}
		}
	})
}

func TestSubscriptionLifecycle(t *testing.T) {
	sim, c := setup(t)
	ctx := context.Background()
	small, err := c.EnsurePlan(ctx, PlanSpec{PlanPriceID: "pp_s", Name: "VPS S", Amount: money.MustNew(2900, "EUR"), IntervalUnit: "MONTH"})
	if err != nil {
		t.Fatal(err)
	}
	large, err := c.EnsurePlan(ctx, PlanSpec{PlanPriceID: "pp_l", Name: "VPS L", Amount: money.MustNew(7900, "EUR"), IntervalUnit: "MONTH"})
	if err != nil {
		t.Fatal(err)
	}
	status := func(id, wantStatus, wantPlan string) {
		t.Helper()
		st, plan, err := sim.SubscriptionStatus(id)
		if err != nil || st != wantStatus || plan != wantPlan {
			t.Fatalf("subscription %s is %s on %s (%v); want %s on %s", id, st, plan, err, wantStatus, wantPlan)
		}
	}

	id, approve, err := c.CreateSubscription(ctx, small, "sub_7h3k2", SubscriptionOptions{
		Email: "jane@acme.example", GivenName: "Jane", Surname: "Doe",
		ReturnURL: "https://portal.example.net/paypal/return", CancelURL: "https://portal.example.net/paypal/cancel",
	})
	if err != nil {
		t.Fatalf("CreateSubscription: %v", err)
	}
	if !strings.HasPrefix(id, "I-") || !strings.Contains(approve, "ba_token=BA-") {
		t.Fatalf("CreateSubscription = %s, %s", id, approve)
	}
	status(id, "APPROVAL_PENDING", small)
	if err := c.CancelSubscription(ctx, id, "abandoned"); !isIssue(err, "SUBSCRIPTION_STATUS_INVALID") {
		t.Fatalf("cancelling a pending subscription: %v; want SUBSCRIPTION_STATUS_INVALID", err)
	}

	// Approval activates it and PayPal charges the first month.
	if err := sim.Approve(id); err != nil {
		t.Fatal(err)
	}
	status(id, "ACTIVE", small)
	activated, err := ParseEvent(lastEvent(t, sim, EventSubscriptionActivated).Body)
	if err != nil || *activated.Subscription != (Subscription{ID: id, Status: "ACTIVE", PlanID: small, CustomID: "sub_7h3k2"}) {
		t.Fatalf("activation event = %+v, %v", activated.Subscription, err)
	}
	first, err := ParseEvent(lastEvent(t, sim, EventSaleCompleted).Body)
	if err != nil || first.Payment.SubscriptionID != id || first.Payment.Amount != money.MustNew(2900, "EUR") || first.Payment.CustomID != "sub_7h3k2" {
		t.Fatalf("first sale = %+v, %v", first.Payment, err)
	}

	// An upgrade waits for the customer's consent at the returned link.
	consent, err := c.ReviseSubscription(ctx, id, large, "https://portal.example.net/paypal/revised", "https://portal.example.net/paypal/cancel")
	if err != nil || consent == "" {
		t.Fatalf("ReviseSubscription = %q, %v", consent, err)
	}
	status(id, "ACTIVE", small)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Get(consent)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, "https://portal.example.net/paypal/revised?") || !strings.Contains(loc, "subscription_id="+id) {
		t.Fatalf("consent redirected to %q", loc)
	}
	status(id, "ACTIVE", large)

	if _, err := c.ReviseSubscription(ctx, id, "P-UNKNOWN000000000000000000", "", ""); !isStatus(err, http.StatusNotFound) {
		t.Fatalf("revise to an unknown plan: %v", err)
	}

	if err := c.CancelSubscription(ctx, id, "Customer requested cancellation"); err != nil {
		t.Fatalf("CancelSubscription: %v", err)
	}
	status(id, "CANCELLED", large)
	if err := c.CancelSubscription(ctx, id, ""); err != nil {
		t.Fatalf("cancelling again: %v", err)
	}
	cancelled, err := ParseEvent(lastEvent(t, sim, EventSubscriptionCancelled).Body)
	if err != nil || cancelled.Subscription.Status != "CANCELLED" || cancelled.Subscription.CustomID != "sub_7h3k2" {
		t.Fatalf("cancel event = %+v, %v", cancelled.Subscription, err)
	}
}

func TestCompleteSaleWebhook(t *testing.T) {
	tests := []struct {
		name   string
		price  money.Amount
		charge money.Amount
	}{
		{"EUR", money.MustNew(2900, "EUR"), money.MustNew(2900, "EUR")},
		{"EUR odd cents", money.MustNew(1990, "EUR"), money.MustNew(1337, "EUR")},
		{"JPY", money.MustNew(3000, "JPY"), money.MustNew(3000, "JPY")},
		{"TWD whole dollars", money.MustNew(30000, "TWD"), money.MustNew(30000, "TWD")},
	}
	sim, c := setup(t)
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := c.EnsurePlan(ctx, PlanSpec{PlanPriceID: "pp_" + tt.name, Name: tt.name, Amount: tt.price, IntervalUnit: "MONTH"})
			if err != nil {
				t.Fatal(err)
			}
			sub, _, err := c.CreateSubscription(ctx, plan, "sub_"+tt.name, SubscriptionOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if err := sim.Approve(sub); err != nil {
				t.Fatal(err)
			}
			d, err := sim.CompleteSale(sub, tt.charge)
			if err != nil {
				t.Fatalf("CompleteSale: %v", err)
			}
			ev, err := c.VerifyWebhook(ctx, d.Header, d.Body)
			if err != nil {
				t.Fatalf("VerifyWebhook: %v", err)
			}
			if ev.ID != d.ID || ev.Type != EventSaleCompleted || string(ev.Payload) != string(d.Body) {
				t.Fatalf("VerifyWebhook = %+v", ev)
			}
			parsed, err := ParseEvent(ev.Payload)
			if err != nil {
				t.Fatalf("ParseEvent: %v", err)
			}
			p := parsed.Payment
			if p == nil || p.Kind != KindSale || p.SubscriptionID != sub || p.Amount != tt.charge || p.CustomID != "sub_"+tt.name || p.ID == "" {
				t.Fatalf("sale = %+v, want %s on %s", p, tt.charge, sub)
			}
			if parsed.Created.IsZero() || time.Since(parsed.Created) > time.Minute {
				t.Fatalf("created %v", parsed.Created)
			}
		})
	}
}

func TestVerifyWebhookRefusals(t *testing.T) {
	sim, base := startSim(t)
	c := newClient(t, base)
	ctx := context.Background()
	good, err := sim.Event(EventCaptureCompleted, map[string]any{
		"id": "3C679366HH908993F", "status": "COMPLETED", "custom_id": "inv_9f2a",
		"amount": map[string]string{"currency_code": "EUR", "value": "29.00"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.VerifyWebhook(ctx, good.Header, good.Body); err != nil {
		t.Fatalf("genuine event refused: %v", err)
	}

	without := func(name string) http.Header {
		h := good.Header.Clone()
		h.Del(name)
		return h
	}
	otherSig := good.Header.Clone()
	otherSig.Set("Paypal-Transmission-Sig", "bm90IGEgc2lnbmF0dXJl")
	tests := []struct {
		name   string
		client *Client
		header http.Header
		body   []byte
	}{
		{"tampered amount", c, good.Header, []byte(strings.Replace(string(good.Body), `"29.00"`, `"2900.00"`, 1))},
		{"tampered invoice", c, good.Header, []byte(strings.Replace(string(good.Body), "inv_9f2a", "inv_other", 1))},
		{"another signature", c, otherSig, good.Body},
		{"missing signature header", c, without("Paypal-Transmission-Sig"), good.Body},
		{"another webhook id", newClient(t, base, func(cfg *Config) { cfg.WebhookID = "OTHER" }), good.Header, good.Body},
		{"not an event", c, good.Header, []byte(`{"hello": "world"}`)},
		{"too large", c, good.Header, []byte(`{"id":"WH-1","event_type":"X","pad":"` + strings.Repeat("x", MaxWebhookBody) + `"}`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.client.VerifyWebhook(ctx, tt.header, tt.body); !errors.Is(err, gateway.ErrBadSignature) {
				t.Fatalf("VerifyWebhook error = %v, want ErrBadSignature", err)
			}
		})
	}

	t.Run("PayPal unavailable", func(t *testing.T) {
		sim.FailNext(1, http.StatusServiceUnavailable, 0)
		_, err := c.VerifyWebhook(ctx, good.Header, good.Body)
		var e *APIError
		if !errors.Is(err, gateway.ErrBadSignature) || !errors.As(err, &e) || !e.Retryable() {
			t.Fatalf("VerifyWebhook error = %v, want ErrBadSignature wrapping a retryable APIError", err)
		}
	})

	t.Run("reformatted but unchanged", func(t *testing.T) {
		var v any
		if err := json.Unmarshal(good.Body, &v); err != nil {
			t.Fatal(err)
		}
		pretty, _ := json.MarshalIndent(v, "", "  ")
		if _, err := c.VerifyWebhook(ctx, good.Header, pretty); err != nil {
			t.Fatalf("re-indented event refused: %v", err)
		}
	})
}

func TestRefundCapture(t *testing.T) {
	sim, c := setup(t)
	ctx := context.Background()
	order := approvedOrder(t, sim, c, "inv_refund", money.MustNew(2900, "EUR"))
	charge, err := c.CaptureOrder(ctx, order)
	if err != nil {
		t.Fatal(err)
	}
	refund := func(minor int64, key string) (gateway.RefundResult, error) {
		return c.Refund(ctx, gateway.RefundRequest{PaymentGatewayID: charge.GatewayID, Amount: money.MustNew(minor, "EUR"), Reason: "Partial refund", IdempotencyKey: key})
	}

	partial, err := refund(1000, "cn_1")
	if err != nil || partial.Status != gateway.StatusSucceeded || partial.GatewayID == "" {
		t.Fatalf("partial refund = %+v, %v", partial, err)
	}
	if again, err := refund(1000, "cn_1"); err != nil || again != partial || sim.Stats().Refunds != 1 {
		t.Fatalf("replayed refund = %+v, %v with %d refunds; want %+v once", again, err, sim.Stats().Refunds, partial)
	}
	ev, err := ParseEvent(lastEvent(t, sim, EventCaptureRefunded).Body)
	want := Refund{ID: partial.GatewayID, Kind: KindCapture, PaymentID: charge.GatewayID, Status: "COMPLETED", Amount: money.MustNew(1000, "EUR")}
	if err != nil || ev.Refund == nil || *ev.Refund != want {
		t.Fatalf("refund event = %+v, %v; want %+v", ev.Refund, err, want)
	}

	_, err = refund(1901, "cn_2") // 19.01 of the 19.00 left
	if e := apiError(t, err); e.Status != http.StatusUnprocessableEntity || !e.HasIssue("REFUND_AMOUNT_EXCEEDED") {
		t.Fatalf("over-refund: %+v", e)
	}
	if rest, err := refund(1900, "cn_3"); err != nil || rest.Status != gateway.StatusSucceeded {
		t.Fatalf("refund of the rest = %+v, %v", rest, err)
	}
	if _, err := refund(1, "cn_4"); !isIssue(err, "CAPTURE_FULLY_REFUNDED") {
		t.Fatalf("refund of a refunded capture: %v", err)
	}
	if _, err := c.Refund(ctx, gateway.RefundRequest{PaymentGatewayID: charge.GatewayID, Amount: money.MustNew(100, "USD")}); !isIssue(err, "REFUND_CAPTURE_CURRENCY_MISMATCH") && !isIssue(err, "CAPTURE_FULLY_REFUNDED") {
		t.Fatalf("refund in another currency: %v", err)
	}
}

func TestRefundSale(t *testing.T) {
	sim, c := setup(t)
	ctx := context.Background()
	plan, err := c.EnsurePlan(ctx, PlanSpec{PlanPriceID: "pp_jpy", Name: "Game server", Amount: money.MustNew(1500, "JPY"), IntervalUnit: "MONTH"})
	if err != nil {
		t.Fatal(err)
	}
	sub, _, err := c.CreateSubscription(ctx, plan, "sub_jpy", SubscriptionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Approve(sub); err != nil {
		t.Fatal(err)
	}
	d, err := sim.CompleteSale(sub, money.MustNew(1500, "JPY"))
	if err != nil {
		t.Fatal(err)
	}
	sale, err := ParseEvent(d.Body)
	if err != nil {
		t.Fatal(err)
	}
	req := gateway.RefundRequest{PaymentGatewayID: sale.Payment.ID, Amount: money.MustNew(500, "JPY"), Reason: "Goodwill", IdempotencyKey: "cn_jpy_1"}

	// Refund tries the capture API first; the sale id is unknown there.
	partial, err := c.Refund(ctx, req)
	if err != nil || partial.Status != gateway.StatusSucceeded {
		t.Fatalf("partial sale refund = %+v, %v", partial, err)
	}
	if again, err := c.RefundSale(ctx, req); err != nil || again != partial || sim.Stats().Refunds != 1 {
		t.Fatalf("replayed sale refund = %+v, %v", again, err)
	}
	ev, err := ParseEvent(lastEvent(t, sim, EventSaleRefunded).Body)
	want := Refund{ID: partial.GatewayID, Kind: KindSale, PaymentID: sale.Payment.ID, Status: "completed", Amount: money.MustNew(500, "JPY")}
	if err != nil || ev.Refund == nil || *ev.Refund != want {
		t.Fatalf("sale refund event = %+v, %v; want %+v", ev.Refund, err, want)
	}

	req.Amount, req.IdempotencyKey = money.MustNew(1001, "JPY"), "cn_jpy_2"
	_, err = c.Refund(ctx, req)
	if e := apiError(t, err); e.Status != http.StatusBadRequest || e.Name != "REFUND_EXCEEDED_TRANSACTION_AMOUNT" || !e.HasIssue("REFUND_EXCEEDED_TRANSACTION_AMOUNT") {
		t.Fatalf("over-refund of a sale: %+v", e)
	}
	req.Amount, req.IdempotencyKey = money.MustNew(1000, "JPY"), "cn_jpy_3"
	if _, err := c.Refund(ctx, req); err != nil {
		t.Fatalf("refund of the rest: %v", err)
	}
	req.Amount, req.IdempotencyKey = money.MustNew(1, "JPY"), "cn_jpy_4"
	if _, err := c.Refund(ctx, req); !isIssue(err, "TRANSACTION_ALREADY_REFUNDED") {
		t.Fatalf("refund of a refunded sale: %v", err)
	}
	req.PaymentGatewayID = "NOSUCHPAYMENT0000"
	if _, err := c.Refund(ctx, req); !isStatus(err, http.StatusNotFound) {
		t.Fatalf("refund of an unknown payment: %v", err)
	}
}

func TestParseEventSamples(t *testing.T) {
	tests := []struct {
		name string
		body string
		want Event
	}{
		{
			name: "sale refund with a negative total",
			body: `{"id":"WH-2N242548W9943490U-1JU23391CS4765624","create_time":"2017-01-01T10:00:00Z","resource_type":"sale","event_type":"PAYMENT.SALE.REFUNDED",
				"resource":{"id":"4CF18861HF410323U","state":"completed","amount":{"total":"-0.01","currency":"USD"},"sale_id":"6GR1339578830245H","billing_agreement_id":"I-BW452GLLEP1G"}}`,
			want: Event{ID: "WH-2N242548W9943490U-1JU23391CS4765624", Type: EventSaleRefunded, Created: time.Date(2017, 1, 1, 10, 0, 0, 0, time.UTC),
				Refund: &Refund{ID: "4CF18861HF410323U", Kind: KindSale, PaymentID: "6GR1339578830245H", Status: "completed", Amount: money.MustNew(1, "USD"), SubscriptionID: "I-BW452GLLEP1G"}},
		},
		{
			name: "capture denied",
			body: `{"id":"WH-1TW85072SJ7764036-40M00902YF732543P","create_time":"2025-06-03T02:06:09.376Z","resource_type":"capture","event_type":"PAYMENT.CAPTURE.DENIED",
				"resource":{"id":"3C679366HH908993F","status":"DECLINED","amount":{"currency_code":"EUR","value":"29.00"},"custom_id":"inv_9f2a",
				"links":[{"href":"https://api.sandbox.paypal.com/v2/checkout/orders/5O190127TN364715T","rel":"up","method":"GET"}]}}`,
			want: Event{ID: "WH-1TW85072SJ7764036-40M00902YF732543P", Type: EventCaptureDenied, Created: time.Date(2025, 6, 3, 2, 6, 9, 376e6, time.UTC),
				Payment: &Payment{ID: "3C679366HH908993F", Kind: KindCapture, Status: "DECLINED", CustomID: "inv_9f2a", OrderID: "5O190127TN364715T", Amount: money.MustNew(2900, "EUR")}},
		},
		{
			name: "capture refunded, normalised amount",
			body: `{"id":"WH-1GE84257G0350133W-6RW800890C634293G","create_time":"2025-06-10T10:12:47.543Z","event_type":"PAYMENT.CAPTURE.REFUNDED",
				"resource":{"id":"1JU08902781691411","status":"COMPLETED","amount":{"currency_code":"EUR","value":"10.0"},
				"links":[{"href":"https://api.sandbox.paypal.com/v2/payments/captures/3C679366HH908993F","rel":"up","method":"GET"}]}}`,
			want: Event{ID: "WH-1GE84257G0350133W-6RW800890C634293G", Type: EventCaptureRefunded, Created: time.Date(2025, 6, 10, 10, 12, 47, 543e6, time.UTC),
				Refund: &Refund{ID: "1JU08902781691411", Kind: KindCapture, PaymentID: "3C679366HH908993F", Status: "COMPLETED", Amount: money.MustNew(1000, "EUR")}},
		},
		{
			name: "payment failed from PayPal's simulator, invalid date",
			body: `{"id":"WH-77687562XN25889J2-8Y6T55435R66168T4","create_time":"2018-19-12T22:20:32.000Z","event_type":"BILLING.SUBSCRIPTION.PAYMENT.FAILED",
				"resource":{"id":"I-BW452GLLEP1G","plan_id":"P-5ML4271244454362WXNWU5NQ","status":"ACTIVE","custom_id":"sub_7h3k2","billing_info":{"failed_payments_count":1}}}`,
			want: Event{ID: "WH-77687562XN25889J2-8Y6T55435R66168T4", Type: EventSubscriptionPaymentFailed,
				Subscription: &Subscription{ID: "I-BW452GLLEP1G", Status: "ACTIVE", PlanID: "P-5ML4271244454362WXNWU5NQ", CustomID: "sub_7h3k2", FailedPayments: 1}},
		},
		{
			name: "unknown type",
			body: `{"id":"WH-1","event_type":"CUSTOMER.DISPUTE.CREATED","resource":{"dispute_id":"PP-D-1"}}`,
			want: Event{ID: "WH-1", Type: "CUSTOMER.DISPUTE.CREATED"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseEvent([]byte(tt.body))
			if err != nil {
				t.Fatalf("ParseEvent: %v", err)
			}
			gotJSON, _ := json.Marshal(got)
			wantJSON, _ := json.Marshal(tt.want)
			if string(gotJSON) != string(wantJSON) {
				t.Fatalf("ParseEvent =\n%s\nwant\n%s", gotJSON, wantJSON)
			}
		})
	}

	for _, body := range []string{
		`not json`,
		`{"event_type":"PAYMENT.SALE.COMPLETED"}`,
		`{"id":"WH-1","event_type":"PAYMENT.SALE.COMPLETED","resource":{"id":"S1","amount":{"total":"1.005","currency":"USD"}}}`,
		`{"id":"WH-1","event_type":"PAYMENT.CAPTURE.COMPLETED","resource":{"id":"C1","amount":{"currency_code":"XXQ","value":"1.00"}}}`,
		`{"id":"WH-1","event_type":"PAYMENT.CAPTURE.REFUNDED","resource":{"id":"R1","amount":{"currency_code":"EUR","value":"1.00"}}}`,
	} {
		if ev, err := ParseEvent([]byte(body)); err == nil {
			t.Errorf("ParseEvent(%s) = %+v, want an error", body, ev)
		}
	}
}

// TestConcurrentUse runs whole payments in parallel on one client, for the
// race detector.
func TestConcurrentUse(t *testing.T) {
	sim, c := setup(t)
	ctx := context.Background()
	errs := make(chan error, 8)
	for i := range 8 {
		go func() {
			errs <- func() error {
				id, _, err := c.CreateOrder(ctx, OrderRequest{InvoiceID: fmt.Sprint("inv_par_", i), Amount: money.MustNew(int64(100+i), "USD")})
				if err != nil {
					return err
				}
				if err := sim.Approve(id); err != nil {
					return err
				}
				res, err := c.CaptureOrder(ctx, id)
				if err != nil {
					return err
				}
				_, err = c.Refund(ctx, gateway.RefundRequest{PaymentGatewayID: res.GatewayID, Amount: money.MustNew(50, "USD"), IdempotencyKey: fmt.Sprint("cn_par_", i)})
				return err
			}()
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if got := sim.Stats(); got.Orders != 8 || got.Captures != 8 || got.Refunds != 8 || got.Tokens != 1 {
		t.Fatalf("stats %+v", got)
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"short", 127, "short"},
		{"exactly", 7, "exactly"},
		{"héllo", 2, "h"}, // never half an é
		{"héllo", 3, "hé"},
	}
	for _, tt := range tests {
		if got := truncate(tt.in, tt.n); got != tt.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

// TestNonJSONErrorKeepsStatus is a proxy in front of PayPal answering HTML:
// the caller must still see a retryable 502, not a JSON syntax error.
func TestNonJSONErrorKeepsStatus(t *testing.T) {
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte("<html><body>502 Bad Gateway</body></html>"))
	}))
	defer proxy.Close()
	c := newClient(t, proxy.URL)
	_, _, err := c.CreateOrder(context.Background(), OrderRequest{InvoiceID: "inv_proxy", Amount: money.MustNew(100, "USD")})
	if e := apiError(t, err); e.Status != http.StatusBadGateway || e.Name != "BAD_GATEWAY" || !e.Retryable() || !strings.Contains(e.Message, "502 Bad Gateway") {
		t.Fatalf("error = %+v", e)
	}
}

// TestSimulatorDeliversWebhooks is dev mode: the simulator posts its events
// to the app, retrying a receiver that is not ready yet.
func TestSimulatorDeliversWebhooks(t *testing.T) {
	type received struct {
		header http.Header
		body   []byte
	}
	got := make(chan received, 10)
	var calls atomic.Int32
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if calls.Add(1) == 1 { // the app is still starting
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		got <- received{r.Header, body}
	}))
	defer receiver.Close()

	sim := paypalsim.New(paypalsim.Options{ClientID: testClientID, ClientSecret: testSecret, WebhookID: testWebhookID, WebhookURL: receiver.URL})
	base, stop := sim.Start()
	defer stop()
	c := newClient(t, base)
	ctx := context.Background()
	order, _, err := c.CreateOrder(ctx, OrderRequest{InvoiceID: "inv_dev", Amount: money.MustNew(1200, "GBP")})
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Approve(order); err != nil { // CHECKOUT.ORDER.APPROVED, refused once, then delivered
		t.Fatal(err)
	}
	select {
	case r := <-got:
		ev, err := c.VerifyWebhook(ctx, r.header, r.body)
		if err != nil || ev.Type != "CHECKOUT.ORDER.APPROVED" {
			t.Fatalf("delivered event %+v, %v", ev, err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no delivery")
	}
}
