package paypal

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/ezscale/ezscale/billing/money"
	"github.com/plutov/paypal/v4"
)

// ProductID is the one catalog product every plan of ours belongs to: PayPal
// revises a subscription only between plans of the same product, and an
// upgrade may cross our plan families. We choose the id, so finding the
// product needs no stored state.
const ProductID = "EZSCALE-HOSTING"

// failureThreshold is how many consecutive failed renewals PayPal allows
// before it suspends a subscription; our dunning acts well before.
const failureThreshold = 3

// PlanSpec is one of our plan prices, to be mirrored by a PayPal plan.
type PlanSpec struct {
	PlanPriceID string // our plan_prices id, named in the plan's description
	Name        string // shown to the customer; cut to 127 bytes
	Amount      money.Amount
	// IntervalUnit is MONTH or YEAR (PayPal also takes DAY and WEEK), and
	// IntervalCount how many of them make a cycle (0 means 1).
	IntervalUnit  string
	IntervalCount int
	// ExistingPlanID is the PayPal plan stored for this price, if any.
	ExistingPlanID string
}

// productState remembers that ProductID exists, so that it is looked up
// once per process.
type productState struct {
	mu    sync.Mutex
	ready bool
}

// EnsurePlan returns a PayPal plan whose fixed price and cycle equal spec,
// for the caller to store on the plan price. It reuses ExistingPlanID when
// that plan still matches (activating it if needed) and otherwise creates a
// plan under ProductID, creating the product first if it is missing. A new
// plan is never a price update of the old one: PayPal would give existing
// subscribers ten days' notice and bill them the old price meanwhile, and
// each sale must match our invoice. Subscriptions on the old plan stay
// there until revised.
//
// Each plan runs until cancelled, does not roll a failed payment into the
// next one (auto_bill_outstanding off, since a sale pays exactly one
// invoice) and is suspended by PayPal after failureThreshold failures.
func (c *Client) EnsurePlan(ctx context.Context, spec PlanSpec) (planID string, err error) {
	if spec.PlanPriceID == "" || spec.Name == "" {
		return "", errors.New("paypal: ensure plan: plan price id and name are required")
	}
	if spec.Amount.Minor <= 0 {
		return "", fmt.Errorf("paypal: ensure plan %s: amount %s is not positive", spec.PlanPriceID, spec.Amount)
	}
	value, err := formatAmount(spec.Amount)
	if err != nil {
		return "", err
	}
	if spec.IntervalCount == 0 {
		spec.IntervalCount = 1
	}
	limit, ok := map[string]int{"DAY": 365, "WEEK": 52, "MONTH": 12, "YEAR": 1}[spec.IntervalUnit]
	if !ok || spec.IntervalCount < 1 || spec.IntervalCount > limit {
		return "", fmt.Errorf("paypal: ensure plan %s: PayPal bills no cycle of %d %s", spec.PlanPriceID, spec.IntervalCount, spec.IntervalUnit)
	}

	if spec.ExistingPlanID != "" {
		plan, err := c.pp.GetSubscriptionPlan(ctx, spec.ExistingPlanID)
		switch err := wrap(err); {
		case err == nil && planMatches(plan, spec):
			if plan.Status != paypal.SubscriptionPlanStatusActive {
				if err := wrap(c.pp.ActivateSubscriptionPlan(ctx, plan.ID)); err != nil {
					return "", err
				}
			}
			return plan.ID, nil
		case err != nil && !isStatus(err, http.StatusNotFound):
			return "", err
		}
	}

	if err := c.ensureProduct(ctx); err != nil {
		return "", err
	}
	plan := paypal.SubscriptionPlan{
		ProductId:   ProductID,
		Name:        truncate(spec.Name, 127),
		Description: truncate("EZSCALE plan price "+spec.PlanPriceID, 127),
		Status:      paypal.SubscriptionPlanStatusActive,
		BillingCycles: []paypal.BillingCycle{{
			PricingScheme: paypal.PricingScheme{FixedPrice: paypal.Money{Currency: spec.Amount.Currency, Value: value}},
			Frequency:     paypal.Frequency{IntervalUnit: paypal.IntervalUnit(spec.IntervalUnit), IntervalCount: spec.IntervalCount},
			TenureType:    paypal.TenureTypeRegular,
			Sequence:      1,
			TotalCycles:   0,
		}},
		PaymentPreferences: &paypal.PaymentPreferences{
			AutoBillOutstanding:     false,
			SetupFeeFailureAction:   paypal.SetupFeeFailureActionCancel,
			PaymentFailureThreshold: failureThreshold,
		},
	}
	// Sent by hand for the PayPal-Request-Id plutov cannot add: a retry
	// after a lost answer must not leave a second plan behind.
	requestID := fmt.Sprintf("ezscale-plan-%s-%d%s-%d%s", spec.PlanPriceID, spec.Amount.Minor, spec.Amount.Currency, spec.IntervalCount, spec.IntervalUnit)
	var created paypal.CreateSubscriptionPlanResponse
	if err := c.send(ctx, http.MethodPost, "/v1/billing/plans", plan, requestID, &created); err != nil {
		return "", err
	}
	if created.ID == "" {
		return "", errors.New("paypal: plan created without an id")
	}
	return created.ID, nil
}

// planMatches reports whether an existing plan bills exactly spec: one
// regular cycle, until cancelled, at the same price and interval, under our
// product. Prices are compared as amounts, since PayPal echoes "29.0".
func planMatches(plan *paypal.SubscriptionPlan, spec PlanSpec) bool {
	if plan.ProductId != ProductID || plan.Status == "" || len(plan.BillingCycles) != 1 {
		return false
	}
	bc := plan.BillingCycles[0]
	if bc.TenureType != paypal.TenureTypeRegular || bc.TotalCycles != 0 ||
		string(bc.Frequency.IntervalUnit) != spec.IntervalUnit || bc.Frequency.IntervalCount != spec.IntervalCount {
		return false
	}
	price, err := parseAmount(bc.PricingScheme.FixedPrice.Value, bc.PricingScheme.FixedPrice.Currency)
	return err == nil && price == spec.Amount
}

// ensureProduct makes sure ProductID exists, creating it on first use.
func (c *Client) ensureProduct(ctx context.Context) error {
	c.products.mu.Lock()
	defer c.products.mu.Unlock()
	if c.products.ready {
		return nil
	}
	_, err := c.pp.GetProduct(ctx, ProductID)
	if err = wrap(err); isStatus(err, http.StatusNotFound) {
		_, err = c.pp.CreateProduct(ctx, paypal.Product{
			ID:          ProductID,
			Name:        "Hosting services",
			Description: "Virtual and dedicated servers, web and game hosting",
			Type:        paypal.ProductTypeService,
			Category:    "WEB_HOSTING_AND_DESIGN",
		})
		if err = wrap(err); isIssue(err, "DUPLICATE_RESOURCE_IDENTIFIER") {
			err = nil // another process created it meanwhile
		}
	}
	if err != nil {
		return err
	}
	c.products.ready = true
	return nil
}
