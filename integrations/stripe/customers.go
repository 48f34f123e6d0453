package stripe

import (
	"context"
	"errors"

	stripeapi "github.com/stripe/stripe-go/v85"
)

// CustomerInfo is what Stripe needs to know of one of our customers.
type CustomerInfo struct {
	ID    string // our customer id, kept as metadata.customer_id
	Email string
	Name  string
}

// EnsureCustomer returns the Stripe customer for c: existingID when we have
// stored one, else a new customer. The idempotency key comes from our id, so
// a retry after a timeout (within Stripe's 24 h key lifetime) returns the
// customer the first attempt made instead of a duplicate.
func (c *Client) EnsureCustomer(ctx context.Context, existingID string, info CustomerInfo) (string, error) {
	if existingID != "" {
		return existingID, nil
	}
	if info.ID == "" {
		return "", errors.New("stripe create customer: our customer id is required")
	}
	params := &stripeapi.CustomerCreateParams{
		Metadata: map[string]string{"customer_id": info.ID},
	}
	if info.Email != "" {
		params.Email = stripeapi.String(info.Email)
	}
	if info.Name != "" {
		params.Name = stripeapi.String(info.Name)
	}
	params.SetIdempotencyKey("customer-create-" + info.ID)
	cus, err := c.api.V1Customers.Create(ctx, params)
	if err != nil {
		return "", wrapErr("create customer", err)
	}
	return cus.ID, nil
}
