package hooks_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/ezscale/internal/testutil"
)

func TestStaffAnalytics(t *testing.T) {
	app := testutil.NewApp(t)
	api := testutil.NewAPI(t, app)
	staff := testutil.Token(t, testutil.Superuser(t, app, "staff@example.com"))
	customer := testutil.Token(t, testutil.Customer(t, app, "alice@example.com", "USD"))
	_, eurPrice := testutil.Plan(t, app, "vps-eur", "EUR", 900)
	testutil.Create(t, app, "subscriptions", map[string]any{
		"customer": testutil.Customer(t, app, "bob@example.com", "EUR").Id, "plan": eurPrice.GetString("plan"),
		"plan_price": eurPrice.Id, "status": "active", "cycle": "monthly", "currency": "EUR", "amount": 900,
	})

	cases := []struct {
		name, query, token string
		status             int
		field              string // the parameter a 400 names
	}{
		{"anonymous", "", "", http.StatusUnauthorized, ""},
		{"customer", "", customer, http.StatusForbidden, ""},
		{"staff, defaults", "", staff, http.StatusOK, ""},
		{"staff, range and currency", "?from=2026-01-01&to=2026-03-31&currency=eur", staff, http.StatusOK, ""},
		{"from not a date", "?from=2026-02-30", staff, http.StatusBadRequest, "from"},
		{"to not a date", "?to=31-03-2026", staff, http.StatusBadRequest, "to"},
		{"to before from", "?from=2026-03-01&to=2026-01-01", staff, http.StatusBadRequest, "to"},
		{"over five years", "?from=2020-01-01&to=2025-06-01", staff, http.StatusBadRequest, "to"},
		{"unknown currency", "?currency=ABC", staff, http.StatusBadRequest, "currency"},
		{"currency without a rate", "?currency=JPY", staff, http.StatusBadRequest, "currency"},
		{"customer with bad parameters", "?currency=ABC", customer, http.StatusForbidden, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := api.Do(http.MethodGet, "/api/staff/analytics"+tc.query, tc.token, nil)
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

	res := api.Do(http.MethodGet, "/api/staff/analytics?currency=EUR", staff, nil)
	var got struct {
		From, To, Currency string
		MRR                struct {
			Total      int64            `json:"total"`
			ByCurrency map[string]int64 `json:"by_currency"`
		} `json:"mrr"`
		Months      []map[string]any `json:"months"`
		Revenue     map[string]any   `json:"revenue"`
		Plans       []map[string]any `json:"plans"`
		Conversion  map[string]any   `json:"conversion"`
		Receivables map[string]any   `json:"receivables"`
	}
	if err := json.Unmarshal(res.Body, &got); err != nil {
		t.Fatal(err)
	}
	today := time.Now().UTC().Format("2006-01-02")
	if got.Currency != "EUR" || got.To != today || len(got.Months) != 12 || got.MRR.Total != 900 || got.MRR.ByCurrency["EUR"] != 900 ||
		len(got.Plans) != 1 || got.Receivables["buckets"] == nil || got.Conversion["rate_bp"] == nil {
		t.Errorf("report: %s", res.Body)
	}
	for _, key := range []string{`"by_day"`, `"by_month"`, `"by_year"`, `"net_new"`, `"customer_churn_bp"`, `"revenue_churn_bp"`, `"outstanding"`} {
		if !strings.Contains(string(res.Body), key) {
			t.Errorf("no %s in %s", key, res.Body)
		}
	}
}
