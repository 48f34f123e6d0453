package hooks

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/subscriptions"
	"github.com/ezscale/ezscale/internal/settings"
)

// Fields a customer may set on their own account. Everything else
// (status, tax exemption, notes, gateway ids, verification) is staff's.
var (
	signupFields  = []string{"name", "email", "password", "passwordConfirm", "currency", "country"}
	profileFields = []string{
		"name", "company", "phone", "address_line1", "address_line2", "city", "region",
		"postal_code", "country", "tax_id", "vat_id", "currency",
		"password", "passwordConfirm", "oldPassword",
	}
	// currencyLockedBy are the records that pin a customer's currency.
	currencyLockedBy = []string{ledger.InvoicesCollection, ledger.CreditCollection, subscriptions.Collection}
)

// bindCustomers enforces what a customer may write on their own account:
// sign-up sets name, email, password, currency and the billing country only; profile updates
// touch safe fields only, and the currency only while nothing is billed in it.
func bindCustomers(app core.App) {
	bindCustomerEmails(app)
	app.OnRecordCreateRequest(customers.Collection).BindFunc(func(e *core.RecordRequestEvent) error {
		if !e.HasSuperuserAuth() {
			info, err := e.RequestInfo()
			if err != nil {
				return err
			}
			if err := onlyFields(keys(info.Body), signupFields); err != nil {
				return e.BadRequestError("These fields cannot be set when signing up.", err)
			}
			if err := offeredCurrency(e.App, customers.As(e.Record).Currency()); err != nil {
				return e.BadRequestError("Unsupported currency.", err)
			}
		}
		return e.Next()
	})

	app.OnRecordCreate(customers.Collection).BindFunc(func(e *core.RecordEvent) error {
		if c := customers.As(e.Record); c.Status() == "" {
			c.SetStatus(customers.StatusActive)
		}
		return e.Next()
	})

	app.OnRecordUpdateRequest(customers.Collection).BindFunc(func(e *core.RecordRequestEvent) error {
		if e.HasSuperuserAuth() {
			return e.Next()
		}
		changed := changedFields(e.Record)
		if err := onlyFields(changed, profileFields); err != nil {
			return e.BadRequestError("These fields can only be changed by staff.", err)
		}
		if slices.Contains(changed, "currency") {
			if err := offeredCurrency(e.App, customers.As(e.Record).Currency()); err != nil {
				return e.BadRequestError("Unsupported currency.", err)
			}
			if err := currencyUnlocked(e.App, e.Record.Id); err != nil {
				return e.BadRequestError("The currency can no longer be changed.", err)
			}
		}
		return e.Next()
	})
}

// onlyFields fails with one error per field outside allowed.
func onlyFields(fields, allowed []string) error {
	errs := validation.Errors{}
	for _, f := range fields {
		if !slices.Contains(allowed, f) {
			errs[f] = validation.NewError("validation_field_not_allowed", "This field cannot be set here.")
		}
	}
	return errs.Filter()
}

// changedFields lists the fields whose value differs from the stored record.
func changedFields(rec *core.Record) []string {
	orig := rec.Original()
	var out []string
	for _, f := range rec.Collection().Fields {
		name := f.GetName()
		if f.Type() == core.FieldTypeAutodate {
			continue
		}
		if fmt.Sprint(orig.Get(name)) != fmt.Sprint(rec.Get(name)) {
			out = append(out, name)
		}
	}
	return out
}

func offeredCurrency(app core.App, code string) error {
	s, err := settings.Load(app)
	if err != nil {
		return err
	}
	if !slices.Contains(s.Currencies, code) {
		return validation.Errors{"currency": validation.NewError("validation_currency_not_offered",
			fmt.Sprintf("%q is not offered; choose one of %s", code, strings.Join(s.Currencies, ", ")))}
	}
	return nil
}

func currencyUnlocked(app core.App, customerID string) error {
	for _, col := range currencyLockedBy {
		n, err := app.CountRecords(col, dbxCustomer(customerID))
		if err != nil {
			return err
		}
		if n > 0 {
			return validation.Errors{"currency": validation.NewError("validation_currency_locked",
				"The account already has "+strings.ReplaceAll(col, "_", " ")+" in its current currency.")}
		}
	}
	return nil
}

func dbxCustomer(id string) dbx.Expression {
	return dbx.HashExp{"customer": id}
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
