package bench

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/seed"
)

// ListServicesPath is the request measured: the list of services, which
// the list rule narrows to the signed-in customer's own.
const ListServicesPath = "/api/collections/services/records"

// customer is a signed-in synthetic customer and what their list must hold.
type customer struct {
	id, token  string
	services   int
	serviceIDs []string // their services, which the view requests open in turn
}

// pickCustomers signs in as n random synthetic customers.
func pickCustomers(app core.App, n int) ([]customer, error) {
	return pickCustomersWhere(app, n, "1 = 1")
}

// pickCustomersWithServices signs in as n random active synthetic
// customers who have at least one service, so each has a record to view.
func pickCustomersWithServices(app core.App, n int) ([]customer, error) {
	// Active only: the platform refuses a closed account's token (401) and
	// a bare PocketBase would not, so both serve the same answers.
	return pickCustomersWhere(app, n, "c.status = 'active' AND EXISTS (SELECT 1 FROM services s WHERE s.customer = c.id)")
}

func pickCustomersWhere(app core.App, n int, where string) ([]customer, error) {
	var rows []struct {
		ID       string `db:"id"`
		Services int    `db:"services"`
		IDs      string `db:"ids"`
	}
	err := app.DB().NewQuery(`SELECT c.id AS id, (SELECT COUNT(*) FROM services s WHERE s.customer = c.id) AS services,
		(SELECT COALESCE(group_concat(s.id), '') FROM services s WHERE s.customer = c.id) AS ids
		FROM customers c WHERE c.email LIKE {:domain} AND ` + where + ` ORDER BY random() LIMIT {:n}`).
		Bind(dbx.Params{"domain": "%@" + seed.SyntheticDomain, "n": n}).All(&rows)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, errors.New("no synthetic customers: run `ezscale seed --customers N` first")
	}
	out := make([]customer, len(rows))
	for i, r := range rows {
		rec, err := app.FindRecordById("customers", r.ID)
		if err != nil {
			return nil, err
		}
		token, err := rec.NewAuthToken()
		if err != nil {
			return nil, err
		}
		out[i] = customer{id: r.ID, token: token, services: r.Services}
		if r.IDs != "" {
			out[i].serviceIDs = strings.Split(r.IDs, ",")
		}
	}
	return out, nil
}

// listRequest is the measured request, signed in as c, against base
// ("" for a handler called directly).
func listRequest(base string, c customer) (*http.Request, error) {
	return customerRequest(base+ListServicesPath, c)
}

// customerRequest is a GET of url signed in as c.
func customerRequest(url string, c customer) (*http.Request, error) {
	req, err := http.NewRequest(http.MethodGet, url, http.NoBody)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", c.token)
	return req, nil
}

// checkOwnServices verifies a list response for c: every service in it is
// c's, and all of c's are there (as many as fit the page). A page asked
// with skipTotal has no count (-1) and is checked by its items alone.
func checkOwnServices(body []byte, c customer) error {
	var page struct {
		PerPage    int `json:"perPage"`
		TotalItems int `json:"totalItems"`
		Items      []struct {
			ID       string `json:"id"`
			Customer string `json:"customer"`
		} `json:"items"`
	}
	if err := json.Unmarshal(body, &page); err != nil {
		return fmt.Errorf("list response: %w", err)
	}
	for _, it := range page.Items {
		if it.Customer != c.id {
			return fmt.Errorf("customer %s was shown service %s of customer %s", c.id, it.ID, it.Customer)
		}
	}
	counted := page.TotalItems >= 0
	if (counted && page.TotalItems != c.services) || len(page.Items) != min(c.services, page.PerPage) {
		return fmt.Errorf("customer %s has %d services, the list shows %d of %d",
			c.id, c.services, len(page.Items), page.TotalItems)
	}
	return nil
}

// checkOwnService verifies a view response for c: the service asked for,
// and c's.
func checkOwnService(body []byte, c customer, id string) error {
	var rec struct {
		ID       string `json:"id"`
		Customer string `json:"customer"`
	}
	if err := json.Unmarshal(body, &rec); err != nil {
		return fmt.Errorf("view response: %w", err)
	}
	if rec.ID != id || rec.Customer != c.id {
		return fmt.Errorf("customer %s asked for service %s and got %s of customer %s", c.id, id, rec.ID, rec.Customer)
	}
	return nil
}
