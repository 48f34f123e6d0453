package audit

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// HistoryPerPage is how many entries a page of a customer's history holds.
const HistoryPerPage = 25

// HistoryItem is one entry of a customer's history as staff read it: who
// (by name), what (in words, money in its currency), and what it was about.
type HistoryItem struct {
	ID              string         `json:"id"`
	At              types.DateTime `json:"at"`
	Who             string         `json:"who"`
	ActorKind       string         `json:"actor_kind"`
	Impersonated    bool           `json:"impersonated"`
	What            string         `json:"what"`
	Note            string         `json:"note,omitempty"`
	Collection      string         `json:"collection"`
	RecordID        string         `json:"record_id"`
	CustomerVisible bool           `json:"customer_visible"`
}

// HistoryPage is a page of a customer's history, newest first.
type HistoryPage struct {
	Page       int           `json:"page"`
	PerPage    int           `json:"perPage"`
	TotalItems int           `json:"totalItems"`
	TotalPages int           `json:"totalPages"`
	Items      []HistoryItem `json:"items"`
}

type historyRow struct {
	ID              string         `db:"id"`
	ActorKind       string         `db:"actor_kind"`
	ActorID         string         `db:"actor_id"`
	OnBehalfOf      string         `db:"on_behalf_of"`
	Action          string         `db:"action"`
	Collection      string         `db:"collection"`
	RecordID        string         `db:"record_id"`
	Customer        string         `db:"customer"`
	Changes         types.JSONRaw  `db:"changes"`
	Message         string         `db:"message"`
	CustomerVisible bool           `db:"customer_visible"`
	Created         types.DateTime `db:"created"`
}

// CustomerHistory is page (from 1) of everything the audit log holds about
// a customer, for staff: the customer's own view of each entry where there
// is one, and the staff-only rest (drafts, notes, edits, impersonation) in
// words, with people named.
func CustomerHistory(app core.App, customerID string, page int) (HistoryPage, error) {
	if page < 1 {
		return HistoryPage{}, fmt.Errorf("page must be 1 or more, not %d", page)
	}
	where := dbx.HashExp{"customer": customerID}
	var total int
	if err := app.DB().Select("COUNT(*)").From(Collection).Where(where).Row(&total); err != nil {
		return HistoryPage{}, fmt.Errorf("count history of %s: %w", customerID, err)
	}
	// Entries of one millisecond (a transaction's) keep the order they
	// were written in: rowid grows with each insert.
	var rows []historyRow
	err := app.DB().Select("id", "actor_kind", "actor_id", "on_behalf_of", "action", "collection", "record_id",
		"customer", "changes", "message", "customer_visible", "created").
		From(Collection).Where(where).OrderBy("created DESC", "rowid DESC").
		Offset(int64((page - 1) * HistoryPerPage)).Limit(HistoryPerPage).All(&rows)
	if err != nil {
		return HistoryPage{}, fmt.Errorf("history of %s: %w", customerID, err)
	}
	names, err := staffNames(app, rows)
	if err != nil {
		return HistoryPage{}, err
	}
	out := HistoryPage{Page: page, PerPage: HistoryPerPage, TotalItems: total,
		TotalPages: (total + HistoryPerPage - 1) / HistoryPerPage, Items: make([]HistoryItem, 0, len(rows))}
	for _, r := range rows {
		e := Entry{Actor: Actor{Kind: r.ActorKind, ID: r.ActorID, OnBehalfOf: r.OnBehalfOf}, Action: r.Action,
			Collection: r.Collection, RecordID: r.RecordID, Customer: r.Customer}
		if len(r.Changes) > 0 {
			_ = json.Unmarshal(r.Changes, &e.Changes) // an unreadable diff still leaves who and what
		}
		item := HistoryItem{ID: r.ID, At: r.Created, ActorKind: r.ActorKind, Impersonated: r.OnBehalfOf != "",
			What: e.StaffSummary(), Collection: r.Collection, RecordID: r.RecordID, CustomerVisible: r.CustomerVisible}
		item.Who = e.actorName(names)
		if r.Action != ActionImpersonate {
			item.Note = r.Message
		}
		out.Items = append(out.Items, item)
	}
	return out, nil
}

// staffNames maps the staff ids acting in rows to their email addresses.
func staffNames(app core.App, rows []historyRow) (map[string]string, error) {
	var ids []any
	for _, r := range rows {
		if r.ActorKind == KindSuperuser && r.ActorID != "" {
			ids = append(ids, r.ActorID)
		}
	}
	names := map[string]string{}
	if len(ids) == 0 {
		return names, nil
	}
	var found []struct {
		ID    string `db:"id"`
		Email string `db:"email"`
	}
	if err := app.DB().Select("id", "email").From(core.CollectionNameSuperusers).
		Where(dbx.In("id", ids...)).All(&found); err != nil {
		return nil, fmt.Errorf("staff names: %w", err)
	}
	for _, f := range found {
		names[f.ID] = f.Email
	}
	return names, nil
}

// jobNames say which run of the platform acted.
var jobNames = map[string]string{
	"billing": "the billing run", "renewals": "the renewal run", "dunning": "the dunning run",
	"outbox": "the mail delivery", "provisioning": "provisioning", "bandwidth": "the bandwidth run",
	"status-sync": "the status sync", "whmcs-cutover": "the WHMCS cutover", "whmcs-link": "the WHMCS link",
}

// actorName is who acted, in words: a staff member by email (a removed
// one by id), the customer, a job by what it does, a gateway's webhook.
func (e Entry) actorName(staff map[string]string) string {
	switch e.Actor.Kind {
	case KindSuperuser:
		who := "staff"
		if e.Actor.ID != "" {
			who = "staff " + e.Actor.ID
			if email := staff[e.Actor.ID]; email != "" {
				who = email
			}
		}
		if e.Actor.OnBehalfOf != "" {
			who += " as the customer"
		}
		return who
	case KindCustomer:
		if e.Actor.ID == e.Customer {
			return "the customer"
		}
		return "another customer (" + e.Actor.ID + ")"
	case KindJob:
		if n := jobNames[e.Actor.ID]; n != "" {
			return n
		}
		return "job " + e.Actor.ID
	case KindGuest:
		return "a visitor"
	}
	if gateway, ok := strings.CutPrefix(e.Actor.ID, "webhook:"); ok && gateway != "" {
		if name := gatewayNames[gateway]; name != "" {
			gateway = name
		}
		return "a " + gateway + " webhook"
	}
	return "the platform"
}

// gatewayNames spell the payment gateways whose webhooks act.
var gatewayNames = map[string]string{"stripe": "Stripe", "paypal": "PayPal"}

// collectionNames name a record kind in words.
var collectionNames = map[string]string{
	"customers": "Account", "services": "Service", "subscriptions": "Subscription", "invoices": "Invoice",
	"invoice_items": "Invoice line", "payments": "Payment", "payment_methods": "Payment method",
	"credit_entries": "Credit entry", "credit_notes": "Credit note", "orders": "Order",
	"customer_passkeys": "Passkey", "customer_totp": "Two-factor authentication", "ticket_archive": "Archived ticket",
	"provisioning_jobs": "Provisioning job", "coupon_redemptions": "Coupon redemption",
}

var actionVerbs = map[string]string{"create": "created", "update": "updated", "delete": "deleted"}

// StaffSummary is an entry in words for staff: what the customer reads
// of it where they read it, otherwise what staff need to know, naming the
// fields changed (never their raw values: hidden ones are redacted).
func (e Entry) StaffSummary() string {
	if visible, summary := e.CustomerView(); visible {
		return summary
	}
	switch {
	case e.Action == ActionImpersonate:
		return "Opened the portal as the customer (impersonation)"
	case e.Collection == "customers" && e.Action == "update" && e.changed("notes") && len(e.Changes) == 1:
		return "Staff notes edited"
	case e.Collection == "invoices" && e.Action == "create":
		return "Draft invoice created"
	case e.Collection == "services" && e.Action == "credentials.reveal":
		return "Credentials of " + e.serviceName() + " revealed"
	case e.Collection == "services" && strings.HasPrefix(e.Action, "power."):
		return "Power action " + strings.TrimPrefix(e.Action, "power.") + " sent to " + e.serviceName()
	case e.Collection == "services" && e.Action == "panel.login":
		return "Control panel of " + e.serviceName() + " opened"
	}
	what := collectionNames[e.Collection]
	if what == "" {
		what = strings.ReplaceAll(e.Collection, "_", " ")
	}
	if n := e.text("number"); n != "" {
		what += " " + n
	}
	verb, ok := actionVerbs[e.Action]
	if !ok {
		verb = strings.ReplaceAll(e.Action, ".", " ")
	}
	s := what + " " + verb
	if e.Action == "update" {
		if fields := e.changedFields(); fields != "" {
			s += ": " + fields
		}
	}
	return s
}

// changedFields lists the fields an update changed, in words.
func (e Entry) changedFields() string {
	names := make([]string, 0, len(e.Changes))
	for name := range e.Changes {
		names = append(names, strings.ReplaceAll(name, "_", " "))
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
