package bench

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/seed"
)

// ListServicesPath is the request measured: the list of services, which
// the list rule narrows to the signed-in customer's own.
const ListServicesPath = "/api/collections/services/records"

// customer is a signed-in synthetic customer and what their list must hold.
type customer struct {
	id, token string
	services  int
}

// pickCustomers signs in as n random synthetic customers.
func pickCustomers(app core.App, n int) ([]customer, error) {
	var rows []struct {
		ID       string `db:"id"`
		Services int    `db:"services"`
	}
	err := app.DB().NewQuery(`SELECT c.id AS id, (SELECT COUNT(*) FROM services s WHERE s.customer = c.id) AS services
		FROM customers c WHERE c.email LIKE {:domain} ORDER BY random() LIMIT {:n}`).
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
	}
	return out, nil
}

// listRequest is the measured request, signed in as c, against base
// ("" for a handler called directly).
func listRequest(base string, c customer) (*http.Request, error) {
	req, err := http.NewRequest(http.MethodGet, base+ListServicesPath, http.NoBody)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", c.token)
	return req, nil
}

// checkOwnServices verifies a list response for c: every service in it is
// c's, and all of c's are there.
func checkOwnServices(body []byte, c customer) error {
	var page struct {
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
	if page.TotalItems != c.services || len(page.Items) != c.services {
		return fmt.Errorf("customer %s has %d services, the list shows %d of %d",
			c.id, c.services, len(page.Items), page.TotalItems)
	}
	return nil
}
