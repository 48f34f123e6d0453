package audit_test

import (
	"testing"

	"github.com/ezscale/ezscale/internal/audit"
)

// TestStaffSummary: every entry about a customer reads in words for staff,
// the staff-only ones included; money in its currency's decimals; fields
// named, never their values.
func TestStaffSummary(t *testing.T) {
	const customer = "cust00000000001"
	staff := audit.Actor{Kind: audit.KindSuperuser, ID: "staff0000000001"}
	asCustomer := audit.Actor{Kind: audit.KindSuperuser, ID: "staff0000000001", OnBehalfOf: customer}
	after := func(kv ...any) map[string]audit.Change {
		out := map[string]audit.Change{}
		for i := 0; i < len(kv); i += 2 {
			out[kv[i].(string)] = audit.Change{After: kv[i+1]}
		}
		return out
	}
	for name, tc := range map[string]struct {
		entry audit.Entry
		want  string
	}{
		"staff notes": {audit.Entry{Actor: staff, Action: "update", Collection: "customers", Changes: after("notes", "[redacted]")},
			"Staff notes edited"},
		"impersonation": {audit.Entry{Actor: staff, Action: audit.ActionImpersonate, Collection: "customers"},
			"Opened the portal as the customer (impersonation)"},
		"draft invoice": {audit.Entry{Actor: staff, Action: "create", Collection: "invoices", Changes: after("status", "draft")},
			"Draft invoice created"},
		"draft edited, fields named": {audit.Entry{Actor: staff, Action: "update", Collection: "invoices",
			Changes: after("due_at", "2026-12-01", "notes", "waive")}, "Invoice updated: due at, notes"},
		"payment in yen": {audit.Entry{Actor: audit.Job("billing"), Action: "create", Collection: "payments",
			Changes: after("status", "succeeded", "amount", float64(1500), "currency", "JPY")}, "Payment of 1500 JPY succeeded"},
		"refund in dinar": {audit.Entry{Actor: staff, Action: "create", Collection: "payments",
			Changes: after("status", "succeeded", "kind", "refund", "amount", float64(1250), "currency", "KWD")}, "Refund of 1.250 KWD succeeded"},
		"reveal by staff": {audit.Entry{Actor: staff, Action: "credentials.reveal", Collection: "services", RecordID: "svc000000000001",
			Changes: after("label", "web-1")}, "Credentials of web-1 revealed"},
		"reveal in the customer's session": {audit.Entry{Actor: asCustomer, Action: "credentials.reveal", Collection: "services",
			RecordID: "svc000000000001"}, "Credentials of (svc000000000001) revealed"},
		"profile in the customer's session": {audit.Entry{Actor: asCustomer, Action: "update", Collection: "customers",
			Changes: after("phone", "+1 555 0100")}, "Account details updated"},
	} {
		tc.entry.Customer = customer
		if got := tc.entry.StaffSummary(); got != tc.want {
			t.Errorf("%s: %q, want %q", name, got, tc.want)
		}
	}

	// An action staff take in the customer's session is part of the
	// customer's own history, naming nobody; staff's own edit is not.
	for _, tc := range []struct {
		actor   audit.Actor
		visible bool
	}{{asCustomer, true}, {staff, false}} {
		e := audit.Entry{Actor: tc.actor, Action: "update", Collection: "customers", Customer: customer, Changes: after("phone", "+1")}
		if visible, summary := e.CustomerView(); visible != tc.visible || (visible && summary != "Account details updated") {
			t.Errorf("%+v: customer view %v %q", tc.actor, visible, summary)
		}
	}
}
