package paypal

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/plutov/paypal/v4"
)

// SubscriptionOptions are the optional parts of a new subscription.
type SubscriptionOptions struct {
	// Email and names prefill PayPal's page.
	Email, GivenName, Surname string
	// ReturnURL gets ?subscription_id=I-…&ba_token=…&token=… after approval.
	ReturnURL, CancelURL string
	// StartTime delays the first charge; zero means PayPal charges the
	// first cycle as soon as the customer approves.
	StartTime time.Time
}

// CreateSubscription subscribes a customer to a plan (from EnsurePlan) and
// returns the subscription id (I-…) and the link where the customer
// approves it. customID is our subscription id: PayPal echoes it on the
// subscription events and as "custom" on each sale. Until approved the
// subscription stays APPROVAL_PENDING; an abandoned one is harmless, so a
// retry that creates a second one costs nothing (plutov offers no
// PayPal-Request-Id here).
func (c *Client) CreateSubscription(ctx context.Context, planID, customID string, opts SubscriptionOptions) (subscriptionID, approveURL string, err error) {
	if planID == "" || customID == "" {
		return "", "", errors.New("paypal: create subscription: plan id and custom id are required")
	}
	base := paypal.SubscriptionBase{
		PlanID:   planID,
		CustomID: truncate(customID, 127),
		ApplicationContext: &paypal.ApplicationContext{
			ShippingPreference: paypal.ShippingPreferenceNoShipping,
			UserAction:         paypal.UserActionSubscribeNow,
			ReturnURL:          opts.ReturnURL,
			CancelURL:          opts.CancelURL,
		},
	}
	if opts.Email != "" || opts.GivenName != "" || opts.Surname != "" {
		base.Subscriber = &paypal.Subscriber{
			EmailAddress: opts.Email,
			Name:         paypal.CreateOrderPayerName{GivenName: opts.GivenName, Surname: opts.Surname},
		}
	}
	if !opts.StartTime.IsZero() {
		start := paypal.JSONTime(opts.StartTime.UTC().Truncate(time.Second))
		base.StartTime = &start
	}
	sub, err := c.pp.CreateSubscription(ctx, base)
	if err != nil {
		return "", "", wrap(err)
	}
	approveURL = approveLink(sub.Links)
	if approveURL == "" {
		return "", "", fmt.Errorf("paypal: subscription %s (%s) came without an approve link", sub.ID, sub.SubscriptionStatus)
	}
	return sub.ID, approveURL, nil
}

// ReviseSubscription moves a subscription to another plan of our product
// (an upgrade or downgrade). A customer paying from a PayPal balance must
// consent at the returned link, and until then PayPal keeps billing the old
// plan; the link is empty when no consent is needed. The new price applies
// from the next cycle and PayPal prorates nothing: the difference for the
// rest of the period is ours to invoice. returnURL and cancelURL may both be
// empty, and must otherwise both be set.
func (c *Client) ReviseSubscription(ctx context.Context, subscriptionID, newPlanID, returnURL, cancelURL string) (approveURL string, err error) {
	base := paypal.SubscriptionBase{PlanID: newPlanID}
	if returnURL != "" || cancelURL != "" {
		base.ApplicationContext = &paypal.ApplicationContext{
			ShippingPreference: paypal.ShippingPreferenceNoShipping,
			ReturnURL:          returnURL,
			CancelURL:          cancelURL,
		}
	}
	resp, err := c.pp.ReviseSubscription(ctx, subscriptionID, base)
	if err != nil {
		return "", wrap(err)
	}
	return approveLink(resp.Links), nil
}

// CancelSubscription ends a subscription for good; PayPal refunds nothing by
// itself. reason is shown to the customer (PayPal requires 1–128
// characters; empty becomes "Cancelled"). Cancelling a cancelled
// subscription succeeds, so that a retry after a lost answer does too.
func (c *Client) CancelSubscription(ctx context.Context, subscriptionID, reason string) error {
	if reason == "" {
		reason = "Cancelled"
	}
	err := wrap(c.pp.CancelSubscription(ctx, subscriptionID, truncate(reason, 128)))
	if isIssue(err, "SUBSCRIPTION_STATUS_INVALID") {
		sub, gerr := c.pp.GetSubscriptionDetails(ctx, subscriptionID)
		if gerr == nil && sub.SubscriptionStatus == paypal.SubscriptionStatusCancelled {
			return nil
		}
	}
	return err
}
