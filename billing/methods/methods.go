// Package methods keeps a customer's saved payment methods: the Stripe
// customer behind them, the cards saved with Stripe.js, the default, and
// charging one through its own gateway (pay now, dunning). Gateway calls happen outside transactions; what
// they return is then written in one.
package methods

import (
	"context"
	"errors"
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/billing/payments"
	"github.com/ezscale/ezscale/integrations/stripe"
)

// Collection holds the saved methods.
const Collection = "payment_methods"

// ErrNotFound is a method that does not exist or is someone else's.
var ErrNotFound = errors.New("payment method not found")

// Cards is Stripe's part of what this package needs.
type Cards interface {
	EnsureCustomer(ctx context.Context, existingID string, info stripe.CustomerInfo) (string, error)
	CreateSetupIntent(ctx context.Context, stripeCustomerID string) (clientSecret, id string, err error)
	ListPaymentMethods(ctx context.Context, stripeCustomerID string) ([]stripe.PaymentMethod, error)
	DetachPaymentMethod(ctx context.Context, id string) error
	SetDefaultPaymentMethod(ctx context.Context, stripeCustomerID, pmID string) error
}

// EnsureStripeCustomer returns the customer's Stripe customer, creating it
// on first need and storing its id.
func EnsureStripeCustomer(ctx context.Context, app core.App, cards Cards, customer *core.Record) (string, error) {
	c := customers.As(customer)
	existing := c.StripeCustomerID()
	id, err := cards.EnsureCustomer(ctx, existing, stripe.CustomerInfo{ID: c.Id, Email: c.Email(), Name: c.Name()})
	if err != nil || id == existing {
		return id, err
	}
	fresh, err := customers.Find(app, c.Id)
	if err != nil {
		return "", err
	}
	fresh.SetStripeCustomerID(id)
	return id, app.SaveWithContext(ctx, fresh)
}

// Setup starts saving a card: the client secret Stripe.js confirms.
func Setup(ctx context.Context, app core.App, cards Cards, customer *core.Record) (string, error) {
	id, err := EnsureStripeCustomer(ctx, app, cards, customer)
	if err != nil {
		return "", err
	}
	secret, _, err := cards.CreateSetupIntent(ctx, id)
	return secret, err
}

// Sync makes the saved methods match Stripe's list for the customer: new
// cards are added with their brand and last digits, removed ones deleted.
// The first card becomes the default.
func Sync(ctx context.Context, app core.App, cards Cards, customer *core.Record) error {
	stripeID := customers.As(customer).StripeCustomerID()
	if stripeID == "" {
		return nil
	}
	remote, err := cards.ListPaymentMethods(ctx, stripeID)
	if err != nil {
		return err
	}
	return app.RunInTransaction(func(tx core.App) error {
		local, err := tx.FindAllRecords(Collection, dbx.HashExp{"customer": customer.Id, "gateway": payments.GatewayStripe})
		if err != nil {
			return err
		}
		byRef := map[string]*core.Record{}
		hasDefault := false
		for _, r := range local {
			byRef[r.GetString("gateway_ref")] = r
		}
		col, err := tx.FindCachedCollectionByNameOrId(Collection)
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, pm := range remote {
			seen[pm.ID] = true
			rec := byRef[pm.ID]
			if rec == nil {
				rec = core.NewRecord(col)
				rec.Load(map[string]any{"customer": customer.Id, "gateway": payments.GatewayStripe, "gateway_ref": pm.ID, "kind": "card"})
			}
			rec.Load(map[string]any{"brand": pm.Brand, "last4": pm.Last4, "exp_month": pm.ExpMonth, "exp_year": pm.ExpYear})
			hasDefault = hasDefault || rec.GetBool("is_default")
			if err := tx.SaveWithContext(ctx, rec); err != nil {
				return err
			}
			byRef[pm.ID] = rec
		}
		for ref, rec := range byRef {
			if !seen[ref] {
				if err := tx.DeleteWithContext(ctx, rec); err != nil {
					return err
				}
				delete(byRef, ref)
			}
		}
		if !hasDefault && len(remote) > 0 {
			first := byRef[remote[0].ID]
			first.Set("is_default", true)
			return tx.SaveWithContext(ctx, first)
		}
		return nil
	})
}

// Owned loads a saved method of the customer.
func Owned(app core.App, customerID, id string) (*core.Record, error) {
	rec, err := app.FindRecordById(Collection, id)
	if err != nil || rec.GetString("customer") != customerID {
		return nil, ErrNotFound
	}
	return rec, nil
}

// Remove detaches a card at Stripe and deletes it here.
func Remove(ctx context.Context, app core.App, cards Cards, customerID, id string) error {
	rec, err := Owned(app, customerID, id)
	if err != nil {
		return err
	}
	if err := cards.DetachPaymentMethod(ctx, rec.GetString("gateway_ref")); err != nil {
		return fmt.Errorf("detach at Stripe: %w", err)
	}
	return app.DeleteWithContext(ctx, rec)
}

// MakeDefault makes a card the one charged for renewals.
func MakeDefault(ctx context.Context, app core.App, cards Cards, customer *core.Record, id string) error {
	rec, err := Owned(app, customer.Id, id)
	if err != nil {
		return err
	}
	if err := cards.SetDefaultPaymentMethod(ctx, customers.As(customer).StripeCustomerID(), rec.GetString("gateway_ref")); err != nil {
		return fmt.Errorf("default at Stripe: %w", err)
	}
	return app.RunInTransaction(func(tx core.App) error {
		all, err := tx.FindAllRecords(Collection, dbx.HashExp{"customer": customer.Id})
		if err != nil {
			return err
		}
		for _, r := range all {
			if want := r.Id == rec.Id; r.GetBool("is_default") != want {
				r.Set("is_default", want)
				if err := tx.SaveWithContext(ctx, r); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
