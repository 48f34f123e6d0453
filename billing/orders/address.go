package orders

import (
	"net/http"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/customers"
)

// BillingCountry is the customer field an order cannot do without: tax is
// charged by the country the customer is in, and the invoice's "Bill to"
// must say where that is. Without it a first order used to be taxed 0.
const BillingCountry = "country"

// missingAddress names the billing fields customer has not filled in yet.
func missingAddress(customer *core.Record) []string {
	if customers.As(customer).Country() == "" {
		return []string{BillingCountry}
	}
	return nil
}

// requireAddress refuses an order from a customer whose billing country is
// unknown, naming the field, before anything is priced or written.
func requireAddress(customer *core.Record) error {
	if len(missingAddress(customer)) == 0 {
		return nil
	}
	return &Error{Status: http.StatusBadRequest, Code: "billing_address_required", Field: BillingCountry,
		Message: "add your billing address (the country at least) before ordering: tax depends on it"}
}
