package bench

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/seed"
	"github.com/ezscale/ezscale/internal/testutil"
)

// seeded is a test app with n synthetic customers.
func seeded(t testing.TB, n int) core.App {
	t.Helper()
	app := testutil.NewApp(t)
	if _, err := seed.Synthetic(app, seed.SyntheticOptions{Customers: n, Seed: 1}, io.Discard); err != nil {
		t.Fatal(err)
	}
	return app
}

// handler serves app as API does.
func handler(t testing.TB, app core.App) http.Handler {
	t.Helper()
	h, err := NewHandler(app)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(withoutRateLimit(app))
	return h
}

func list(t testing.TB, h http.Handler, c customer) *httptest.ResponseRecorder {
	t.Helper()
	req, err := listRequest("", c)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	return rec
}

func TestCustomerSeesOnlyOwnServices(t *testing.T) {
	app := seeded(t, 20)
	h := handler(t, app)
	customers, err := pickCustomers(app, 5)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range customers {
		if err := checkOwnServices(list(t, h, c).Body.Bytes(), c); err != nil {
			t.Error(err)
		}
	}

	// The check catches a list that is not the customer's: another
	// customer's, or a superuser's, which holds every service.
	a, b := customers[0], customers[1]
	if err := checkOwnServices(list(t, h, b).Body.Bytes(), a); err == nil {
		t.Error("customer B's list passed as customer A's")
	}
	staff := customer{id: "staff", token: testutil.Token(t, testutil.Superuser(t, app, "staff@ezscale.test"))}
	if err := checkOwnServices(list(t, h, staff).Body.Bytes(), a); err == nil || !strings.Contains(err.Error(), "was shown service") {
		t.Errorf("every service passed as customer A's list: %v", err)
	}
}

func TestListQueryUsesCustomerIndex(t *testing.T) {
	app := seeded(t, 50)
	h := handler(t, app)
	customers, err := pickCustomers(app, 1)
	if err != nil {
		t.Fatal(err)
	}
	plans, err := listPlans(app, h, customers[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := checkPlans(plans); err != nil {
		t.Error(err)
	}
	if len(plans) != 2 || !strings.Contains(plans[0].SQL, "`services`.`customer` = ") {
		t.Errorf("want the page and its count by customer, got %v", plans)
	}

	scan := []statementPlan{{SQL: "SELECT * FROM services", Plan: []string{"SCAN services"}}}
	if checkPlans(scan) == nil {
		t.Error("a full scan passed the plan check")
	}
}

func TestAPIRunsAndStops(t *testing.T) {
	app := seeded(t, 20)
	var out strings.Builder
	res, err := API(app, APIOptions{Clients: 4, Duration: 300 * time.Millisecond, Customers: 10}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests == 0 || res.Errors != 0 || res.P50 <= 0 || res.P50 > res.P99 || res.P99 > res.Max {
		t.Errorf("implausible result %+v\n%s", res, out.String())
	}
	if !strings.Contains(out.String(), "idx_services_customer") {
		t.Errorf("the query plan is not shown:\n%s", out.String())
	}
}

// BenchmarkCustomerListServices is the request of `ezscale bench api`
// through the full router, without the network.
func BenchmarkCustomerListServices(b *testing.B) {
	app := seeded(b, 200)
	h := handler(b, app)
	customers, err := pickCustomers(app, 50)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for i := 0; pb.Next(); i++ {
			req, err := listRequest("", customers[i%len(customers)])
			if err != nil {
				b.Fatal(err)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
		}
	})
}
