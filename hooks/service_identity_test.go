package hooks_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/ezscale/billing/orders"
	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/internal/audit"
	"github.com/ezscale/ezscale/internal/secrets"
	"github.com/ezscale/ezscale/internal/testutil"
)

// TestRenameService: the owner (and staff) may set the service's label
// through PATCH /api/services/{id}/label, trimmed; anyone else gets what a
// missing service gets; bad names and any other field are refused with a
// 400 and change nothing; a suspended account is refused like the other
// service actions; the rename is audited as its caller.
func TestRenameService(t *testing.T) {
	w := newOrderWorld(t)
	svc := activeService(t, w.app, w.alice, w.vpsUSD)
	path := "/api/services/" + svc.Id + "/label"
	bobTok := testutil.Token(t, w.bob)

	refused := []struct {
		name   string
		token  string
		body   any
		status int
	}{
		{"anonymous", "", map[string]any{"label": "Mine"}, 401},
		{"another customer", bobTok, map[string]any{"label": "Mine"}, 404},
		{"empty", w.aliceTok, map[string]any{"label": "   "}, 400},
		{"too long", w.aliceTok, map[string]any{"label": strings.Repeat("é", 61)}, 400},
		{"line break", w.aliceTok, map[string]any{"label": "two\nlines"}, 400},
		{"tab", w.aliceTok, map[string]any{"label": "a\tb"}, 400},
		{"bidi override", w.aliceTok, map[string]any{"label": "evil\u202Eexe"}, 400},
		{"another field too", w.aliceTok, map[string]any{"label": "Mine", "status": "terminated"}, 400},
		{"not text", w.aliceTok, map[string]any{"label": 42}, 400},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			res := w.api.Do(http.MethodPatch, path, tc.token, tc.body)
			if res.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", res.Status, tc.status, res.Body)
			}
			if tc.status == 400 && !strings.Contains(string(res.Body), "label") && !strings.Contains(string(res.Body), "body") {
				t.Errorf("the refusal does not name the field: %s", res.Body)
			}
			fresh, _ := w.app.FindRecordById("services", svc.Id)
			if fresh.GetString("label") != svc.GetString("label") || fresh.GetString("status") != "active" {
				t.Errorf("a refused rename changed the service: label %q status %q", fresh.GetString("label"), fresh.GetString("status"))
			}
		})
	}

	res := w.api.Do(http.MethodPatch, path, w.aliceTok, map[string]any{"label": "  Survival world  "})
	if res.Status != 200 || res.Object(t)["label"] != "Survival world" {
		t.Fatalf("owner rename: %d %s", res.Status, res.Body)
	}
	fresh, _ := w.app.FindRecordById("services", svc.Id)
	if fresh.GetString("label") != "Survival world" {
		t.Fatalf("label = %q", fresh.GetString("label"))
	}
	if _, err := w.app.FindFirstRecordByFilter(audit.Collection, "action = 'update' && record_id = {:id} && actor_id = {:c}",
		map[string]any{"id": svc.Id, "c": w.alice.Id}); err != nil {
		t.Error("the owner's rename is not audited as the owner")
	}
	if got := strings.Repeat("é", 60); w.api.Do(http.MethodPatch, path, w.aliceTok, map[string]any{"label": got}).Status != 200 {
		t.Error("60 characters (not bytes) refused")
	}

	if res := w.api.Do(http.MethodPatch, path, w.staffTok, map[string]any{"label": "Named by staff"}); res.Status != 200 {
		t.Errorf("staff rename: %d %s", res.Status, res.Body)
	}

	alice, _ := w.app.FindRecordById("customers", w.alice.Id)
	alice.Set("status", "suspended")
	if err := w.app.Save(alice); err != nil {
		t.Fatal(err)
	}
	if res := w.api.Do(http.MethodPatch, path, w.aliceTok, map[string]any{"label": "Suspended rename"}); res.Status != http.StatusForbidden {
		t.Errorf("suspended account rename: %d %s, want 403", res.Status, res.Body)
	}
}

// TestServiceRecordAPIStaysClosedToCustomers: whatever a customer sends to
// the services record API, the label alone or with other fields, nothing
// changes: the label route is their only way to edit a service.
func TestServiceRecordAPIStaysClosedToCustomers(t *testing.T) {
	w := newOrderWorld(t)
	svc := activeService(t, w.app, w.alice, w.vpsUSD)
	path := "/api/collections/services/records/" + svc.Id
	for name, body := range map[string]map[string]any{
		"label only":         {"label": "Via record API"},
		"label and status":   {"label": "Via record API", "status": "terminated"},
		"label and customer": {"label": "Via record API", "customer": w.bob.Id},
		"hidden field":       {"label": "Via record API", "staff_notes": "mine now"},
	} {
		t.Run(name, func(t *testing.T) {
			res := w.api.Do(http.MethodPatch, path, w.aliceTok, body)
			if res.Status < 400 {
				t.Fatalf("record API accepted a customer's edit: %d %s", res.Status, res.Body)
			}
			fresh, _ := w.app.FindRecordById("services", svc.Id)
			if fresh.GetString("label") == "Via record API" || fresh.GetString("status") != "active" ||
				fresh.GetString("customer") != w.alice.Id || fresh.GetString("staff_notes") != "" {
				t.Errorf("the service changed: %v", fresh.PublicExport())
			}
		})
	}
}

// TestCustomerCredentialsHidePanelIDs: a customer's reveal returns the
// login without the panel's own ids (VirtFusion's user id, Pterodactyl's
// identifier, SynergyCP's server id); staff still read them.
func TestCustomerCredentialsHidePanelIDs(t *testing.T) {
	app := testutil.NewApp(t)
	alice := testutil.Customer(t, app, "alice@example.com", "USD")
	staffTok := testutil.Token(t, testutil.Superuser(t, app, "staff@example.com"))
	box, _ := secrets.New(testutil.Config().EncryptionKey)
	sealed, _ := box.Seal(map[string]string{"username": "root", "password": "Tr0ub4dor", "panel_url": "https://panel.example.com/server/ab12",
		"virtfusion_user_id": "17", "identifier": "ab12cd34", "srv_id": "991"})
	svc := testutil.Service(t, app, alice)
	svc.Set("credentials", sealed)
	if err := app.Save(svc); err != nil {
		t.Fatal(err)
	}
	api := testutil.NewAPI(t, app)
	internal := []string{"virtfusion_user_id", "identifier", "srv_id"}

	res := api.Do(http.MethodGet, "/api/services/"+svc.Id+"/credentials", testutil.Token(t, alice), nil)
	if res.Status != 200 {
		t.Fatalf("reveal: %d %s", res.Status, res.Body)
	}
	creds := res.Object(t)
	for _, k := range internal {
		if _, ok := creds[k]; ok {
			t.Errorf("customer's reveal carries %s: %s", k, res.Body)
		}
	}
	if creds["username"] != "root" || creds["password"] != "Tr0ub4dor" || creds["panel_url"] == nil {
		t.Errorf("customer's reveal lost the login: %s", res.Body)
	}

	res = api.Do(http.MethodGet, "/api/staff/services/"+svc.Id+"/credentials", staffTok, nil)
	if res.Status != 200 {
		t.Fatalf("staff reveal: %d %s", res.Status, res.Body)
	}
	staff := res.Object(t)
	for _, k := range internal {
		if _, ok := staff[k]; !ok {
			t.Errorf("staff reveal lacks %s: %s", k, res.Body)
		}
	}
	if got := provisioning.CustomerCredentials(map[string]string{"identifier": "x", "ip": "1.2.3.4"}); len(got) != 1 || got["ip"] != "1.2.3.4" {
		t.Errorf("CustomerCredentials = %v", got)
	}
}

// TestOrdersGetNumbers: each placed order gets the next number of the
// settings' order format, unique and increasing, in the order's JSON that
// the customer reads; a quote takes none.
func TestOrdersGetNumbers(t *testing.T) {
	w := newOrderWorld(t)
	year := time.Now().UTC().Format("2006")
	pattern := regexp.MustCompile(`^ORD-` + year + `-(\d{6})$`)
	order := func() map[string]any {
		t.Helper()
		res := w.api.Do(http.MethodPost, "/api/orders", w.aliceTok, map[string]any{
			"plan_price": w.vpsUSD.Id, "options": map[string]string{"hostname": "web1.example.com", "os": "debian-12"}})
		if res.Status != http.StatusCreated {
			t.Fatalf("order: %d %s", res.Status, res.Body)
		}
		return res.Object(t)["order"].(map[string]any)
	}
	first := order()
	if res := w.api.Do(http.MethodPost, "/api/orders/quote", w.aliceTok, map[string]any{
		"plan_price": w.vpsUSD.Id, "options": map[string]string{"hostname": "web2.example.com", "os": "debian-12"}}); res.Status != 200 {
		t.Fatalf("quote: %d %s", res.Status, res.Body)
	}
	second := order()
	m1, m2 := pattern.FindStringSubmatch(first["number"].(string)), pattern.FindStringSubmatch(second["number"].(string))
	if m1 == nil || m2 == nil {
		t.Fatalf("numbers %q and %q do not follow ORD-%s-NNNNNN", first["number"], second["number"], year)
	}
	if m1[1] != "000001" || m2[1] != "000002" {
		t.Errorf("numbers %s then %s, want 000001 then 000002 (the quote takes no number)", m1[1], m2[1])
	}

	res := w.api.Do(http.MethodGet, "/api/collections/orders/records/"+second["id"].(string), w.aliceTok, nil)
	if res.Status != 200 || res.Object(t)["number"] != second["number"] {
		t.Errorf("the order's JSON lacks its number: %d %s", res.Status, res.Body)
	}

	// Staff change the format; the next order follows it.
	s, err := w.app.FindFirstRecordByFilter("settings", "id != ''")
	if err != nil {
		t.Fatal(err)
	}
	s.Set("order_number_format", "SO{SEQ:4}")
	if err := w.app.Save(s); err != nil {
		t.Fatal(err)
	}
	res2, err := orders.Place(context.Background(), w.app, w.alice, orders.Request{PlanPrice: w.vpsUSD.Id,
		Options: map[string]string{"hostname": "web3", "os": "debian-12"}}, orders.By{}, time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	if got := res2.Order.GetString("number"); got != "SO0001" {
		t.Errorf("number after the format change = %q, want SO0001", got)
	}

	// Cleared, the default series continues.
	s.Set("order_number_format", "")
	if err := w.app.Save(s); err != nil {
		t.Fatal(err)
	}
	res3, err := orders.Place(context.Background(), w.app, w.alice, orders.Request{PlanPrice: w.vpsUSD.Id,
		Options: map[string]string{"hostname": "web4", "os": "debian-12"}}, orders.By{}, time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	if got := res3.Order.GetString("number"); got != "ORD-"+year+"-000003" {
		t.Errorf("number with no format set = %q, want ORD-%s-000003", got, year)
	}
}

// TestOrderNumberFormatValidated: a format without a sequence is refused
// by the settings' validation, field by field.
func TestOrderNumberFormatValidated(t *testing.T) {
	w := newOrderWorld(t)
	s, err := w.app.FindFirstRecordByFilter("settings", "id != ''")
	if err != nil {
		t.Fatal(err)
	}
	res := w.api.Do(http.MethodPatch, "/api/collections/settings/records/"+s.Id, w.staffTok, map[string]any{"order_number_format": "ORD-{YYYY}"})
	if res.Status != 400 || !strings.Contains(string(res.Body), "order_number_format") {
		t.Errorf("format without {SEQ}: %d %s, want 400 naming order_number_format", res.Status, res.Body)
	}
}
