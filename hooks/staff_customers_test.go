package hooks_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/audit"
	"github.com/ezscale/ezscale/internal/testutil"
)

type historyPage struct {
	Page       int                 `json:"page"`
	PerPage    int                 `json:"perPage"`
	TotalItems int                 `json:"totalItems"`
	TotalPages int                 `json:"totalPages"`
	Items      []audit.HistoryItem `json:"items"`
}

func getHistory(t *testing.T, api *testutil.API, customer, query, token string) historyPage {
	t.Helper()
	res := api.Do(http.MethodGet, "/api/staff/customers/"+customer+"/history"+query, token, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("history%s: %d %s", query, res.Status, res.Body)
	}
	var p historyPage
	if err := json.Unmarshal(res.Body, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// findItem is the newest history item whose summary starts with what.
func findItem(p historyPage, what string) (audit.HistoryItem, bool) {
	for _, it := range p.Items {
		if strings.HasPrefix(it.What, what) {
			return it, true
		}
	}
	return audit.HistoryItem{}, false
}

// The staff history of a customer reads in words: money in its currency,
// people by name, the staff-only entries included, one customer's only.
func TestStaffCustomerHistoryReadsInWords(t *testing.T) {
	app := testutil.NewApp(t)
	api := testutil.NewAPI(t, app)
	su := testutil.Superuser(t, app, "staff@example.com")
	staffTok := testutil.Token(t, su)
	alice := testutil.Customer(t, app, "alice@example.com", "EUR")
	bob := testutil.Customer(t, app, "bob@example.com", "EUR")

	for _, step := range []struct {
		method, path, token string
		body                map[string]any
	}{
		{http.MethodPatch, "/api/collections/customers/records/" + alice.Id, testutil.Token(t, alice), map[string]any{"phone": "+33 1 23 45 67 89"}},
		{http.MethodPost, "/api/collections/credit_entries/records", staffTok, map[string]any{"customer": alice.Id, "currency": "EUR",
			"amount": 2550, "reason": "manual", "description": "Goodwill for the outage"}},
		{http.MethodPatch, "/api/collections/customers/records/" + alice.Id, staffTok, map[string]any{"notes": "Called about the outage"}},
		{http.MethodPatch, "/api/collections/customers/records/" + bob.Id, staffTok, map[string]any{"notes": "Bob's note"}},
	} {
		if res := api.Do(step.method, step.path, step.token, step.body); res.Status != http.StatusOK {
			t.Fatalf("%s %s: %d %s", step.method, step.path, res.Status, res.Body)
		}
	}

	if err := audit.Record(app, audit.Actor{Kind: audit.KindSystem, ID: "webhook:paypal"}, "dispute.opened", alice, ""); err != nil {
		t.Fatal(err)
	}

	p := getHistory(t, api, alice.Id, "", staffTok)
	for _, want := range []struct{ what, who string }{
		{"Account dispute opened", "a PayPal webhook"},
		{"Account details updated", "the customer"},
		{"Account credit +25.50 EUR: Goodwill for the outage", "staff@example.com"},
		{"Staff notes edited", "staff@example.com"},
		{"Account opened", "the platform"},
	} {
		it, ok := findItem(p, want.what)
		if !ok {
			t.Errorf("no %q in %+v", want.what, p.Items)
			continue
		}
		if it.Who != want.who {
			t.Errorf("%q by %q, want %q", want.what, it.Who, want.who)
		}
	}
	if p.TotalItems != len(p.Items) || p.Page != 1 || p.TotalPages != 1 {
		t.Errorf("page: %+v", p)
	}
	for _, it := range p.Items {
		if strings.Contains(it.What, "Bob") || strings.Contains(it.Note, "Bob") {
			t.Errorf("bob's entry in alice's history: %+v", it)
		}
	}
}

// Pages hold audit.HistoryPerPage entries, newest first, and together
// every entry once.
func TestStaffCustomerHistoryPages(t *testing.T) {
	app := testutil.NewApp(t)
	api := testutil.NewAPI(t, app)
	staffTok := testutil.Token(t, testutil.Superuser(t, app, "staff@example.com"))
	alice := testutil.Customer(t, app, "alice@example.com", "USD")
	const extra = audit.HistoryPerPage + 5
	for i := range extra {
		if err := audit.Record(app, audit.Job("billing"), fmt.Sprintf("note.%02d", i), alice, ""); err != nil {
			t.Fatal(err)
		}
	}
	total, err := app.CountRecords(audit.Collection, dbx.HashExp{"customer": alice.Id})
	if err != nil {
		t.Fatal(err)
	}
	first := getHistory(t, api, alice.Id, "?page=1", staffTok)
	second := getHistory(t, api, alice.Id, "?page=2", staffTok)
	if first.TotalItems != int(total) || first.TotalPages != 2 || len(first.Items) != audit.HistoryPerPage ||
		len(second.Items) != int(total)-audit.HistoryPerPage {
		t.Fatalf("pages of %d: first %d items (%d total, %d pages), second %d", total, len(first.Items), first.TotalItems,
			first.TotalPages, len(second.Items))
	}
	seen := map[string]bool{}
	all := append(first.Items, second.Items...)
	for i, it := range all {
		if seen[it.ID] {
			t.Errorf("entry %s on both pages", it.ID)
		}
		seen[it.ID] = true
		if i > 0 && it.At.Time().After(all[i-1].At.Time()) {
			t.Errorf("entry %d is newer than the one before it", i)
		}
	}
	if it := first.Items[0]; it.What != "Account note 29" || it.Who != "the billing run" {
		t.Errorf("newest entry: %+v", it)
	}
	if got := getHistory(t, api, alice.Id, "?page=3", staffTok); len(got.Items) != 0 || got.TotalItems != int(total) {
		t.Errorf("past the end: %+v", got)
	}
}

// Only staff read the history; a bad page or an unknown customer is refused.
func TestStaffCustomerHistoryRefusals(t *testing.T) {
	app := testutil.NewApp(t)
	api := testutil.NewAPI(t, app)
	staffTok := testutil.Token(t, testutil.Superuser(t, app, "staff@example.com"))
	alice := testutil.Customer(t, app, "alice@example.com", "USD")
	path := "/api/staff/customers/" + alice.Id + "/history"
	for _, c := range []struct {
		name, path, token string
		want              int
	}{
		{"anonymous", path, "", http.StatusUnauthorized},
		{"the customer", path, testutil.Token(t, alice), http.StatusForbidden},
		{"page 0", path + "?page=0", staffTok, http.StatusBadRequest},
		{"page not a number", path + "?page=two", staffTok, http.StatusBadRequest},
		{"unknown customer", "/api/staff/customers/nosuchcustomer1/history", staffTok, http.StatusNotFound},
	} {
		if res := api.Do(http.MethodGet, c.path, c.token, nil); res.Status != c.want {
			t.Errorf("%s: %d, want %d (%s)", c.name, res.Status, c.want, res.Body)
		}
	}
}

// impersonate signs staffTok in as customer through PocketBase's route.
func impersonate(t *testing.T, api *testutil.API, staffTok string, customer *core.Record) string {
	t.Helper()
	res := api.Do(http.MethodPost, "/api/collections/customers/impersonate/"+customer.Id, staffTok, map[string]any{"duration": 600})
	if res.Status != http.StatusOK {
		t.Fatalf("impersonate: %d %s", res.Status, res.Body)
	}
	return res.Object(t)["token"].(string)
}

// The portal learns from the server that its session is an impersonation
// and by whom; the customer's own session is not one.
func TestAccountSessionTellsImpersonation(t *testing.T) {
	app := testutil.NewApp(t)
	api := testutil.NewAPI(t, app)
	su := testutil.Superuser(t, app, "staff@example.com")
	alice := testutil.Customer(t, app, "alice@example.com", "USD")
	impTok := impersonate(t, api, testutil.Token(t, su), alice)

	session := func(token string) map[string]any {
		res := api.Do(http.MethodGet, "/api/account/session", token, nil)
		if res.Status != http.StatusOK {
			t.Fatalf("session: %d %s", res.Status, res.Body)
		}
		return res.Object(t)
	}
	got := session(impTok)
	staff, _ := got["staff"].(map[string]any)
	if got["impersonated"] != true || staff["email"] != "staff@example.com" || staff["id"] != su.Id ||
		got["customer"].(map[string]any)["email"] != "alice@example.com" || got["expires"] == nil {
		t.Errorf("impersonated session: %v", got)
	}
	if own := session(testutil.Token(t, alice)); own["impersonated"] != false || own["staff"] != nil {
		t.Errorf("the customer's own session: %v", own)
	}
	// A refresh hands the same non-refreshable token back: still an impersonation.
	res := api.Do(http.MethodPost, "/api/collections/customers/auth-refresh", impTok, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("refresh: %d %s", res.Status, res.Body)
	}
	if again := session(res.Object(t)["token"].(string)); again["impersonated"] != true {
		t.Errorf("after refresh: %v", again)
	}
	if res := api.Do(http.MethodGet, "/api/account/session", "", nil); res.Status != http.StatusUnauthorized {
		t.Errorf("anonymous: %d", res.Status)
	}
}

// What staff do in the portal as the customer is audited as theirs, on
// behalf of the customer, and reads so in the history.
func TestImpersonatedActionsAreStaffs(t *testing.T) {
	app := testutil.NewApp(t)
	api := testutil.NewAPI(t, app)
	su := testutil.Superuser(t, app, "staff@example.com")
	staffTok := testutil.Token(t, su)
	alice := testutil.Customer(t, app, "alice@example.com", "USD")
	impTok := impersonate(t, api, staffTok, alice)

	res := api.Do(http.MethodPatch, "/api/collections/customers/records/"+alice.Id, impTok, map[string]any{"phone": "+1 555 0100"})
	if res.Status != http.StatusOK {
		t.Fatalf("update as the customer: %d %s", res.Status, res.Body)
	}
	entry, err := app.FindFirstRecordByFilter(audit.Collection, "collection = 'customers' && action = 'update' && record_id = {:c}",
		dbx.Params{"c": alice.Id})
	if err != nil {
		t.Fatal(err)
	}
	if entry.GetString("actor_kind") != audit.KindSuperuser || entry.GetString("actor_id") != su.Id ||
		entry.GetString("on_behalf_of") != alice.Id || entry.GetString("session") != audit.SessionOf(impTok) {
		t.Errorf("impersonated update audited as %v", entry.FieldsData())
	}
	// The customer's own change is still theirs.
	res = api.Do(http.MethodPatch, "/api/collections/customers/records/"+alice.Id, testutil.Token(t, alice), map[string]any{"phone": "+1 555 0199"})
	if res.Status != http.StatusOK {
		t.Fatalf("update by the customer: %d %s", res.Status, res.Body)
	}
	own, err := app.FindFirstRecordByFilter(audit.Collection, "collection = 'customers' && action = 'update' && record_id = {:c} && actor_kind = 'customer'",
		dbx.Params{"c": alice.Id})
	if err != nil || own.GetString("on_behalf_of") != "" || own.GetString("actor_id") != alice.Id {
		t.Errorf("the customer's own update: %v %v", err, own)
	}

	p := getHistory(t, api, alice.Id, "", staffTok)
	var asCustomer, opened bool
	for _, it := range p.Items {
		switch {
		case it.What == "Account details updated" && it.Impersonated:
			asCustomer = it.Who == "staff@example.com as the customer"
		case strings.HasPrefix(it.What, "Opened the portal as the customer"):
			opened = it.Who == "staff@example.com"
		}
	}
	if !asCustomer || !opened {
		t.Errorf("history: %+v", p.Items)
	}
}

// A non-refreshable token the platform has no record of issuing is still
// never the customer's: its actions are staff's, the banner shows.
func TestUnrecordedImpersonationIsNotTheCustomer(t *testing.T) {
	app := testutil.NewApp(t)
	api := testutil.NewAPI(t, app)
	alice := testutil.Customer(t, app, "alice@example.com", "USD")
	tok, err := alice.NewStaticAuthToken(0)
	if err != nil {
		t.Fatal(err)
	}
	res := api.Do(http.MethodGet, "/api/account/session", tok, nil)
	if got := res.Object(t); res.Status != http.StatusOK || got["impersonated"] != true {
		t.Errorf("session: %d %s", res.Status, res.Body)
	}
	if res := api.Do(http.MethodPatch, "/api/collections/customers/records/"+alice.Id, tok, map[string]any{"phone": "+1 555 0100"}); res.Status != http.StatusOK {
		t.Fatalf("update: %d %s", res.Status, res.Body)
	}
	entry, err := app.FindFirstRecordByFilter(audit.Collection, "collection = 'customers' && action = 'update'", nil)
	if err != nil || entry.GetString("actor_kind") != audit.KindSuperuser || entry.GetString("on_behalf_of") != alice.Id {
		t.Errorf("entry: %v %v", err, entry)
	}
}
