package paypalsim

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/ezscale/billing/money"
	"github.com/plutov/paypal/v4"
)

// These tests drive the simulator with plutov directly, the way the
// contract says the library behaves, including its quirks.

const (
	testClientID  = "test-client-id"
	testSecret    = "test-secret"
	testWebhookID = "8PT597110X687430LKGECATA"
)

// lastEvent is the latest delivery of eventType.
func lastEvent(t *testing.T, sim *Simulator, eventType string) Delivery {
	t.Helper()
	events := sim.Events()
	for i := len(events) - 1; i >= 0; i-- {
		if events[i].Type == eventType {
			return events[i]
		}
	}
	t.Fatalf("no %s event among %d", eventType, len(events))
	return Delivery{}
}

// startSim serves a fresh simulator for one test.
func startSim(t *testing.T) (*Simulator, string) {
	t.Helper()
	sim := New(Options{ClientID: testClientID, ClientSecret: testSecret, WebhookID: testWebhookID})
	base, stop := sim.Start()
	t.Cleanup(stop)
	return sim, base
}

func plutov(t *testing.T, base string) *paypal.Client {
	t.Helper()
	c, err := paypal.NewClient(testClientID, testSecret, base)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// ppError asserts a plutov error with a status and an issue (or v1 name).
func ppError(t *testing.T, err error, status int, issue string) {
	t.Helper()
	var e *paypal.ErrorResponse
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not a PayPal error answer", err)
	}
	if e.Response.StatusCode != status || e.DebugID == "" || e.Message == "" {
		t.Fatalf("error %d %+v, want %d with message and debug_id", e.Response.StatusCode, e, status)
	}
	if e.Name == issue {
		return
	}
	for _, d := range e.Details {
		if d.Issue == issue {
			return
		}
	}
	t.Fatalf("error %+v does not name %s", e, issue)
}

func createTestPlan(t *testing.T, pp *paypal.Client, price string) string {
	t.Helper()
	ctx := context.Background()
	if _, err := pp.GetProduct(ctx, "PROD-SIMTEST"); err != nil {
		if _, err := pp.CreateProduct(ctx, paypal.Product{ID: "PROD-SIMTEST", Name: "Sim test", Type: paypal.ProductTypeService}); err != nil {
			t.Fatal(err)
		}
	}
	plan, err := pp.CreateSubscriptionPlan(ctx, paypal.SubscriptionPlan{
		ProductId: "PROD-SIMTEST", Name: "Plan " + price, Status: paypal.SubscriptionPlanStatusActive,
		BillingCycles: []paypal.BillingCycle{{
			PricingScheme: paypal.PricingScheme{FixedPrice: paypal.Money{Currency: "EUR", Value: price}},
			Frequency:     paypal.Frequency{IntervalUnit: paypal.IntervalUnitMonth, IntervalCount: 1},
			TenureType:    paypal.TenureTypeRegular, Sequence: 1,
		}},
		PaymentPreferences: &paypal.PaymentPreferences{PaymentFailureThreshold: 2},
	})
	if err != nil {
		t.Fatalf("CreateSubscriptionPlan: %v", err)
	}
	return plan.ID
}

func TestSimulatorPlans(t *testing.T) {
	_, base := startSim(t)
	pp := plutov(t, base)
	ctx := context.Background()
	id := createTestPlan(t, pp, "29.00")

	plan, err := pp.GetSubscriptionPlan(ctx, id)
	if err != nil || plan.BillingCycles[0].PricingScheme.FixedPrice.Value != "29.0" || plan.Status != "ACTIVE" {
		t.Fatalf("GetSubscriptionPlan = %+v, %v; want the price echoed as 29.0", plan, err)
	}
	list, err := pp.ListSubscriptionPlans(ctx, &paypal.SubscriptionPlanListParameters{ProductId: "PROD-SIMTEST"})
	if err != nil || len(list.Plans) != 1 || list.Plans[0].ID != id {
		t.Fatalf("ListSubscriptionPlans with empty query keys = %+v, %v", list, err)
	}
	if err := pp.ActivateSubscriptionPlan(ctx, id); err == nil {
		t.Fatal("activating an active plan succeeded")
	} else {
		ppError(t, err, http.StatusUnprocessableEntity, "PLAN_STATUS_INVALID")
	}
	if err := pp.UpdateSubscriptionPlanPricing(ctx, id, []paypal.PricingSchemeUpdate{{
		BillingCycleSequence: 1, PricingScheme: paypal.PricingScheme{FixedPrice: paypal.Money{Currency: "EUR", Value: "35.00"}},
	}}); err != nil {
		t.Fatalf("UpdateSubscriptionPlanPricing: %v", err)
	}
	if plan, _ := pp.GetSubscriptionPlan(ctx, id); plan.BillingCycles[0].PricingScheme.Version != 2 || plan.BillingCycles[0].PricingScheme.FixedPrice.Value != "35.0" {
		t.Fatalf("after the price update: %+v", plan.BillingCycles[0].PricingScheme)
	}
	err = pp.UpdateSubscriptionPlanPricing(ctx, id, []paypal.PricingSchemeUpdate{{
		BillingCycleSequence: 1, PricingScheme: paypal.PricingScheme{FixedPrice: paypal.Money{Currency: "USD", Value: "35.00"}},
	}})
	ppError(t, err, http.StatusUnprocessableEntity, "CURRENCY_MISMATCH")

	invalid := []struct {
		name   string
		edit   func(*paypal.SubscriptionPlan)
		status int
		issue  string
	}{
		{"empty status", func(p *paypal.SubscriptionPlan) { p.Status = "" }, http.StatusBadRequest, "INVALID_PARAMETER_VALUE"},
		{"no payment preferences", func(p *paypal.SubscriptionPlan) { p.PaymentPreferences = nil }, http.StatusBadRequest, "MISSING_REQUIRED_PARAMETER"},
		{"no regular cycle", func(p *paypal.SubscriptionPlan) {
			p.BillingCycles[0].TenureType, p.BillingCycles[0].TotalCycles = paypal.TenureTypeTrial, 1
		}, http.StatusUnprocessableEntity, "MISSING_REGULAR_BILLING_CYCLE"},
		{"three decimals", func(p *paypal.SubscriptionPlan) { p.BillingCycles[0].PricingScheme.FixedPrice.Value = "1.005" }, http.StatusUnprocessableEntity, "DECIMAL_PRECISION"},
		{"two years", func(p *paypal.SubscriptionPlan) {
			p.BillingCycles[0].Frequency = paypal.Frequency{IntervalUnit: "YEAR", IntervalCount: 2}
		}, http.StatusBadRequest, "INVALID_INTEGER_MAX_VALUE"},
		{"unknown product", func(p *paypal.SubscriptionPlan) { p.ProductId = "PROD-NONE" }, http.StatusNotFound, "INVALID_RESOURCE_ID"},
	}
	for _, tt := range invalid {
		t.Run(tt.name, func(t *testing.T) {
			p := paypal.SubscriptionPlan{
				ProductId: "PROD-SIMTEST", Name: "Bad", Status: paypal.SubscriptionPlanStatusActive,
				BillingCycles: []paypal.BillingCycle{{
					PricingScheme: paypal.PricingScheme{FixedPrice: paypal.Money{Currency: "EUR", Value: "5.00"}},
					Frequency:     paypal.Frequency{IntervalUnit: paypal.IntervalUnitMonth, IntervalCount: 1},
					TenureType:    paypal.TenureTypeRegular, Sequence: 1,
				}},
				PaymentPreferences: &paypal.PaymentPreferences{},
			}
			tt.edit(&p)
			_, err := pp.CreateSubscriptionPlan(ctx, p)
			ppError(t, err, tt.status, tt.issue)
		})
	}
}

func TestSimulatorSubscriptionControls(t *testing.T) {
	sim, base := startSim(t)
	pp := plutov(t, base)
	ctx := context.Background()
	plan := createTestPlan(t, pp, "10.00")
	sub, err := pp.CreateSubscription(ctx, paypal.SubscriptionBase{PlanID: plan, CustomID: "sub_x",
		Subscriber: &paypal.Subscriber{EmailAddress: "jane@acme.example"}, ApplicationContext: &paypal.ApplicationContext{}})
	if err != nil {
		t.Fatalf("CreateSubscription with plutov's empty nested objects: %v", err)
	}
	if sub.SubscriptionStatus != paypal.SubscriptionStatusApprovalPending || sub.StartTime == nil {
		t.Fatalf("created %+v", sub)
	}
	if err := sim.Approve(sub.ID); err != nil {
		t.Fatal(err)
	}

	ppError(t, pp.SuspendSubscription(ctx, sub.ID, ""), http.StatusBadRequest, "INVALID_STRING_MIN_LENGTH")
	if err := pp.SuspendSubscription(ctx, sub.ID, "Invoice overdue"); err != nil {
		t.Fatal(err)
	}
	ppError(t, pp.SuspendSubscription(ctx, sub.ID, "again"), http.StatusUnprocessableEntity, "SUBSCRIPTION_STATUS_INVALID")
	if _, err := sim.CompleteSale(sub.ID, money.MustNew(1000, "EUR")); err == nil {
		t.Fatal("a suspended subscription was charged")
	}
	if err := pp.ActivateSubscription(ctx, sub.ID, ""); err != nil {
		t.Fatalf("ActivateSubscription with plutov's empty reason: %v", err)
	}

	// Two failed renewals reach the plan's threshold of two.
	for range 2 {
		if _, err := sim.FailPayment(sub.ID, "PAYER_CANNOT_PAY"); err != nil {
			t.Fatal(err)
		}
	}
	if st, _, _ := sim.SubscriptionStatus(sub.ID); st != "SUSPENDED" {
		t.Fatalf("status after two failures = %s", st)
	}
	var failed struct {
		Resource struct {
			BillingInfo struct {
				FailedPaymentsCount int `json:"failed_payments_count"`
			} `json:"billing_info"`
		} `json:"resource"`
	}
	if err := json.Unmarshal(lastEvent(t, sim, "BILLING.SUBSCRIPTION.PAYMENT.FAILED").Body, &failed); err != nil || failed.Resource.BillingInfo.FailedPaymentsCount != 2 {
		t.Fatalf("payment failed event = %+v, %v", failed.Resource, err)
	}
	ppError(t, pp.ActivateSubscription(ctx, sub.ID, "paid"), http.StatusUnprocessableEntity, "SUBSCRIPTION_CANNOT_BE_ACTIVATED")

	_, err = pp.CaptureSubscription(ctx, sub.ID, paypal.CaptureRequest{Note: "x", CaptureType: paypal.CaptureTypeOutstandingBalance, Amount: paypal.Money{Currency: "EUR", Value: "20.01"}})
	ppError(t, err, http.StatusUnprocessableEntity, "AMOUNT_GREATER_THAN_OUTSTANDING_BALANCE")
	txn, err := pp.CaptureSubscription(ctx, sub.ID, paypal.CaptureRequest{Note: "Outstanding balance", CaptureType: paypal.CaptureTypeOutstandingBalance, Amount: paypal.Money{Currency: "EUR", Value: "20.00"}})
	if err != nil || txn.Status != "COMPLETED" || txn.AmountWithBreakdown.GrossAmount.Value != "20.00" {
		t.Fatalf("CaptureSubscription = %+v, %v", txn, err)
	}
	if err := pp.ActivateSubscription(ctx, sub.ID, "paid"); err != nil {
		t.Fatalf("activation after paying the balance: %v", err)
	}

	details, err := pp.GetSubscriptionDetails(ctx, sub.ID)
	if err != nil || details.BillingInfo.FailedPaymentsCount != 0 || details.BillingInfo.LastPayment.Amount.Value != "20.0" {
		t.Fatalf("GetSubscriptionDetails = %+v, %v", details.BillingInfo, err)
	}
	now := time.Now().UTC()
	txns, err := pp.GetSubscriptionTransactions(ctx, paypal.SubscriptionTransactionsParams{SubscriptionId: sub.ID, StartTime: now.Add(-time.Hour), EndTime: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	var statuses []string
	for _, tx := range txns.Transactions {
		statuses = append(statuses, string(tx.Status))
	}
	if got := strings.Join(statuses, ","); got != "COMPLETED,COMPLETED,DECLINED,DECLINED" {
		t.Fatalf("transactions %s; want the first cycle, the balance and two declines", got)
	}

	// plutov's RefundSale sends {"amount": null} for a full refund.
	refund, err := pp.RefundSale(ctx, txn.Id, nil)
	if err != nil || refund.State != "completed" || refund.Amount.Total != "20.00" {
		t.Fatalf("RefundSale = %+v, %v", refund, err)
	}
	_, err = pp.RefundSale(ctx, txn.Id, &paypal.Amount{Currency: "EUR", Total: "1.00"})
	ppError(t, err, http.StatusBadRequest, "TRANSACTION_ALREADY_REFUNDED")
}

func TestSimulatorErrorsAndIdempotency(t *testing.T) {
	_, base := startSim(t)
	pp := plutov(t, base)
	ctx := context.Background()

	for _, path := range []string{"/v1/billing/plans/P-NONE", "/v1/billing/subscriptions/I-NONE", "/v2/checkout/orders/NONE", "/v2/payments/captures/NONE", "/v1/nothing/here"} {
		req, _ := pp.NewRequest(ctx, http.MethodGet, base+path, nil)
		ppError(t, pp.SendWithAuth(req, &struct{}{}), http.StatusNotFound, "INVALID_RESOURCE_ID")
	}

	// Same PayPal-Request-Id, same answer, one object.
	create := func(requestID string) string {
		t.Helper()
		o, err := pp.CreateOrderWithPaypalRequestID(ctx, paypal.OrderIntentCapture, []paypal.PurchaseUnitRequest{{
			Amount: &paypal.PurchaseUnitAmount{Currency: "EUR", Value: "5.00"},
		}}, nil, nil, requestID)
		if err != nil {
			t.Fatal(err)
		}
		return o.ID
	}
	if a, b := create("req-1"), create("req-1"); a != b {
		t.Fatalf("same request id gave orders %s and %s", a, b)
	}
	if a, b := create("req-2"), create("req-3"); a == b {
		t.Fatal("different request ids gave one order")
	}

	// Invalid orders.
	for _, tt := range []struct {
		units  []paypal.PurchaseUnitRequest
		status int
		issue  string
	}{
		{nil, http.StatusBadRequest, "MISSING_REQUIRED_PARAMETER"},
		{[]paypal.PurchaseUnitRequest{{Amount: &paypal.PurchaseUnitAmount{Currency: "JPY", Value: "100.5"}}}, http.StatusUnprocessableEntity, "DECIMAL_PRECISION"},
		{[]paypal.PurchaseUnitRequest{{Amount: &paypal.PurchaseUnitAmount{Currency: "EUR", Value: "0.00"}}}, http.StatusUnprocessableEntity, "CANNOT_BE_ZERO_OR_NEGATIVE"},
		{[]paypal.PurchaseUnitRequest{{Amount: &paypal.PurchaseUnitAmount{Currency: "KWD", Value: "1.000"}}}, http.StatusUnprocessableEntity, "CURRENCY_NOT_SUPPORTED"},
		{[]paypal.PurchaseUnitRequest{{Amount: &paypal.PurchaseUnitAmount{Currency: "EUR", Value: "1e3"}}}, http.StatusBadRequest, "INVALID_PARAMETER_SYNTAX"},
	} {
		_, err := pp.CreateOrder(ctx, paypal.OrderIntentCapture, tt.units, nil, nil)
		ppError(t, err, tt.status, tt.issue)
	}

	// A verify request without the event is malformed, not a FAILURE.
	req, _ := pp.NewRequest(ctx, http.MethodPost, base+"/v1/notifications/verify-webhook-signature", map[string]string{"webhook_id": testWebhookID})
	ppError(t, pp.SendWithAuth(req, &struct{}{}), http.StatusBadRequest, "MISSING_REQUIRED_PARAMETER")

	// The token endpoint speaks OAuth.
	resp, err := http.Post(base+"/v1/oauth2/token", "application/x-www-form-urlencoded", strings.NewReader("grant_type=client_credentials"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var oauth map[string]string
	if json.Unmarshal(body, &oauth) != nil || resp.StatusCode != http.StatusUnauthorized || oauth["error"] != "invalid_client" {
		t.Fatalf("token without credentials: %d %s", resp.StatusCode, body)
	}
}

func TestSimulatorProducts(t *testing.T) {
	_, base := startSim(t)
	pp := plutov(t, base)
	ctx := context.Background()
	for i, name := range []string{"VPS", "Web hosting", "Game servers"} {
		p, err := pp.CreateProduct(ctx, paypal.Product{Name: name, Type: paypal.ProductTypeService, Category: "WEB_HOSTING_AND_DESIGN"})
		if err != nil || !strings.HasPrefix(p.ID, "PROD-") || len(p.ID) != 22 || p.CreateTime == "" {
			t.Fatalf("product %d = %+v, %v", i, p, err)
		}
	}
	page, err := pp.ListProducts(ctx, &paypal.ProductListParameters{ListParams: paypal.ListParams{Page: "2", PageSize: "2", TotalRequired: "true"}})
	if err != nil || len(page.Products) != 1 || page.Products[0].Name != "Game servers" || page.TotalItems != 3 || page.TotalPages != 2 {
		t.Fatalf("second page = %+v, %v", page, err)
	}
	_, err = pp.ListProducts(ctx, &paypal.ProductListParameters{ListParams: paypal.ListParams{TotalRequired: "1"}})
	ppError(t, err, http.StatusBadRequest, "INVALID_PARAMETER_VALUE")
	_, err = pp.CreateProduct(ctx, paypal.Product{Name: "No type"})
	ppError(t, err, http.StatusBadRequest, "MISSING_REQUIRED_PARAMETER")
	if _, err := pp.CreateProduct(ctx, paypal.Product{ID: "SKU-000001", Name: "Mine", Type: paypal.ProductTypeDigital}); err != nil {
		t.Fatal(err)
	}
	_, err = pp.CreateProduct(ctx, paypal.Product{ID: "SKU-000001", Name: "Again", Type: paypal.ProductTypeDigital})
	ppError(t, err, http.StatusUnprocessableEntity, "DUPLICATE_RESOURCE_IDENTIFIER")
}
