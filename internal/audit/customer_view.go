package audit

import (
	"math"
	"strings"

	"github.com/ezscale/ezscale/billing/money"
)

// CustomerView is what the customer an entry is about may read of it:
// whether it is part of their history at all, and a summary in their
// words. The history is an allow-list decided when the entry is written:
// the customer's own actions, money in and out, and the state changes of
// their account, services, subscriptions and invoices. Drafts, staff
// edits of anything else, sign-ins and impersonation stay with staff, and
// no summary names who did it, so staff identities never reach a
// customer (the raw actor, changes and message are hidden fields).
func (e Entry) CustomerView() (visible bool, summary string) {
	if e.Customer == "" {
		return false, ""
	}
	// Staff acting in the customer's session did it through their account,
	// as they would have: it is part of their history, naming no one.
	own := (e.Actor.Kind == KindCustomer && e.Actor.ID == e.Customer) || e.Actor.OnBehalfOf == e.Customer
	status, statusChanged := e.status()
	switch e.Collection {
	case "customers":
		switch {
		case e.Action == "create":
			return true, "Account opened"
		case e.Action == "update" && statusChanged:
			return true, "Account status changed to " + status
		case e.Action == "update" && own:
			if _, ok := e.Changes["password"]; ok {
				return true, "Password changed"
			}
			return true, "Account details updated"
		}
	case "services":
		name := e.serviceName()
		switch {
		case e.Action == "create":
			return true, "Service " + name + " ordered"
		case e.Action == "update" && statusChanged:
			return true, "Service " + name + " is now " + status
		case e.Action == "credentials.reveal" && own:
			return true, "Credentials of " + name + " revealed"
		case e.Action == "credentials.email" && e.Actor.Kind == KindJob:
			return true, "Login details of " + name + " emailed"
		case strings.HasPrefix(e.Action, "power.") && own:
			return true, "Power action " + strings.TrimPrefix(e.Action, "power.") + " sent to " + name
		case e.Action == "panel.login" && own:
			return true, "Control panel of " + name + " opened"
		case e.Action == "service.reinstall" && own:
			return true, "Reinstall of " + name + " requested"
		case e.Action == "update" && own && e.changed("label"):
			return true, "Service renamed to " + name
		}
	case "subscriptions":
		switch {
		case e.Action == "update" && statusChanged:
			return true, "Subscription is now " + status
		case e.Action == "update" && e.changed("cancel_at_period_end"):
			if e.value("cancel_at_period_end") == true {
				return true, "Cancellation at the end of the period requested"
			}
			return true, "Cancellation at the end of the period withdrawn"
		}
	case "orders":
		if e.Action == "create" {
			return true, "Order placed"
		}
	case "invoices":
		// Only a status an invoice reaches once issued: a draft, and every
		// edit that changes no status (notes, dunning bookkeeping), is staff's.
		if (e.Action == "create" || statusChanged) && invoiceEvents[status] != "" {
			return true, strings.TrimSpace("Invoice "+e.text("number")) + " " + invoiceEvents[status]
		}
	case "credit_notes":
		if e.Action == "create" {
			return true, "Credit note " + e.text("number") + " issued"
		}
	case "payments":
		if (e.Action == "create" || statusChanged) && (status == "succeeded" || status == "failed") {
			what := "Payment"
			if e.text("kind") == "refund" {
				what = "Refund"
			}
			if m := e.money("amount"); m != "" {
				what += " of " + m
			}
			return true, what + " " + status
		}
	case "credit_entries":
		if e.Action == "create" {
			s := "Account credit"
			if m := e.money("amount"); m != "" && !strings.HasPrefix(m, "-") {
				s += " +" + m
			} else if m != "" {
				s += " " + m
			}
			if d := e.text("description"); d != "" {
				s += ": " + d
			}
			return true, s
		}
	case "payment_methods", "customer_passkeys", "customer_totp", "ssh_keys":
		if own {
			return true, ownChanges[e.Collection] + " " + map[string]string{"create": "added", "update": "updated", "delete": "removed"}[e.Action]
		}
	}
	return false, ""
}

// invoiceEvents says what an invoice's new status means to its customer;
// draft is absent, so a draft is never shown.
var invoiceEvents = map[string]string{
	"open": "issued", "paid": "paid", "void": "voided", "uncollectible": "written off",
	"refunded": "refunded", "partially_refunded": "partly refunded",
}

// ownChanges names the account security and payment records a customer
// keeps themselves.
var ownChanges = map[string]string{
	"payment_methods": "Payment method", "customer_passkeys": "Passkey", "customer_totp": "Two-factor authentication",
	"ssh_keys": "SSH key",
}

// value is a field of the record the entry is about: from the record when
// the entry is being written, otherwise (an entry read back) from its
// changes, the value after, or before for a delete.
func (e Entry) value(name string) any {
	if e.record != nil {
		return e.record.Get(name)
	}
	c, ok := e.Changes[name]
	if !ok {
		return nil
	}
	if c.After != nil {
		return c.After
	}
	return c.Before
}

func (e Entry) text(name string) string {
	if v, ok := e.value(name).(string); ok && v != redacted {
		return v
	}
	return ""
}

func (e Entry) changed(name string) bool {
	_, ok := e.Changes[name]
	return ok
}

// status is the record's status after the change, and whether the change
// set it (a create always does).
func (e Entry) status() (string, bool) {
	s := e.text("status")
	return s, s != "" && (e.Action == "create" || e.changed("status"))
}

func (e Entry) serviceName() string {
	for _, f := range []string{"label", "hostname", "domain"} {
		if v := e.text(f); v != "" {
			return v
		}
	}
	return "(" + e.RecordID + ")"
}

// money formats the amount field name in the record's currency ("12.00
// USD"), or nothing when either is unknown.
func (e Entry) money(name string) string {
	var minor int64
	switch v := e.value(name).(type) {
	case int:
		minor = int64(v)
	case int64:
		minor = v
	case float64:
		if v != math.Trunc(v) || math.Abs(v) > 1<<53 {
			return ""
		}
		minor = int64(v)
	default:
		return ""
	}
	a, err := money.New(minor, e.text("currency"))
	if err != nil {
		return ""
	}
	return a.String()
}
