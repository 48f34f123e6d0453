package migrations_test

import (
	"bytes"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"github.com/ezscale/ezscale/internal/settings"
	"github.com/ezscale/ezscale/internal/testutil"
	migrations "github.com/ezscale/ezscale/pb_migrations"
)

// The API access of every collection, as the issue states it: guests see
// the active catalog and published announcements; a customer reads their
// own records only and writes nothing but a safe part of their profile;
// anyone may sign up; every other write is staff's. Hidden fields never
// reach a guest or a customer, whether listed, viewed, expanded or pushed
// over realtime (realtime_test.go).

type actor string

const (
	anonymous actor = "anonymous"
	customerA actor = "customer_A"
	customerB actor = "customer_B"
	superuser actor = "superuser"
)

var actors = []actor{anonymous, customerA, customerB, superuser}

// cell is what one actor gets for each action on one collection: the
// records a list shows (or its error status) and the status of a view,
// create, update and delete of the row's target record.
type cell struct {
	list                         visible
	view, create, update, delete int
}

type visible struct {
	status int
	keys   []string // fixture keys of the listed records
	all    bool     // every record of the collection
}

func sees(keys ...string) visible { return visible{status: http.StatusOK, keys: keys} }

var (
	seesAll       = visible{status: http.StatusOK, all: true}
	listForbidden = visible{status: http.StatusForbidden}
)

// accessRow is one collection of the matrix.
type accessRow struct {
	collection string
	target     string // fixture key of the record viewed, updated and deleted
	create     func(f *fixture, collection string, who actor) map[string]any
	update     map[string]any
	expect     map[actor]cell
}

func accessMatrix() []accessRow {
	return []accessRow{
		{collection: "customers", target: "A", create: signupBody, update: map[string]any{"name": "Renamed"},
			expect: map[actor]cell{
				anonymous: {list: sees(), view: 404, create: 200, update: 404, delete: 403},
				// Sign-up is for guests: a signed-in customer opens no further accounts.
				customerA: {list: sees("A"), view: 200, create: 400, update: 200, delete: 403},
				customerB: {list: sees("B"), view: 404, create: 400, update: 404, delete: 403},
				// A has invoices: a customer with financial history cannot be deleted.
				superuser: {list: seesAll, view: 200, create: 200, update: 200, delete: 400},
			}},

		// The catalog. Plans and prices in use cannot be deleted.
		{collection: "plans", target: "active", create: like("active", map[string]any{"slug": "new-plan"}),
			update: map[string]any{"name": "Renamed"}, expect: public(sees("active"), staff(200, 200, 400))},
		{collection: "plan_prices", target: "active", create: like("active", map[string]any{"cycle": "quarterly"}),
			update: map[string]any{"amount": 1300}, expect: public(sees("active"), staff(200, 200, 400))},
		{collection: "tax_rates", target: "vat", create: like("vat", nil),
			update: map[string]any{"rate": 20000}, expect: staffOnly(staff(200, 200, 204))},
		{collection: "coupons", target: "welcome", create: like("welcome", map[string]any{"code": "NEW"}),
			update: map[string]any{"percent_off": 20}, expect: staffOnly(staff(200, 200, 400))},
		{collection: "announcements", target: "published", create: like("published", map[string]any{"slug": "new"}),
			update: map[string]any{"title": "Renamed"}, expect: public(sees("published"), staff(200, 200, 204))},
		// Legal pages and the knowledge base: published ones are public.
		{collection: "pages", target: "terms", create: like("terms", map[string]any{"slug": "new"}),
			update: map[string]any{"title": "Renamed"}, expect: public(sees("terms"), staff(200, 200, 204))},

		// What a customer owns: theirs to read, staff's to write.
		{collection: "payment_methods", target: "A", create: like("A", map[string]any{"gateway_ref": "pm_new"}),
			update: map[string]any{"is_default": false}, expect: owned(staff(200, 200, 204))},
		{collection: "subscriptions", target: "A", create: like("A", nil),
			update: map[string]any{"cancel_at_period_end": true}, expect: owned(staff(200, 200, 204))},
		{collection: "services", target: "A", create: like("A", map[string]any{"platform_service_id": "vf-new"}),
			update: map[string]any{"label": "Renamed"}, expect: owned(staff(200, 200, 204))},
		// An issued invoice keeps its number: it is voided, never deleted.
		{collection: "invoices", target: "A", create: like("A", nil),
			update: map[string]any{"notes": "Thanks"}, expect: owned(staff(200, 200, 400))},
		{collection: "invoice_items", target: "A", create: like("A", map[string]any{"kind": "adjustment"}),
			update: map[string]any{"description": "Renamed"}, expect: owned(staff(200, 200, 204))},
		// Staff type in manual charges only; a recorded payment changes only
		// its fee and is never deleted.
		{collection: "payments", target: "A", create: like("A", map[string]any{"gateway_id": "pi_new"}),
			update: map[string]any{"fee": 30}, expect: owned(staff(400, 200, 403))},
		{collection: "payments", target: "A", create: like("A", map[string]any{"gateway_id": "", "gateway": "manual", "payment_method": ""}),
			update: map[string]any{"amount": 1}, expect: owned(staff(200, 400, 403))},
		// Credit notes are issued by the refund flow only, never typed in.
		{collection: "credit_notes", target: "A", create: like("A", map[string]any{"number": "CN-NEW"}),
			update: map[string]any{"reason": "Renamed"}, expect: owned(staff(403, 403, 403))},
		// The credit ledger is append-only; staff add manual entries.
		{collection: "credit_entries", target: "A", create: like("A", map[string]any{"invoice": "", "description": "Goodwill"}),
			update: map[string]any{"description": "Renamed"}, expect: owned(staff(200, 403, 403))},
		{collection: "coupon_redemptions", target: "A", create: like("A", nil),
			update: map[string]any{"amount_off": 100}, expect: owned(staff(200, 200, 204))},
		{collection: "orders", target: "A", create: like("A", nil),
			update: map[string]any{"status": "cancelled"}, expect: owned(staff(200, 200, 204))},
		{collection: "bandwidth_usage", target: "A", create: like("A", map[string]any{"period_start": "2025-02-01 00:00:00.000Z"}),
			update: map[string]any{"final": true}, expect: owned(staff(200, 200, 204))},
		{collection: "bandwidth_daily", target: "A", create: like("A", map[string]any{"day": "2025-01-02"}),
			update: map[string]any{"bytes_in": 10}, expect: owned(staff(200, 200, 204))},
		{collection: "support_tickets", target: "A", create: like("A", map[string]any{"supportpal_id": 99}),
			update: map[string]any{"status": "closed"}, expect: owned(staff(200, 200, 204))},
		{collection: "ticket_archive", target: "A", create: like("A", map[string]any{"whmcs_id": "new"}),
			update: map[string]any{"status": "Closed"}, expect: owned(staff(200, 200, 204))},
		// Audit entries are written by the platform and append-only, even for staff.
		{collection: "audit_logs", target: "A", create: auditBody,
			update: map[string]any{"message": "rewritten"}, expect: owned(staff(403, 400, 400))},

		// The machinery: staff only.
		{collection: "provisioning_jobs", target: "A", create: like("A", map[string]any{"dedupe_key": "new"}),
			update: map[string]any{"status": "cancelled"}, expect: staffOnly(staff(200, 200, 204))},
		{collection: "outbox", target: "A", create: like("A", nil),
			update: map[string]any{"status": "cancelled"}, expect: staffOnly(staff(200, 200, 204))},
		{collection: "webhook_events", target: "paid", create: like("paid", map[string]any{"event_id": "evt_new"}),
			update: map[string]any{"flagged": true}, expect: staffOnly(staff(200, 200, 204))},
		{collection: "number_sequences", target: "invoice", create: like("invoice", map[string]any{"key": "INV-2026-"}),
			update: map[string]any{"last": 3}, expect: staffOnly(staff(200, 200, 204))},
		// Who held which address when (billing/bandwidth): staff's.
		{collection: "service_addresses", target: "A", create: like("A", map[string]any{"address": "192.0.2.99"}),
			update: map[string]any{"to": "2025-03-01 00:00:00.000Z"}, expect: staffOnly(staff(200, 200, 204))},
		{collection: "sync_cursors", target: "support", create: like("support", map[string]any{"name": "other"}),
			update: map[string]any{"synced_at": "2026-02-01 00:00:00.000Z"}, expect: staffOnly(staff(200, 200, 204))},
		{collection: "email_templates", target: "welcome", create: like("welcome", map[string]any{"key": "invoice_issued"}),
			update: map[string]any{"enabled": false}, expect: staffOnly(staff(200, 200, 204))},
		// A customer's second factor: they read whether it is on (the secret
		// and codes are hidden fields); changed through /api/account/totp only.
		{collection: "customer_totp", target: "A", create: totpBody,
			update: map[string]any{"enabled": false}, expect: owned(staff(200, 200, 204))},
		// A customer's passkeys: listed by their owner, changed through
		// /api/account/passkeys only.
		{collection: "customer_passkeys", target: "A", create: like("A", map[string]any{"credential_id": "cred-new"}),
			update: map[string]any{"name": "renamed"}, expect: owned(staff(200, 200, 204))},
		// Saved SSH keys: the owner lists, adds, renames and deletes their
		// own; another customer (or a guest) can add none to A's account.
		// A deletes the target first, so staff's delete finds it gone.
		{collection: "ssh_keys", target: "A", create: sshKeyBody, update: map[string]any{"name": "Renamed"},
			expect: map[actor]cell{
				anonymous: {list: sees(), view: 404, create: 400, update: 404, delete: 404},
				customerA: {list: sees("A"), view: 200, create: 200, update: 200, delete: 204},
				customerB: {list: sees("B"), view: 404, create: 400, update: 404, delete: 404},
				superuser: staff(200, 200, 404),
			}},
		// API keys: the owner lists their keys without the hash; keys are
		// made and revoked through /api/account/api-keys only.
		{collection: "api_keys", target: "A", create: like("A", map[string]any{"prefix": "ezk_live_other000000"}),
			update: map[string]any{"name": "Renamed"}, expect: owned(staff(200, 200, 204))},
		// Staff's passkeys: superusers only, added through a ceremony
		// (/api/staff/passkeys), never typed into the records API.
		{collection: "staff_passkeys", target: "staff", create: like("staff", map[string]any{"credential_id": "cred-new"}),
			update: map[string]any{"name": "renamed"}, expect: staffOnly(staff(403, 200, 204))},
		// One settings record: no second one, no deletion.
		{collection: "settings", target: "main", create: settingsBody,
			update: map[string]any{"company_phone": "+1 555 0100"}, expect: staffOnly(staff(400, 200, 400))},
	}
}

// staff is what a superuser gets: every record, and the given write statuses.
func staff(create, update, delete int) cell {
	return cell{list: seesAll, view: 200, create: create, update: update, delete: delete}
}

// owned: each customer lists and views their own records; guests see none.
func owned(staff cell) map[actor]cell {
	return map[actor]cell{
		anonymous: {list: sees(), view: 404, create: 403, update: 403, delete: 403},
		customerA: {list: sees("A"), view: 200, create: 403, update: 403, delete: 403},
		customerB: {list: sees("B"), view: 404, create: 403, update: 403, delete: 403},
		superuser: staff,
	}
}

// public: everyone reads the visible records; the target is one of them.
func public(v visible, staff cell) map[actor]cell {
	reader := cell{list: v, view: 200, create: 403, update: 403, delete: 403}
	return map[actor]cell{anonymous: reader, customerA: reader, customerB: reader, superuser: staff}
}

// staffOnly: nobody else reads or writes anything.
func staffOnly(staff cell) map[actor]cell {
	none := cell{list: listForbidden, view: 403, create: 403, update: 403, delete: 403}
	return map[actor]cell{anonymous: none, customerA: none, customerB: none, superuser: staff}
}

var actions = []string{"list", "view", "create", "update", "delete"}

func TestAccessMatrix(t *testing.T) {
	rows := accessMatrix()

	t.Run("every collection has a row", func(t *testing.T) {
		app := testutil.NewApp(t)
		cols, err := app.FindAllCollections()
		if err != nil {
			t.Fatal(err)
		}
		inMatrix := map[string]bool{}
		for _, r := range rows {
			inMatrix[r.collection] = true
		}
		for _, c := range cols {
			if !c.System && !inMatrix[c.Name] {
				t.Errorf("collection %s has no row in the access matrix", c.Name)
			}
			delete(inMatrix, c.Name)
		}
		for name := range inMatrix {
			t.Errorf("the access matrix has a row for %s, which does not exist", name)
		}
	})

	for _, row := range rows {
		t.Run(row.collection, func(t *testing.T) {
			t.Parallel()
			// Each collection gets its own app: the allowed writes (a staff
			// delete last of all) then change nothing another row reads.
			f := newFixture(t)
			for _, action := range actions {
				for _, who := range actors {
					t.Run(action+"/"+string(who), func(t *testing.T) {
						row.check(t, f, who, action)
					})
				}
			}
		})
	}
}

func (row accessRow) check(t *testing.T, f *fixture, who actor, action string) {
	want := row.expect[who]
	records := "/api/collections/" + row.collection + "/records"
	target := records + "/" + f.id(row.collection, row.target)
	token := f.tokens[who]

	var res *testutil.Response
	switch action {
	case "list":
		res = f.api.Do(http.MethodGet, records+"?perPage=500", token, nil)
		expectStatus(t, res, want.list.status)
		if res.Status == http.StatusOK {
			got, exp := sorted(res.IDs(t)), sorted(f.visibleIDs(row.collection, want.list))
			if !slices.Equal(got, exp) {
				t.Errorf("listed %v, want %v (%s)", got, exp, f.describe(row.collection, got))
			}
		}
	case "view":
		res = f.api.Do(http.MethodGet, target, token, nil)
		expectStatus(t, res, want.view)
	case "create":
		res = f.api.Do(http.MethodPost, records, token, row.create(f, row.collection, who))
		expectStatus(t, res, want.create)
	case "update":
		res = f.api.Do(http.MethodPatch, target, token, row.update)
		expectStatus(t, res, want.update)
	case "delete":
		res = f.api.Do(http.MethodDelete, target, token, nil)
		expectStatus(t, res, want.delete)
	}
	if res.Status == http.StatusOK {
		f.checkHiddenFields(t, row.collection, who, res)
	}
}

// TestForeignRecordLooksMissing: what customer B (or a guest) gets for
// customer A's record is exactly what they get for an id that does not
// exist, so no status code or message tells that A's record is there.
func TestForeignRecordLooksMissing(t *testing.T) {
	f := newFixture(t)
	missing := core.GenerateDefaultRandomId()
	for _, row := range accessMatrix() {
		if row.expect[customerA].view != http.StatusOK || row.target != "A" {
			continue // not readable by customers, or not owned
		}
		records := "/api/collections/" + row.collection + "/records"
		byID := func(suffix string) func(string) string {
			return func(id string) string { return records + "/" + id + suffix }
		}
		filter := func(format string) func(string) string {
			return func(v string) string { return records + "?filter=" + query(fmt.Sprintf(format, v)) }
		}
		foreign := f.id(row.collection, "A")
		probes := []probe{
			{"view", http.MethodGet, byID(""), foreign, missing, row.expect[customerB].view},
			{"view expanding", http.MethodGet, byID("?expand=customer"), foreign, missing, row.expect[customerB].view},
			{"update", http.MethodPatch, byID(""), foreign, missing, row.expect[customerB].update},
			{"delete", http.MethodDelete, byID(""), foreign, missing, row.expect[customerB].delete},
			{"filter by id", http.MethodGet, filter(`id="%s"`), foreign, missing, 200},
		}
		if row.collection == "customers" {
			probes = append(probes, probe{"filter by email", http.MethodGet, filter(`email="%s"`), "a@example.com", "nobody@example.com", 200})
		} else {
			probes = append(probes, probe{"filter by customer", http.MethodGet, filter(`customer="%s"`), f.id("customers", "A"), missing, 200})
		}
		for _, p := range probes {
			for _, who := range []actor{customerB, anonymous} {
				t.Run(row.collection+"/"+p.name+"/"+string(who), func(t *testing.T) {
					body := map[string]any{"name": "x"}
					theirs := f.api.Do(p.method, p.path(p.foreign), f.tokens[who], body)
					none := f.api.Do(p.method, p.path(p.missing), f.tokens[who], body)
					if who == customerB {
						expectStatus(t, theirs, p.status)
					}
					if !sameResponse(t, theirs, none) {
						t.Errorf("A's record: %d %s\nmissing record: %d %s", theirs.Status, theirs.Body, none.Status, none.Body)
					}
					if theirs.Status == http.StatusOK && len(theirs.Items(t)) != 0 {
						t.Errorf("filtering into A's records listed %s", theirs.Body)
					}
				})
			}
		}
	}
}

// probe requests a path made for A's record (foreign) and for one that
// does not exist (missing).
type probe struct {
	name, method     string
	path             func(string) string
	foreign, missing string
	status           int
}

// TestExpandAndFilterStayWithinTheCustomer: expanding a relation shows only
// what the viewer may view, without hidden fields; a filter cannot reach
// into another customer's records or test a hidden value.
func TestExpandAndFilterStayWithinTheCustomer(t *testing.T) {
	f := newFixture(t)
	a, b := f.id("customers", "A"), f.id("customers", "B")
	// A record of B's that points at A's records, as a staff mistake could.
	crossed := testutil.Create(t, f.app, "orders", map[string]any{
		"customer": b, "plan_price": f.id("plan_prices", "active"), "status": "pending",
		"invoice": f.id("invoices", "A"), "subscription": f.id("subscriptions", "A"), "service": f.id("services", "A"),
	})

	cases := []struct {
		name  string
		who   actor
		path  string
		check func(t *testing.T, res *testutil.Response)
	}{
		{"B's invoices expand to B only", customerB, "/api/collections/invoices/records?expand=customer",
			expandsTo("customer", b)},
		{"B's own record expands back-relations to B's records only", customerB,
			"/api/collections/customers/records/" + b + "?expand=invoices_via_customer,services_via_customer,payments_via_customer",
			onlyRecordsOf(b)},
		{"B's catalog relations expand back to B's records only", customerB,
			"/api/collections/subscriptions/records?expand=plan_price.orders_via_plan_price,plan.services_via_plan,coupon",
			onlyRecordsOf(b)},
		{"guests' plans expand back to no customer's records", anonymous,
			"/api/collections/plans/records?expand=services_via_plan,subscriptions_via_plan,plan_prices_via_plan.orders_via_plan_price",
			onlyRecordsOf()},
		{"B's order does not expand A's invoice, subscription or service", customerB,
			"/api/collections/orders/records/" + crossed.Id + "?expand=invoice,subscription,service,customer",
			func(t *testing.T, res *testutil.Response) {
				expand, _ := res.Object(t)["expand"].(map[string]any)
				for _, rel := range []string{"invoice", "subscription", "service"} {
					if expand[rel] != nil {
						t.Errorf("expanded A's %s: %v", rel, expand[rel])
					}
				}
				notContains(t, res, "srv-a.example.net")
			}},
		{"A's services expand customer, plan and subscription without hidden fields", customerA,
			"/api/collections/services/records?expand=customer,plan,subscription.plan_price,payment_method",
			expandsTo("customer", a)},
		{"A's invoices expand customer without hidden fields", customerA,
			"/api/collections/invoices/records?expand=customer,coupon", expandsTo("customer", a)},
		{"A's items expand the whole chain without hidden fields", customerA,
			"/api/collections/invoice_items/records?expand=invoice.customer,service.plan,subscription.plan_price,tax_rate",
			expandsTo("service", f.id("services", "A"))},
		{"guests' plans have no platform config", anonymous, "/api/collections/plans/records", nil},
		{"guests' prices expand plans without platform config", anonymous, "/api/collections/plan_prices/records?expand=plan", nil},
		{"staff see every hidden field", superuser, "/api/collections/services/records/" + f.id("services", "A"),
			func(t *testing.T, res *testutil.Response) {
				got := res.Object(t)
				for field, value := range map[string]string{
					"credentials": hidden("credentials", "A"), "staff_notes": hidden("staff-notes", "A"),
					"platform_service_id": hidden("platform-service", "A"),
				} {
					if got[field] != value {
						t.Errorf("%s = %v, want %q", field, got[field], value)
					}
				}
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := f.api.Do(http.MethodGet, c.path, f.tokens[c.who], nil)
			expectStatus(t, res, http.StatusOK)
			collection := strings.Split(strings.TrimPrefix(c.path, "/api/collections/"), "/")[0]
			f.checkHiddenFields(t, collection, c.who, res)
			if c.check != nil {
				c.check(t, res)
			}
		})
	}

	// A filter answers the same whether or not it matches A's data or a
	// hidden value, so it cannot be used to guess them.
	oracles := []struct {
		who                actor
		collection, filter string
		match, noMatch     string
	}{
		{customerA, "services", `credentials~"%s"`, secret, "no such value"},
		{customerA, "services", `platform_service_id~"%s"`, secret, "no such value"},
		{customerA, "customers", `notes~"%s"`, secret, "no such value"},
		{customerB, "invoices", `customer.notes~"%s"`, secret, "no such value"},
		{customerB, "invoices", `customer.stripe_customer_id~"%s"`, secret, "no such value"},
		{customerB, "invoices", `customer.email="%s"`, "a@example.com", "nobody@example.com"},
		{customerB, "customers", `services_via_customer.id="%s"`, f.id("services", "A"), core.GenerateDefaultRandomId()},
		{customerB, "invoices", `coupon.coupon_redemptions_via_coupon.customer.email="%s"`, "a@example.com", "nobody@example.com"},
		{customerB, "services", `plan.services_via_plan.hostname="%s"`, "srv-a.example.net", "nowhere.example.net"},
		{customerB, "customers", `@collection.customers.email="%s"`, "a@example.com", "nobody@example.com"},
		{anonymous, "plans", `platform_config~"%s"`, secret, "no such value"},
		{anonymous, "plans", `subscriptions_via_plan.customer.email="%s"`, "a@example.com", "nobody@example.com"},
		{anonymous, "plans", `services_via_plan.hostname="%s"`, "srv-a.example.net", "nowhere.example.net"},
		{anonymous, "plan_prices", `orders_via_plan_price.customer.email="%s"`, "a@example.com", "nobody@example.com"},
	}
	for _, o := range oracles {
		t.Run(fmt.Sprintf("filter %s %s by %s", o.collection, o.filter, o.who), func(t *testing.T) {
			path := "/api/collections/" + o.collection + "/records?filter="
			hit := f.api.Do(http.MethodGet, path+query(fmt.Sprintf(o.filter, o.match)), f.tokens[o.who], nil)
			miss := f.api.Do(http.MethodGet, path+query(fmt.Sprintf(o.filter, o.noMatch)), f.tokens[o.who], nil)
			if !sameResponse(t, hit, miss) {
				t.Errorf("the filter tells values apart:\nmatching: %d %s\nnot matching: %d %s",
					hit.Status, hit.Body, miss.Status, miss.Body)
			}
			if hit.Status == http.StatusOK && len(hit.Items(t)) > 0 {
				t.Errorf("the filter matched: %s", hit.Body)
			}
		})
	}
}

// TestCustomerSelfService: a customer edits the safe fields of their own
// profile and nothing else.
func TestCustomerSelfService(t *testing.T) {
	f := newFixture(t)
	a := f.id("customers", "A")
	cases := []struct {
		field  string
		value  any
		status int
	}{
		{"name", "Alice Example", 200},
		{"phone", "+1 (555) 010-0100", 200},
		{"company", "A Corp", 200},
		{"address_line1", "1 Main Street", 200},
		{"address_line2", "Suite 2", 200},
		{"city", "Berlin", 200},
		{"region", "Berlin", 200},
		{"postal_code", "10115", 200},
		{"country", "DE", 200},
		{"tax_id", "12/345/67890", 200},
		{"vat_id", "DE123456789", 200},
		{"status", "closed", 400},
		{"tax_exempt", true, 400},
		{"dunning_exempt", true, 400},
		{"disputed", true, 400},
		{"verified", false, 400},
		{"email", "new-a@example.com", 400},
		{"notes", "let me in", 400},
		{"stripe_customer_id", "cus_mine", 400},
		{"paypal_payer_id", "payer_mine", 400},
	}
	for _, c := range cases {
		t.Run(c.field, func(t *testing.T) {
			before := f.record(t, "customers", a)
			res := f.api.Do(http.MethodPatch, "/api/collections/customers/records/"+a, f.tokens[customerA], map[string]any{c.field: c.value})
			after := f.record(t, "customers", a)
			switch {
			case c.status == http.StatusOK && fmt.Sprint(after.Get(c.field)) != fmt.Sprint(c.value):
				t.Errorf("%s = %v after the update, want %v", c.field, after.Get(c.field), c.value)
			case c.status != http.StatusOK && fmt.Sprint(after.Get(c.field)) != fmt.Sprint(before.Get(c.field)):
				t.Errorf("%s changed from %v to %v although refused", c.field, before.Get(c.field), after.Get(c.field))
			}
			if f.hiddenFieldIgnored(res, c.status, c.field) {
				return
			}
			expectStatus(t, res, c.status)
		})
	}
	t.Run("another customer's profile", func(t *testing.T) {
		res := f.api.Do(http.MethodPatch, "/api/collections/customers/records/"+f.id("customers", "B"),
			f.tokens[customerA], map[string]any{"name": "Mallory"})
		expectStatus(t, res, http.StatusNotFound)
	})
}

// TestCustomerCurrency: the currency may change until something is billed in it.
func TestCustomerCurrency(t *testing.T) {
	f := newFixture(t)
	cases := []struct {
		name     string
		billed   func(t *testing.T, customer string)
		currency string
		status   int
	}{
		{"nothing billed yet", nil, "EUR", 200},
		{"a currency not offered", nil, "JPY", 400},
		{"an invoice", func(t *testing.T, c string) {
			testutil.Create(t, f.app, "invoices", map[string]any{"customer": c, "status": "draft", "currency": "USD"})
		}, "EUR", 400},
		{"account credit", func(t *testing.T, c string) {
			testutil.Create(t, f.app, "credit_entries", map[string]any{"customer": c, "currency": "USD", "amount": 100, "reason": "manual"})
		}, "EUR", 400},
		{"a subscription", func(t *testing.T, c string) {
			testutil.Create(t, f.app, "subscriptions", map[string]any{"customer": c, "plan": f.id("plans", "active"),
				"plan_price": f.id("plan_prices", "active"), "status": "pending", "cycle": "monthly", "currency": "USD"})
		}, "EUR", 400},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			customer := testutil.Customer(t, f.app, fmt.Sprintf("currency%d@example.com", i), "USD")
			if c.billed != nil {
				c.billed(t, customer.Id)
			}
			res := f.api.Do(http.MethodPatch, "/api/collections/customers/records/"+customer.Id,
				testutil.Token(t, customer), map[string]any{"currency": c.currency})
			expectStatus(t, res, c.status)
			want := "USD"
			if c.status == http.StatusOK {
				want = c.currency
			}
			if got := f.record(t, "customers", customer.Id).GetString("currency"); got != want {
				t.Errorf("currency = %s, want %s", got, want)
			}
		})
	}
}

// TestSignUp: anyone creates an account with name, email, password and an
// offered currency; nothing staff decides can be set that way.
func TestSignUp(t *testing.T) {
	f := newFixture(t)
	cases := []struct {
		name   string
		extra  map[string]any
		status int
	}{
		{"name, email, password and currency", nil, 200},
		{"with a status", map[string]any{"status": "active"}, 400},
		{"with notes", map[string]any{"notes": "vip"}, 400},
		{"tax exempt", map[string]any{"tax_exempt": true}, 400},
		{"verified", map[string]any{"verified": true}, 400},
		{"dunning exempt", map[string]any{"dunning_exempt": true}, 400},
		{"with a Stripe customer", map[string]any{"stripe_customer_id": "cus_123"}, 400},
		{"a currency not offered", map[string]any{"currency": "JPY"}, 400},
		{"no currency", map[string]any{"currency": ""}, 400},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			email := fmt.Sprintf("signup%d@example.com", i)
			body := map[string]any{"name": "New Customer", "email": email,
				"password": "correct horse battery", "passwordConfirm": "correct horse battery", "currency": "EUR"}
			maps.Copy(body, c.extra)
			res := f.api.Do(http.MethodPost, "/api/collections/customers/records", "", body)

			created, err := f.app.FindAuthRecordByEmail("customers", email)
			if c.status == http.StatusOK {
				expectStatus(t, res, c.status)
				if err != nil {
					t.Fatalf("no customer after sign-up: %v", err)
				}
				f.checkHiddenFields(t, "customers", anonymous, res)
				if created.GetString("status") != "active" || created.Verified() || created.GetBool("tax_exempt") ||
					created.GetString("currency") != "EUR" {
					t.Errorf("signed up as %v", created.FieldsData())
				}
				return
			}
			if err == nil {
				for field, value := range c.extra {
					if fmt.Sprint(created.Get(field)) == fmt.Sprint(value) {
						t.Errorf("signed up with %s = %v", field, value)
					}
				}
				if f.hiddenFieldIgnored(res, c.status, slices.Collect(maps.Keys(c.extra))...) {
					return
				}
				t.Errorf("a refused sign-up created customer %s", created.Id)
			}
			expectStatus(t, res, c.status)
		})
	}
}

// TestAuditLogsAreAppendOnly: a customer reads the entries about their own
// account (without the request's ip and user agent); nobody, staff
// included, rewrites or deletes one.
func TestAuditLogsAreAppendOnly(t *testing.T) {
	f := newFixture(t)
	a := f.id("customers", "A")

	// An entry written by a request has the hidden ip and user agent set.
	res := f.api.Do(http.MethodPatch, "/api/collections/customers/records/"+a, f.tokens[customerA], map[string]any{"city": "Berlin"})
	expectStatus(t, res, http.StatusOK)
	entry, err := f.app.FindFirstRecordByFilter("audit_logs", "customer = {:c} && actor_kind = 'customer'", dbx.Params{"c": a})
	if err != nil {
		t.Fatalf("no audit entry for A's own update: %v", err)
	}
	if entry.GetString("ip") == "" {
		t.Fatal("the request's audit entry has no ip: the hidden field check below would prove nothing")
	}

	t.Run("A lists only entries about A", func(t *testing.T) {
		res := f.api.Do(http.MethodGet, "/api/collections/audit_logs/records?perPage=500", f.tokens[customerA], nil)
		expectStatus(t, res, http.StatusOK)
		items := res.Items(t)
		if !slices.ContainsFunc(items, func(it map[string]any) bool { return it["id"] == entry.Id }) {
			t.Errorf("A's own update is not in A's audit list")
		}
		for _, it := range items {
			if it["customer"] != a {
				t.Errorf("A sees an entry about %v: %v", it["customer"], it)
			}
		}
		f.checkHiddenFields(t, "audit_logs", customerA, res)
	})

	for _, who := range actors {
		for _, method := range []string{http.MethodPatch, http.MethodDelete} {
			t.Run(method+" by "+string(who), func(t *testing.T) {
				before := f.record(t, "audit_logs", entry.Id).FieldsData()
				res := f.api.Do(method, "/api/collections/audit_logs/records/"+entry.Id, f.tokens[who],
					map[string]any{"message": "rewritten", "customer": "someone-else"})
				want := map[actor]int{anonymous: 403, customerA: 403, customerB: 403, superuser: 400}[who]
				expectStatus(t, res, want)
				if who == superuser {
					expectMessage(t, res, "append-only")
				}
				after, err := f.app.FindRecordById("audit_logs", entry.Id)
				if err != nil {
					t.Fatalf("the entry is gone: %v", err)
				}
				if !maps.EqualFunc(before, after.FieldsData(), func(x, y any) bool { return fmt.Sprint(x) == fmt.Sprint(y) }) {
					t.Errorf("the entry changed from %v to %v", before, after.FieldsData())
				}
			})
		}
	}
}

// TestSettingsRecord: only staff read and edit the settings, and there is
// always exactly one settings record.
func TestSettingsRecord(t *testing.T) {
	f := newFixture(t)
	main := f.id("settings", "main")
	cases := []struct {
		name, method, path string
		body               map[string]any
		status             int
		message            string
	}{
		{"edit", http.MethodPatch, "/" + main, map[string]any{"invoice_due_days": 14}, 200, ""},
		{"a second record", http.MethodPost, "", migrations.DefaultSettings(), 400, "one settings record"},
		{"delete", http.MethodDelete, "/" + main, nil, 400, "cannot be deleted"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := f.api.Do(c.method, "/api/collections/settings/records"+c.path, f.tokens[superuser], c.body)
			expectStatus(t, res, c.status)
			if c.message != "" {
				expectMessage(t, res, c.message)
			}
			if n, err := f.app.CountRecords(settings.Collection); err != nil || n != 1 {
				t.Errorf("%d settings records (%v), want exactly 1", n, err)
			}
		})
	}
	s, err := settings.Load(f.app)
	if err != nil || s.InvoiceDueDays != 14 {
		t.Errorf("staff edit not saved: %+v, %v", s, err)
	}
}

// ---------------------------------------------------------------------------
// The fixture

// secret starts every value the fixture puts in a hidden field, so a
// response can be searched for any of them at once.
const secret = "s3cr3t"

func hidden(what, owner string) string { return secret + "-" + what + "-" + owner }

const (
	jan1 = "2025-01-01 00:00:00.000Z"
	feb1 = "2025-02-01 00:00:00.000Z"
)

// fixture is an app with two customers, A and B, a superuser and a record
// in every collection, all relations filled. Records are known by
// collection and key: "A" and "B" for what each customer owns, names such
// as "active" or "archived" for the rest. The audit entries the hooks wrote
// are grouped by the customer they are about ("A", "B", "other").
type fixture struct {
	app    *tests.TestApp
	api    *testutil.API
	tokens map[actor]string
	ids    map[string]map[string][]string // collection -> key -> ids
	data   map[string]map[string]any      // "collection/key" -> the data it was created with
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	app := testutil.NewApp(t)
	f := &fixture{app: app, ids: map[string]map[string][]string{}, data: map[string]map[string]any{}}

	a := f.customer(t, "A", "USD")
	b := f.customer(t, "B", "EUR")
	staff := testutil.Superuser(t, app, "staff@example.com")
	f.tokens = map[actor]string{
		customerA: testutil.Token(t, a),
		customerB: testutil.Token(t, b),
		superuser: testutil.Token(t, staff),
	}

	active := f.add(t, "plans", "active", plan("vps-start", "active"))
	archived := f.add(t, "plans", "archived", plan("vps-old", "archived"))
	price := f.add(t, "plan_prices", "active", planPrice(active.Id, "monthly", true))
	f.add(t, "plan_prices", "inactive", planPrice(active.Id, "annual", false))
	f.add(t, "plan_prices", "archivedPlan", planPrice(archived.Id, "monthly", true))
	tax := f.add(t, "tax_rates", "vat", map[string]any{"name": "VAT DE", "country": "DE", "rate": 19000, "active": true})
	coupon := f.add(t, "coupons", "welcome", map[string]any{"code": "WELCOME", "kind": "percent", "percent_off": 10,
		"duration": "once", "plans": []string{active.Id}, "active": true})
	past, future := time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour)
	f.add(t, "announcements", "published", announcement("maintenance", true, past))
	f.add(t, "announcements", "draft", announcement("draft", false, past))
	f.add(t, "announcements", "scheduled", announcement("scheduled", true, future))
	f.add(t, "pages", "terms", map[string]any{"title": "Terms", "slug": "terms", "kind": "legal", "body": "# Terms", "published": true})
	f.add(t, "pages", "draft", map[string]any{"title": "Draft", "slug": "draft", "kind": "kb", "body": "soon", "published": false})
	f.add(t, "webhook_events", "paid", map[string]any{"gateway": "stripe", "event_id": "evt_1", "type": "invoice.paid",
		"status": "processed", "payload": map[string]any{"id": "evt_1"}})
	f.add(t, "number_sequences", "invoice", map[string]any{"series": "invoice", "key": "INV-2025-", "last": 2})
	f.add(t, "sync_cursors", "support", map[string]any{"name": "supportpal", "synced_at": "2026-01-01 00:00:00.000Z"})
	f.add(t, "email_templates", "welcome", map[string]any{"key": "welcome", "subject": "Welcome, {{.Customer.Name}}", "enabled": true})
	main, err := settings.Record(app)
	if err != nil {
		t.Fatal(err)
	}
	f.remember("settings", "main", main.Id)

	for key, c := range map[string]*core.Record{"A": a, "B": b} {
		f.addOwned(t, key, c, active.Id, price.Id, coupon.Id, tax.Id)
	}
	// Only A has a second factor, so staff can create one for B.
	f.add(t, "customer_totp", "A", map[string]any{"customer": a.Id, "secret": hidden("totp-secret", "A"), "enabled": true,
		"recovery_codes": []string{hidden("recovery-code", "A")}, "last_used_step": 1})
	f.add(t, "customer_passkeys", "A", map[string]any{"customer": a.Id, "credential_id": "cred-A",
		"credential": map[string]any{"publicKey": hidden("passkey", "A")}, "name": "Laptop", "last_used_at": jan1})
	f.add(t, "ssh_keys", "A", map[string]any{"customer": a.Id, "name": "Laptop", "public_key": newSSHKey()})
	f.add(t, "ssh_keys", "B", map[string]any{"customer": b.Id, "name": "Laptop", "public_key": newSSHKey()})
	for _, owner := range []*core.Record{a, b} {
		key := map[string]string{a.Id: "A", b.Id: "B"}[owner.Id]
		f.add(t, "api_keys", key, map[string]any{"customer": owner.Id, "name": "CI", "prefix": "ezk_live_" + strings.ToLower(key) + "00000000000",
			"hash": hidden("api-key-hash", key), "access": "read", "families": []string{"services"}, "expires": "2099-01-01 00:00:00.000Z"})
	}
	f.add(t, "staff_passkeys", "staff", map[string]any{"superuser": staff.Id, "credential_id": "cred-staff",
		"credential": map[string]any{"publicKey": hidden("passkey", "staff")}, "name": "YubiKey", "last_used_at": jan1})
	f.groupAuditEntries(t)
	f.api = testutil.NewAPI(t, app)
	return f
}

// customer creates customer key with hidden values in every hidden field.
func (f *fixture) customer(t *testing.T, key, currency string) *core.Record {
	t.Helper()
	c := testutil.Customer(t, f.app, strings.ToLower(key)+"@example.com", currency)
	c.Set("notes", hidden("notes", key))
	c.Set("stripe_customer_id", hidden("stripe-customer", key))
	c.Set("paypal_payer_id", hidden("paypal-payer", key))
	if err := f.app.Save(c); err != nil {
		t.Fatal(err)
	}
	f.remember("customers", key, c.Id)
	return c
}

// addOwned creates customer c's record in every collection a customer
// owns, plus the staff-only records about c.
func (f *fixture) addOwned(t *testing.T, key string, c *core.Record, plan, price, coupon, tax string) {
	t.Helper()
	n := map[string]int{"A": 1, "B": 2}[key]
	cur := c.GetString("currency")
	of := func(data map[string]any) map[string]any {
		data["customer"] = c.Id
		return data
	}
	method := f.add(t, "payment_methods", key, of(map[string]any{"gateway": "stripe", "gateway_ref": hidden("payment-method", key),
		"kind": "card", "brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2030, "is_default": true}))
	sub := f.add(t, "subscriptions", key, of(map[string]any{"plan": plan, "plan_price": price, "coupon": coupon,
		"payment_method": method.Id, "status": "active", "cycle": "monthly", "currency": cur, "amount": 1200, "anchor_day": 1,
		"current_period_start": jan1, "current_period_end": feb1, "paypal_subscription_id": hidden("paypal-subscription", key)}))
	service := f.add(t, "services", key, of(map[string]any{"subscription": sub.Id, "plan": plan, "payment_method": method.Id,
		"label": "Server " + key, "service_type": "vps", "platform": "virtfusion", "status": "active", "power_state": "online",
		"hostname": "srv-" + strings.ToLower(key) + ".example.net", "ip_addresses": []string{fmt.Sprintf("192.0.2.%d", n)},
		"platform_service_id": hidden("platform-service", key), "platform_user_id": hidden("platform-user", key),
		"credentials": hidden("credentials", key), "staff_notes": hidden("staff-notes", key)}))
	// A draft: the ledger's hooks own issuing, numbering and totals.
	invoice := f.add(t, "invoices", key, of(map[string]any{"coupon": coupon, "status": "draft", "currency": cur,
		"staff_notes": hidden("invoice-notes", key), "dunning": map[string]any{"note": hidden("dunning", key)}}))
	f.add(t, "invoice_items", key, of(map[string]any{"invoice": invoice.Id, "subscription": sub.Id, "service": service.Id,
		"tax_rate": tax, "kind": "period", "description": "Server " + key + ", January", "quantity": 1,
		"unit_amount": 1200, "amount": 1200, "period_start": jan1, "period_end": feb1}))
	// Issued, as customers never see drafts; issuing also takes a number.
	invoice.Set("status", "open")
	if err := f.app.Save(invoice); err != nil {
		t.Fatalf("issue invoice %s: %v", key, err)
	}
	if seq, err := f.app.FindFirstRecordByFilter("number_sequences", "id != {:fixture}",
		dbx.Params{"fixture": f.id("number_sequences", "invoice")}); err == nil &&
		!slices.Contains(f.ids["number_sequences"]["issued"], seq.Id) {
		f.remember("number_sequences", "issued", seq.Id)
	}
	// Issuing also emails the invoice to the customer.
	if msg, err := f.app.FindFirstRecordByFilter("outbox", "dedupe_key = {:k}", dbx.Params{"k": "invoice:" + invoice.Id + ":issued"}); err == nil {
		f.remember("outbox", "issued-"+key, msg.Id)
	}
	payment := f.add(t, "payments", key, of(map[string]any{"invoice": invoice.Id, "payment_method": method.Id, "kind": "charge",
		"gateway": "stripe", "gateway_id": "pi_" + key, "status": "succeeded", "amount": 1200, "currency": cur, "paid_at": jan1}))
	f.add(t, "credit_entries", key, of(map[string]any{"invoice": invoice.Id, "currency": cur, "amount": 500, "reason": "manual"}))
	f.add(t, "credit_notes", key, of(map[string]any{"invoice": invoice.Id, "payment": payment.Id, "number": "CN-" + key,
		"currency": cur, "amount": 100, "reason": "goodwill", "issued_at": jan1}))
	f.add(t, "coupon_redemptions", key, of(map[string]any{"coupon": coupon, "invoice": invoice.Id, "amount_off": 120, "currency": cur}))
	f.add(t, "orders", key, of(map[string]any{"plan_price": price, "coupon": coupon, "subscription": sub.Id,
		"service": service.Id, "invoice": invoice.Id, "status": "active", "options": map[string]any{"os": "debian-12"},
		"ip": hidden("ip", key)}))
	f.add(t, "bandwidth_usage", key, of(map[string]any{"service": service.Id, "invoice": invoice.Id, "period_start": jan1,
		"period_end": feb1, "bytes_in": 1, "bytes_out": 2, "bytes_total": 3, "quota_bytes": 1000}))
	f.add(t, "bandwidth_daily", key, of(map[string]any{"service": service.Id, "day": "2025-01-01", "bytes_in": 1, "bytes_out": 2}))
	// The service's own addresses are in its history too (billing/bandwidth's hook).
	held, err := f.app.FindAllRecords("service_addresses", dbx.HashExp{"service": service.Id})
	if err != nil {
		t.Fatal(err)
	}
	for i, h := range held {
		f.remember("service_addresses", fmt.Sprintf("held-%s-%d", key, i), h.Id)
	}
	f.add(t, "service_addresses", key, map[string]any{"service": service.Id, "address": fmt.Sprintf("192.0.2.%d", n), "from": jan1, "to": feb1})
	f.add(t, "support_tickets", key, of(map[string]any{"service": service.Id, "supportpal_id": n, "subject": "Help " + key,
		"status": "open", "last_notified_message_id": 7}))
	f.add(t, "ticket_archive", key, of(map[string]any{"service": service.Id, "whmcs_id": "t" + key, "number": "ABC-" + key,
		"subject": "Old ticket " + key, "messages": []map[string]any{{"author": "customer", "html": "<p>hi</p>"}}}))
	f.add(t, "provisioning_jobs", key, map[string]any{"service": service.Id, "action": "create", "status": "succeeded",
		"dedupe_key": "create:" + service.Id, "requested_by": c.Id})
	f.add(t, "outbox", key, of(map[string]any{"channel": "email", "recipient": c.Email(), "template": "invoice_paid", "status": "failed", "last_error": "mailbox full"}))
}

func plan(slug, status string) map[string]any {
	return map[string]any{"name": slug, "slug": slug, "service_type": "vps", "platform": "virtfusion", "status": status,
		"platform_config": map[string]any{"package_id": hidden("package", slug)}}
}

func planPrice(plan, cycle string, active bool) map[string]any {
	return map[string]any{"plan": plan, "currency": "USD", "cycle": cycle, "amount": 1200, "active": active,
		"stripe_price_id": hidden("stripe-price", cycle), "paypal_plan_id": hidden("paypal-plan", cycle)}
}

func announcement(slug string, published bool, at time.Time) map[string]any {
	return map[string]any{"title": slug, "slug": slug, "body": "<p>news</p>", "published": published,
		"published_at": at.UTC().Format(time.DateTime) + ".000Z"}
}

// add creates a record and remembers it under collection and key.
func (f *fixture) add(t *testing.T, collection, key string, data map[string]any) *core.Record {
	t.Helper()
	rec := testutil.Create(t, f.app, collection, data)
	f.remember(collection, key, rec.Id)
	f.data[collection+"/"+key] = data
	return rec
}

func (f *fixture) remember(collection, key string, ids ...string) {
	if f.ids[collection] == nil {
		f.ids[collection] = map[string][]string{}
	}
	f.ids[collection][key] = append(f.ids[collection][key], ids...)
}

// groupAuditEntries files the entries the hooks wrote while the fixture
// was built under the customer they are about, when they are part of that
// customer's history, and as staff's otherwise ("A staff": about A, shown
// to staff only).
func (f *fixture) groupAuditEntries(t *testing.T) {
	t.Helper()
	entries, err := f.app.FindAllRecords("audit_logs")
	if err != nil {
		t.Fatal(err)
	}
	owner := map[string]string{f.id("customers", "A"): "A", f.id("customers", "B"): "B"}
	for _, e := range entries {
		key := owner[e.GetString("customer")]
		switch {
		case key == "":
			key = "other"
		case !e.GetBool("customer_visible"):
			key += " staff"
		}
		f.remember("audit_logs", key, e.Id)
	}
	for _, key := range []string{"A", "B", "A staff", "other"} {
		if len(f.ids["audit_logs"][key]) == 0 {
			t.Fatalf("no audit entries about %s: the hooks did not write any", key)
		}
	}
}

func (f *fixture) id(collection, key string) string {
	ids := f.ids[collection][key]
	if len(ids) == 0 {
		panic("fixture has no " + collection + "/" + key)
	}
	return ids[0]
}

func (f *fixture) visibleIDs(collection string, v visible) []string {
	var out []string
	for key, ids := range f.ids[collection] {
		if v.all || slices.Contains(v.keys, key) {
			out = append(out, ids...)
		}
	}
	return out
}

// describe names listed ids by fixture key, for failure messages.
func (f *fixture) describe(collection string, ids []string) string {
	var names []string
	for _, id := range ids {
		name := id
		for key, keyed := range f.ids[collection] {
			if slices.Contains(keyed, id) {
				name = key
			}
		}
		names = append(names, name)
	}
	return strings.Join(names, ", ")
}

func (f *fixture) record(t *testing.T, collection, id string) *core.Record {
	t.Helper()
	rec, err := f.app.FindRecordById(collection, id)
	if err != nil {
		t.Fatalf("%s/%s: %v", collection, id, err)
	}
	return rec
}

// checkHiddenFields checks every record of a 200 response (a list, a record
// and its expanded relations): a guest or customer gets no hidden field and
// no hidden value; staff get every hidden field.
func (f *fixture) checkHiddenFields(t *testing.T, collection string, who actor, res *testutil.Response) {
	t.Helper()
	col, err := f.app.FindCachedCollectionByNameOrId(collection)
	if err != nil {
		t.Fatal(err)
	}
	records := []map[string]any{res.Object(t)}
	if _, isList := records[0]["totalItems"]; isList {
		records = res.Items(t)
	}
	if who != superuser {
		if bytes.Contains(res.Body, []byte(secret)) {
			t.Errorf("%s got a hidden value: %s", who, res.Body)
		}
		for _, rec := range records {
			f.noHiddenFields(t, rec, col)
		}
		return
	}
	for _, rec := range records {
		for _, field := range col.Fields {
			if field.GetHidden() && !field.GetSystem() {
				if _, ok := rec[field.GetName()]; !ok {
					t.Errorf("staff miss %s.%s", collection, field.GetName())
				}
			}
		}
	}
}

// noHiddenFields fails for a hidden field of col in rec or, following the
// relation fields, in rec's expanded records.
func (f *fixture) noHiddenFields(t *testing.T, rec map[string]any, col *core.Collection) {
	t.Helper()
	for _, field := range col.Fields {
		if _, ok := rec[field.GetName()]; ok && field.GetHidden() {
			t.Errorf("hidden field %s.%s in a non-staff response", col.Name, field.GetName())
		}
	}
	expand, _ := rec["expand"].(map[string]any)
	for name, value := range expand {
		relCol := f.expandedCollection(t, col, name)
		switch v := value.(type) {
		case map[string]any:
			f.noHiddenFields(t, v, relCol)
		case []any:
			for _, item := range v {
				if m, ok := item.(map[string]any); ok {
					f.noHiddenFields(t, m, relCol)
				}
			}
		}
	}
}

// expandedCollection is the collection an expand key of col points to:
// a relation field, or a back-relation "collection_via_field".
func (f *fixture) expandedCollection(t *testing.T, col *core.Collection, name string) *core.Collection {
	t.Helper()
	target := name
	if rel, ok := col.Fields.GetByName(name).(*core.RelationField); ok {
		target = rel.CollectionId
	} else if back, _, ok := strings.Cut(name, "_via_"); ok {
		target = back
	}
	c, err := f.app.FindCachedCollectionByNameOrId(target)
	if err != nil {
		t.Fatalf("expand %s of %s: %v", name, col.Name, err)
	}
	return c
}

// ---------------------------------------------------------------------------
// Request bodies and response checks

// hiddenFieldIgnored reports a request that set only hidden customer
// fields and got 200: PocketBase drops hidden fields from a non-superuser's
// request body before any hook runs (apis.recordDataFromRequest), so they
// are ignored rather than refused. The caller has already checked that the
// value was not stored, which is what matters.
func (f *fixture) hiddenFieldIgnored(res *testutil.Response, want int, fields ...string) bool {
	if res.Status != http.StatusOK || want != http.StatusBadRequest {
		return false
	}
	customers, _ := f.app.FindCachedCollectionByNameOrId("customers")
	for _, name := range fields {
		if field := customers.Fields.GetByName(name); field == nil || !field.GetHidden() {
			return false
		}
	}
	return true
}

// like is a create body: the data of the fixture's record key with
// overrides for what must be unique.
func like(key string, overrides map[string]any) func(f *fixture, collection string, who actor) map[string]any {
	return func(f *fixture, collection string, _ actor) map[string]any {
		data := maps.Clone(f.data[collection+"/"+key])
		maps.Copy(data, overrides)
		return data
	}
}

// totpBody is A's second factor for B, who has none (one per customer).
func totpBody(f *fixture, collection string, _ actor) map[string]any {
	data := maps.Clone(f.data[collection+"/A"])
	data["customer"] = f.id("customers", "B")
	return data
}

func signupBody(_ *fixture, _ string, who actor) map[string]any {
	return map[string]any{"name": "New " + string(who), "email": "new-" + strings.ToLower(string(who)) + "@example.com",
		"password": "correct horse battery", "passwordConfirm": "correct horse battery", "currency": "USD"}
}

func auditBody(f *fixture, _ string, _ actor) map[string]any {
	return map[string]any{"actor_kind": "system", "action": "note", "customer": f.id("customers", "A"), "message": "by hand"}
}

func settingsBody(*fixture, string, actor) map[string]any { return migrations.DefaultSettings() }

func expectStatus(t *testing.T, res *testutil.Response, want int) {
	t.Helper()
	if res.Status != want {
		t.Errorf("status %d, want %d: %s", res.Status, want, res.Body)
	}
}

func expectMessage(t *testing.T, res *testutil.Response, part string) {
	t.Helper()
	if msg, _ := res.Object(t)["message"].(string); !strings.Contains(msg, part) {
		t.Errorf("message %q does not say %q", msg, part)
	}
}

// expandsTo checks that each listed record expands relation to id only.
func expandsTo(relation, id string) func(t *testing.T, res *testutil.Response) {
	return func(t *testing.T, res *testutil.Response) {
		t.Helper()
		items := res.Items(t)
		if len(items) == 0 {
			t.Fatal("nothing listed")
		}
		for _, it := range items {
			expand, _ := it["expand"].(map[string]any)
			got, _ := expand[relation].(map[string]any)
			if got["id"] != id {
				t.Errorf("expand.%s = %v, want record %s", relation, expand[relation], id)
			}
		}
	}
}

// onlyRecordsOf checks that every record in a response, expanded ones
// included, that belongs to a customer belongs to one of owners.
func onlyRecordsOf(owners ...string) func(t *testing.T, res *testutil.Response) {
	return func(t *testing.T, res *testutil.Response) {
		t.Helper()
		var walk func(v any)
		walk = func(v any) {
			switch v := v.(type) {
			case map[string]any:
				if owner, ok := v["customer"].(string); ok && v["collectionName"] != nil && !slices.Contains(owners, owner) {
					t.Errorf("a %v record of customer %q: %v", v["collectionName"], owner, v)
				}
				for _, x := range v {
					walk(x)
				}
			case []any:
				for _, x := range v {
					walk(x)
				}
			}
		}
		walk(res.Object(t))
	}
}

// sameResponse compares status and decoded JSON (key order in PocketBase
// list responses varies).
func sameResponse(t *testing.T, x, y *testutil.Response) bool {
	t.Helper()
	if x.Status != y.Status {
		return false
	}
	if len(x.Body) == 0 || len(y.Body) == 0 {
		return len(x.Body) == len(y.Body)
	}
	return reflect.DeepEqual(x.Object(t), y.Object(t))
}

func notContains(t *testing.T, res *testutil.Response, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if bytes.Contains(res.Body, []byte(p)) {
			t.Errorf("response contains %q: %s", p, res.Body)
		}
	}
}

func query(filter string) string { return url.QueryEscape(filter) }

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
