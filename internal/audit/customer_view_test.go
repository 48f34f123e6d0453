package audit_test

import (
	"strings"
	"testing"

	"github.com/ezscale/ezscale/internal/audit"
)

// TestCustomerView: the allow-list of a customer's history, on entries as
// they are read back (no record at hand, only what they recorded).
func TestCustomerView(t *testing.T) {
	staff := audit.Actor{Kind: audit.KindSuperuser, ID: "staff0000000001"}
	self := audit.Actor{Kind: audit.KindCustomer, ID: "cust00000000001"}
	other := audit.Actor{Kind: audit.KindCustomer, ID: "cust00000000002"}
	job := audit.Job("dunning")
	ch := func(kv ...any) map[string]audit.Change {
		out := map[string]audit.Change{}
		for i := 0; i < len(kv); i += 3 {
			out[kv[i].(string)] = audit.Change{Before: kv[i+1], After: kv[i+2]}
		}
		return out
	}
	for name, tc := range map[string]struct {
		entry   audit.Entry
		summary string // "" = not shown
	}{
		"draft invoice created by staff": {audit.Entry{Actor: staff, Action: "create", Collection: "invoices",
			Changes: ch("status", nil, "draft", "notes", nil, "waive the fee?")}, ""},
		"draft notes edited": {audit.Entry{Actor: staff, Action: "update", Collection: "invoices",
			Changes: ch("notes", "a", "b")}, ""},
		"issued notes edited": {audit.Entry{Actor: staff, Action: "update", Collection: "invoices",
			Changes: ch("notes", "", "thanks")}, ""},
		"invoice issued": {audit.Entry{Actor: staff, Action: "update", Collection: "invoices",
			Changes: ch("status", "draft", "open", "number", "", "INV-2026-000007")}, "Invoice INV-2026-000007 issued"},
		"invoice paid": {audit.Entry{Actor: job, Action: "update", Collection: "invoices",
			Changes: ch("status", "open", "paid")}, "Invoice paid"},
		"wait-listed order's draft, by the customer": {audit.Entry{Actor: self, Action: "create", Collection: "invoices",
			Changes: ch("status", nil, "draft")}, ""},
		"draft invoice line": {audit.Entry{Actor: self, Action: "create", Collection: "invoice_items",
			Changes: ch("description", nil, "VPS")}, ""},
		"staff notes on the account": {audit.Entry{Actor: staff, Action: "update", Collection: "customers",
			Changes: ch("notes", "[redacted]", "[redacted]")}, ""},
		"staff edit of the address": {audit.Entry{Actor: staff, Action: "update", Collection: "customers",
			Changes: ch("city", "A", "B")}, ""},
		"account suspended": {audit.Entry{Actor: staff, Action: "update", Collection: "customers",
			Changes: ch("status", "active", "suspended")}, "Account status changed to suspended"},
		"own profile": {audit.Entry{Actor: self, Action: "update", Collection: "customers",
			Changes: ch("city", "A", "B")}, "Account details updated"},
		"impersonation": {audit.Entry{Actor: staff, Action: audit.ActionImpersonate, Collection: "customers",
			Message: "staff staff0000000001 impersonated a@example.com"}, ""},
		"service suspended by dunning": {audit.Entry{Actor: job, Action: "update", Collection: "services",
			RecordID: "svc", Changes: ch("status", "active", "suspended")}, "Service (svc) is now suspended"},
		"service staff notes": {audit.Entry{Actor: staff, Action: "update", Collection: "services",
			Changes: ch("staff_notes", "[redacted]", "[redacted]")}, ""},
		"own power action": {audit.Entry{Actor: self, Action: "power.restart", Collection: "services",
			RecordID: "svc"}, "Power action restart sent to (svc)"},
		"staff power action": {audit.Entry{Actor: staff, Action: "power.restart", Collection: "services"}, ""},
		"own reinstall": {audit.Entry{Actor: self, Action: "service.reinstall", Collection: "services",
			RecordID: "svc"}, "Reinstall of (svc) requested"},
		"own rename": {audit.Entry{Actor: self, Action: "update", Collection: "services",
			RecordID: "svc", Changes: ch("label", "Minecraft 8 GB", "Survival")}, "Service renamed to Survival"},
		"staff rename": {audit.Entry{Actor: staff, Action: "update", Collection: "services",
			Changes: ch("label", "a", "b")}, ""},
		"own SSH key added": {audit.Entry{Actor: self, Action: "create", Collection: "ssh_keys",
			Changes: ch("name", nil, "laptop")}, "SSH key added"},
		"login emailed, where the business opted in": {audit.Entry{Actor: job, Action: "credentials.email", Collection: "services",
			RecordID: "svc"}, "Login details of (svc) emailed"},
		"login emailed, claimed by staff": {audit.Entry{Actor: staff, Action: "credentials.email", Collection: "services"}, ""},
		"another customer's action":       {audit.Entry{Actor: other, Action: "credentials.reveal", Collection: "services"}, ""},
		"payment reserved": {audit.Entry{Actor: job, Action: "create", Collection: "payments",
			Changes: ch("status", nil, "pending", "amount", nil, 1200.0, "currency", nil, "USD")}, ""},
		"payment succeeded": {audit.Entry{Actor: job, Action: "create", Collection: "payments",
			Changes: ch("status", nil, "succeeded", "amount", nil, 1200.0, "currency", nil, "USD", "kind", nil, "charge")}, "Payment of 12.00 USD succeeded"},
		"pending charge settled": {audit.Entry{Actor: staff, Action: "update", Collection: "payments",
			Changes: ch("status", "pending", "succeeded")}, "Payment succeeded"},
		"credit given": {audit.Entry{Actor: staff, Action: "create", Collection: "credit_entries",
			Changes: ch("amount", nil, 500.0, "currency", nil, "EUR", "description", nil, "goodwill")}, "Account credit +5.00 EUR: goodwill"},
		"own card":          {audit.Entry{Actor: self, Action: "create", Collection: "payment_methods"}, "Payment method added"},
		"staff's plan edit": {audit.Entry{Actor: staff, Action: "update", Collection: "plans"}, ""},
	} {
		tc.entry.Customer = self.ID
		visible, summary := tc.entry.CustomerView()
		if visible != (tc.summary != "") || summary != tc.summary {
			t.Errorf("%s: shown %v %q, want %q", name, visible, summary, tc.summary)
		}
		if strings.Contains(summary, staff.ID) {
			t.Errorf("%s: the summary names staff: %q", name, summary)
		}
	}

	if visible, _ := (audit.Entry{Actor: self, Action: "create", Collection: "orders"}).CustomerView(); visible {
		t.Error("an entry about no customer is shown")
	}
}
