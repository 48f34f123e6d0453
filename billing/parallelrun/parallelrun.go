// Package parallelrun is the one rule of the parallel run with WHMCS.
// While the business runs both systems, a customer the import brought in
// (customers.whmcs_billed) is WHMCS's to renew, chase, email, provision
// and bill for overage; this platform only shows them their data. Every
// job that acts on a customer's money or service filters with NotHeld,
// every customer write route asks Held, and the cutover clears the field.
package parallelrun

import (
	"errors"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// Field is the customers field that holds a customer for WHMCS.
const Field = "whmcs_billed"

// ErrHeld refuses a held customer's write; its text is what they read.
var ErrHeld = errors.New("Your account is still served by our previous billing system until we switch over: " +
	"you can see your services and invoices here, but orders, payments and changes are made there until then.")

// heldCustomers selects the ids of the held customers (the partial index
// idx_customers_whmcs_billed answers it).
const heldCustomers = "SELECT [[id]] FROM {{customers}} WHERE [[whmcs_billed]] = TRUE"

// Held reports whether WHMCS still serves this customer record.
func Held(customer *core.Record) bool {
	return customer != nil && customer.Collection().Name == "customers" && customer.GetBool(Field)
}

// NotHeld keeps the rows whose customer column (e.g. "customer" or
// "s.customer") names a customer this platform serves.
func NotHeld(column string) dbx.Expression {
	return dbx.NewExp(NotHeldSQL(column))
}

// NotHeldSQL is NotHeld as SQL text, for statements written out in full.
func NotHeldSQL(column string) string {
	return column + " NOT IN (" + heldCustomers + ")"
}

// HeldOnly keeps the rows whose customer column names a held customer.
func HeldOnly(column string) dbx.Expression {
	return dbx.NewExp(HeldOnlySQL(column))
}

// HeldOnlySQL is HeldOnly as SQL text.
func HeldOnlySQL(column string) string {
	return column + " IN (" + heldCustomers + ")"
}

// AccountFieldsWhileHeld are what a held customer may still change on
// their own account: their password. Their name, addresses and tax ids
// come from WHMCS with each import until the cutover.
var AccountFieldsWhileHeld = []string{"password", "passwordConfirm", "oldPassword"}
