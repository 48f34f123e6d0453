package bench

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestComparedRequestsAnswerTheCustomersOwn(t *testing.T) {
	app := seeded(t, 20)
	h := handler(t, app)
	customers, err := pickCustomersWithServices(app, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(customers) == 0 {
		t.Fatal("no customer with services")
	}
	for _, c := range customers {
		if len(c.serviceIDs) != c.services || c.services == 0 {
			t.Fatalf("customer %s: %d services, ids %v", c.id, c.services, c.serviceIDs)
		}
		if rec, _ := app.FindRecordById("customers", c.id); rec.GetString("status") != "active" {
			t.Errorf("customer %s is %s, want active", c.id, rec.GetString("status"))
		}
		for n := range c.services {
			for _, l := range []load{listPage, viewService} {
				req, err := l.request("", c, n)
				if err != nil {
					t.Fatal(err)
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != 200 {
					t.Fatalf("%s: status %d: %s", req.URL, rec.Code, rec.Body)
				}
				if err := l.check(rec.Body.Bytes(), c, n); err != nil {
					t.Errorf("%s: %v", req.URL, err)
				}
			}
		}
	}

	// The checks fail on another customer's answers.
	a, b := customers[0], customers[1]
	for _, l := range []load{listPage, viewService} {
		req, _ := l.request("", b, 0)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if err := l.check(rec.Body.Bytes(), a, 0); err == nil {
			t.Errorf("%s of customer B passed as customer A's", req.URL)
		}
	}
	// A page without its count still must hold every service that fits.
	short := a
	short.services++
	req, _ := listPage.request("", a, 0)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if err := checkOwnServices(rec.Body.Bytes(), short); err == nil || !strings.Contains(err.Error(), "the list shows") {
		t.Errorf("a page missing a service passed: %v", err)
	}
}

func TestPickCustomersWithServicesSkipsClosedAccounts(t *testing.T) {
	app := seeded(t, 20)
	all, err := pickCustomers(app, 20)
	if err != nil {
		t.Fatal(err)
	}
	closed := map[string]bool{}
	for _, c := range all[:3] {
		rec, err := app.FindRecordById("customers", c.id)
		if err != nil {
			t.Fatal(err)
		}
		rec.Set("status", "closed")
		if err := app.Save(rec); err != nil {
			t.Fatal(err)
		}
		closed[c.id] = true
	}
	picked, err := pickCustomersWithServices(app, 20)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range picked {
		if closed[c.id] {
			t.Errorf("closed customer %s was picked: the platform answers its token 401", c.id)
		}
	}
}

func TestMergeTakesRunsTogether(t *testing.T) {
	a := APIResult{Requests: 3, Elapsed: time.Second, latencies: []time.Duration{1, 2, 3}}
	b := APIResult{Requests: 1, Errors: 1, FirstError: "status 500", Elapsed: time.Second, latencies: []time.Duration{10}}
	m := merge(a, b)
	if m.Requests != 4 || m.Errors != 1 || m.Elapsed != 2*time.Second || m.RPS() != 2 {
		t.Errorf("merged %+v", m)
	}
	if m.P50 != 2 || m.Max != 10 || m.P99 != 10 || m.FirstError != "status 500" {
		t.Errorf("percentiles of the merged runs: p50 %d p99 %d max %d", m.P50, m.P99, m.Max)
	}
}

func TestPocketBaseVersionIsTheLinkedOne(t *testing.T) {
	v, err := pocketBaseVersion()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(v, "v0.") {
		t.Errorf("version %q", v)
	}
}
