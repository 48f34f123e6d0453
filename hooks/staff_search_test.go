package hooks_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"

	"github.com/ezscale/ezscale/internal/testutil"
)

func TestStaffSearchAndCustomerList(t *testing.T) {
	app := testutil.NewApp(t)
	api := testutil.NewAPI(t, app)
	su := testutil.Superuser(t, app, "staff@example.com")
	staff := testutil.Token(t, su)
	alice := testutil.Customer(t, app, "alice@example.com", "USD")
	customer := testutil.Token(t, alice)
	svc := testutil.Service(t, app, alice)
	svc.Set("ip_addresses", []string{"192.0.2.10"})
	if err := app.Save(svc); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name, path, token string
		status            int
		field             string // the parameter a 400 names
	}{
		{"search, anonymous", "/api/staff/search?q=alice", "", http.StatusUnauthorized, ""},
		{"search, customer", "/api/staff/search?q=alice", customer, http.StatusForbidden, ""},
		{"search, staff", "/api/staff/search?q=alice", staff, http.StatusOK, ""},
		{"list, anonymous", "/api/staff/customers", "", http.StatusUnauthorized, ""},
		{"list, customer", "/api/staff/customers", customer, http.StatusForbidden, ""},
		{"CSV, customer", "/api/staff/customers?format=csv", customer, http.StatusForbidden, ""},
		{"list, staff", "/api/staff/customers?status=active&currency=usd", staff, http.StatusOK, ""},
		{"unknown status", "/api/staff/customers?status=gone", staff, http.StatusBadRequest, "status"},
		{"unknown currency", "/api/staff/customers?currency=ABC", staff, http.StatusBadRequest, "currency"},
		{"page too large", "/api/staff/customers?perPage=1000", staff, http.StatusBadRequest, "perPage"},
		{"unknown format", "/api/staff/customers?format=xlsx", staff, http.StatusBadRequest, "format"},
		{"bad filter in a CSV", "/api/staff/customers?format=csv&platform=x", staff, http.StatusBadRequest, "platform"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := api.Do(http.MethodGet, tc.path, tc.token, nil)
			if res.Status != tc.status {
				t.Fatalf("%d %s, want %d", res.Status, res.Body, tc.status)
			}
			if tc.field != "" {
				var body struct {
					Data map[string]struct{ Message string } `json:"data"`
				}
				if err := json.Unmarshal(res.Body, &body); err != nil || body.Data[tc.field].Message == "" {
					t.Errorf("400 does not name %s: %s", tc.field, res.Body)
				}
			}
		})
	}

	res := api.Do(http.MethodGet, "/api/staff/search?q=192.0.2.10", staff, nil)
	var found struct {
		Services []struct {
			ID, Customer string
			Held         struct{ Address, To string }
		}
		Customers, Invoices, Orders, Tickets []any
	}
	if err := json.Unmarshal(res.Body, &found); err != nil || res.Status != http.StatusOK {
		t.Fatalf("%d %s", res.Status, res.Body)
	}
	if len(found.Services) != 1 || found.Services[0].ID != svc.Id || found.Services[0].Customer != alice.Id || found.Services[0].Held.Address != "192.0.2.10" {
		t.Errorf("search by address: %s", res.Body)
	}
	if found.Customers == nil || found.Invoices == nil || found.Orders == nil || found.Tickets == nil {
		t.Errorf("every kind is a list: %s", res.Body)
	}

	obj := api.Do(http.MethodGet, "/api/staff/customers?q=alice", staff, nil).Object(t)
	if obj["totalItems"] != float64(1) {
		t.Errorf("list: %v", obj)
	}

	// The export is a CSV of the filtered list, and it is audited.
	res = api.Do(http.MethodGet, "/api/staff/customers?format=csv&q=alice", staff, nil)
	lines := strings.Split(strings.TrimSpace(string(res.Body)), "\n")
	if res.Status != http.StatusOK || len(lines) != 2 || !strings.HasPrefix(lines[0], "customer_id,") || !strings.HasPrefix(lines[1], alice.Id+",") {
		t.Fatalf("%d %q", res.Status, res.Body)
	}
	entry, err := app.FindFirstRecordByFilter("audit_logs", "action = 'export' && collection = 'customers' && actor_id = {:su}", dbx.Params{"su": su.Id})
	if err != nil || !strings.Contains(entry.GetString("message"), "q=alice") {
		t.Errorf("no audit entry of the export: %v %v", entry, err)
	}
}
