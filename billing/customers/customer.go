// Package customers is the customer account: its typed record and what its
// status allows. Every sign-in path, request policy and billing run reads a
// customer through it, so a misspelt field or status is a compile error.
package customers

import (
	"github.com/pocketbase/pocketbase/core"
)

// Collection holds the customers (an auth collection).
const Collection = "customers"

// Status is a customer's account status (customers.status).
type Status string

// Account statuses.
const (
	StatusActive    Status = "active"
	StatusSuspended Status = "suspended"
	StatusClosed    Status = "closed"
	StatusFraud     Status = "fraud"
)

// CanSignIn: a closed or fraudulent account neither signs in nor keeps
// using a token it already holds. A suspended one does, to pay what it
// owes and talk to support.
func (s Status) CanSignIn() bool {
	return s != StatusClosed && s != StatusFraud
}

// CanUseServices: only an account in good standing reveals credentials,
// powers, opens panels, changes plans or orders. Cancelling stays open to
// every account that can sign in: it only stops future billing.
func (s Status) CanUseServices() bool {
	return s == StatusActive
}

// Customer is a typed view of a customers record.
type Customer struct {
	core.BaseRecordProxy
}

// As wraps a customers record.
func As(rec *core.Record) *Customer {
	c := &Customer{}
	c.SetProxyRecord(rec)
	return c
}

// Find loads a customer by id.
func Find(app core.App, id string) (*Customer, error) {
	rec, err := app.FindRecordById(Collection, id)
	if err != nil {
		return nil, err
	}
	return As(rec), nil
}

func (c *Customer) Status() Status                  { return Status(c.GetString("status")) }
func (c *Customer) SetStatus(s Status)              { c.Set("status", string(s)) }
func (c *Customer) Name() string                    { return c.GetString("name") }
func (c *Customer) Company() string                 { return c.GetString("company") }
func (c *Customer) Country() string                 { return c.GetString("country") }
func (c *Customer) Currency() string                { return c.GetString("currency") }
func (c *Customer) VATID() string                   { return c.GetString("vat_id") }
func (c *Customer) TaxID() string                   { return c.GetString("tax_id") }
func (c *Customer) TaxExempt() bool                 { return c.GetBool("tax_exempt") }
func (c *Customer) DunningExempt() bool             { return c.GetBool("dunning_exempt") }
func (c *Customer) Disputed() bool                  { return c.GetBool("disputed") }
func (c *Customer) StripeCustomerID() string        { return c.GetString("stripe_customer_id") }
func (c *Customer) PayPalPayerID() string           { return c.GetString("paypal_payer_id") }
func (c *Customer) PasswordResetRequired() bool     { return c.GetBool("password_reset_required") }
func (c *Customer) SetPasswordResetRequired(b bool) { c.Set("password_reset_required", b) }
func (c *Customer) SupportPalUserID() int64         { return c.GetInt64("supportpal_user_id") }
func (c *Customer) SetSupportPalUserID(id int64)    { c.Set("supportpal_user_id", id) }
func (c *Customer) Region() string                  { return c.GetString("region") }
func (c *Customer) Phone() string                   { return c.GetString("phone") }
func (c *Customer) AddressLine1() string            { return c.GetString("address_line1") }
func (c *Customer) AddressLine2() string            { return c.GetString("address_line2") }
func (c *Customer) PostalCode() string              { return c.GetString("postal_code") }
func (c *Customer) City() string                    { return c.GetString("city") }
func (c *Customer) SetDisputed(b bool)              { c.Set("disputed", b) }
func (c *Customer) SetStripeCustomerID(id string)   { c.Set("stripe_customer_id", id) }
