package stripe

import (
	"context"

	stripeapi "github.com/stripe/stripe-go/v85"
)

// PaymentMethod is a saved card as the portal shows it.
type PaymentMethod struct {
	ID       string // pm_…
	Brand    string // visa, mastercard, amex, …
	Last4    string
	ExpMonth int
	ExpYear  int
}

// CreateSetupIntent starts saving a card: the portal confirms the returned
// client secret with Stripe.js, where the customer passes 3-D Secure once,
// and usage=off_session lets renewals charge the card without them.
func (c *Client) CreateSetupIntent(ctx context.Context, stripeCustomerID string) (clientSecret, id string, err error) {
	si, err := c.api.V1SetupIntents.Create(ctx, &stripeapi.SetupIntentCreateParams{
		Customer:           stripeapi.String(stripeCustomerID),
		Usage:              stripeapi.String(string(stripeapi.SetupIntentUsageOffSession)),
		PaymentMethodTypes: []*string{stripeapi.String(string(stripeapi.PaymentMethodTypeCard))},
	})
	if err != nil {
		return "", "", wrapErr("create setup intent", err)
	}
	return si.ClientSecret, si.ID, nil
}

// ListPaymentMethods returns the customer's saved cards, all pages of them.
func (c *Client) ListPaymentMethods(ctx context.Context, stripeCustomerID string) ([]PaymentMethod, error) {
	params := &stripeapi.CustomerListPaymentMethodsParams{
		Customer: stripeapi.String(stripeCustomerID),
		Type:     stripeapi.String(string(stripeapi.PaymentMethodTypeCard)),
	}
	params.Limit = stripeapi.Int64(100)
	var out []PaymentMethod
	for pm, err := range c.api.V1Customers.ListPaymentMethods(ctx, params).All(ctx) {
		if err != nil {
			return nil, wrapErr("list payment methods", err)
		}
		m := PaymentMethod{ID: pm.ID}
		if pm.Card != nil {
			m.Brand = string(pm.Card.Brand)
			m.Last4 = pm.Card.Last4
			m.ExpMonth = int(pm.Card.ExpMonth)
			m.ExpYear = int(pm.Card.ExpYear)
		}
		out = append(out, m)
	}
	return out, nil
}

// DetachPaymentMethod removes a saved card from its customer; Stripe cannot
// charge it again afterwards.
func (c *Client) DetachPaymentMethod(ctx context.Context, id string) error {
	if _, err := c.api.V1PaymentMethods.Detach(ctx, id, nil); err != nil {
		return wrapErr("detach payment method", err)
	}
	return nil
}

// SetDefaultPaymentMethod records the card as the customer's default
// (invoice_settings.default_payment_method), so the Stripe dashboard shows
// what our renewals will charge.
func (c *Client) SetDefaultPaymentMethod(ctx context.Context, stripeCustomerID, pmID string) error {
	_, err := c.api.V1Customers.Update(ctx, stripeCustomerID, &stripeapi.CustomerUpdateParams{
		InvoiceSettings: &stripeapi.CustomerUpdateInvoiceSettingsParams{
			DefaultPaymentMethod: stripeapi.String(pmID),
		},
	})
	if err != nil {
		return wrapErr("set default payment method", err)
	}
	return nil
}
