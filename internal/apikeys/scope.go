package apikeys

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/pocketbase/pocketbase/core"
)

// Access is what a key may do within its families.
const (
	AccessRead = "read" // GET (and HEAD) only
	AccessFull = "full"
)

// Resource families a key is limited to. Staff is for superusers' keys
// only: a customer's key can never be given it.
const (
	FamilyServices = "services" // services, orders, subscriptions, provisioning, bandwidth
	FamilyInvoices = "invoices" // invoices, their lines and PDFs, credit notes, paying
	FamilyBilling  = "billing"  // payments, payment methods, credit, upcoming charges
	FamilySupport  = "support"  // tickets
	FamilyAccount  = "account"  // the profile, SSH keys, the account's history
	FamilyStaff    = "staff"    // the staff routes and staff-only collections
)

// CustomerFamilies are the families a customer's key may have; staff keys
// may also have FamilyStaff.
var CustomerFamilies = []string{FamilyServices, FamilyInvoices, FamilyBilling, FamilySupport, FamilyAccount}

// familyOpen marks what any key reaches: the public catalog, health and
// the API's description.
const familyOpen = "*"

// collectionFamilies files every collection a key may reach through the
// records and files APIs. A collection missing here (second factors,
// passkeys, the keys themselves, PocketBase's auth internals) is closed to
// keys.
var collectionFamilies = map[string]string{
	"services": FamilyServices, "subscriptions": FamilyServices, "service_addresses": FamilyServices,
	"provisioning_jobs": FamilyServices, "bandwidth_usage": FamilyServices, "bandwidth_daily": FamilyServices,
	"orders":   FamilyServices,
	"invoices": FamilyInvoices, "invoice_items": FamilyInvoices, "credit_notes": FamilyInvoices,
	"payments": FamilyBilling, "payment_methods": FamilyBilling, "credit_entries": FamilyBilling,
	"coupon_redemptions": FamilyBilling,
	"support_tickets":    FamilySupport,
	"customers":          FamilyAccount, "ssh_keys": FamilyAccount, "audit_logs": FamilyAccount,
	"plans": familyOpen, "plan_prices": familyOpen, "announcements": familyOpen, "pages": familyOpen,
	"coupons": FamilyStaff, "tax_rates": FamilyStaff, "settings": FamilyStaff, "outbox": FamilyStaff,
	"webhook_events": FamilyStaff, "email_templates": FamilyStaff, "number_sequences": FamilyStaff,
	"sync_cursors": FamilyStaff, "ticket_archive": FamilyStaff,
}

// routeFamilies files the custom routes by path prefix, longest first
// where prefixes nest. Routes that would let a key mint credentials or
// change sign-in (keys, passkeys, two-factor, sessions, the help desk's
// sign-in link) are left out, so keys never reach them.
var routeFamilies = []struct{ prefix, family string }{
	{"/api/services/", FamilyServices},
	{"/api/orders", FamilyServices},
	{"/api/invoices/", FamilyInvoices},
	{"/api/credit-notes/", FamilyInvoices},
	{"/api/payment-methods", FamilyBilling},
	{"/api/payment-options", FamilyBilling},
	{"/api/currencies", FamilyBilling},
	{"/api/account/credit", FamilyBilling},
	{"/api/account/upcoming-charges", FamilyBilling},
	{"/api/tickets", FamilySupport},
	{"/api/support/options", FamilySupport},
	{"/api/health", familyOpen},
	{"/api/openapi.json", familyOpen},
}

// closedToKeys are prefixes no key reaches even with the right family.
var closedToKeys = []string{"/api/account/api-keys", "/api/staff/api-keys", "/api/staff/passkeys"}

// Scope is what one key may do.
type Scope struct {
	Access   string
	Families []string
}

// ScopeError is a request outside a key's scope; its message names the
// scope, for the 403.
type ScopeError struct{ Reason string }

func (e *ScopeError) Error() string { return e.Reason }

// Check reports whether the key's scope allows method on path; app
// resolves collections by name or id, as PocketBase does.
func (s Scope) Check(app core.App, method, path string) error {
	family, ok := familyOf(app, path)
	if !ok {
		return &ScopeError{"This route is not available with an API key; sign in to use it."}
	}
	if s.Access != AccessFull && method != http.MethodGet && method != http.MethodHead {
		return &ScopeError{"This API key is read-only: " + method + " is refused."}
	}
	if family != familyOpen && !slices.Contains(s.Families, family) {
		return &ScopeError{fmt.Sprintf("This API key is not scoped for %s (it has: %s).", family, strings.Join(s.Families, ", "))}
	}
	return nil
}

// familyOf files a request path in its family; false means no key may
// call it. Outside /api/ (the portal's pages) a key changes nothing.
func familyOf(app core.App, path string) (string, bool) {
	if !strings.HasPrefix(path, "/api/") {
		return familyOpen, true
	}
	for _, p := range closedToKeys {
		if strings.HasPrefix(path, p) {
			return "", false
		}
	}
	if rest, ok := strings.CutPrefix(path, "/api/collections/"); ok {
		name, action, _ := strings.Cut(rest, "/")
		// Only the records API: auth actions (refresh, impersonate, email
		// and password changes, one-time codes) are closed to keys.
		if action != "records" && !strings.HasPrefix(action, "records/") {
			return "", false
		}
		return collectionFamily(app, name)
	}
	if rest, ok := strings.CutPrefix(path, "/api/files/"); ok {
		name, _, _ := strings.Cut(rest, "/")
		if name == "token" {
			return "", false
		}
		return collectionFamily(app, name)
	}
	if strings.HasPrefix(path, "/api/staff/") {
		return FamilyStaff, true
	}
	for _, r := range routeFamilies {
		if strings.HasPrefix(path, r.prefix) {
			return r.family, true
		}
	}
	return "", false
}

func collectionFamily(app core.App, nameOrID string) (string, bool) {
	col, err := app.FindCachedCollectionByNameOrId(nameOrID)
	if err != nil {
		return "", false
	}
	family, ok := collectionFamilies[col.Name]
	return family, ok
}

// signInFields are the fields of an auth record that change how its owner
// signs in; a key never writes them (it would outlive a password change).
var signInFields = []string{"password", "passwordConfirm", "oldPassword", "email", "emailVisibility", "verified", "tokenKey"}

// checkSignInFields refuses a write to an auth collection's records that
// sets any sign-in field.
func checkSignInFields(app core.App, path string, body map[string]any) error {
	rest, ok := strings.CutPrefix(path, "/api/collections/")
	if !ok {
		return nil
	}
	name, _, _ := strings.Cut(rest, "/")
	col, err := app.FindCachedCollectionByNameOrId(name)
	if err != nil || !col.IsAuth() {
		return nil
	}
	for _, f := range signInFields {
		if _, set := body[f]; set {
			return &ScopeError{fmt.Sprintf("An API key cannot change %q; sign in to change it.", f)}
		}
	}
	return nil
}
