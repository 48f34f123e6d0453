package hooks_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/internal/testutil"
)

type servedCurrency struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	Exponent int    `json:"exponent"`
	Step     int64  `json:"step"`
}

// The portal's one currency table is billing/money's, served whole to
// anyone: the decimal places of every currency, and its payable step.
func TestCurrenciesRouteServesMoneysTable(t *testing.T) {
	app := testutil.NewApp(t)
	api := testutil.NewAPI(t, app)
	res := api.Do(http.MethodGet, "/api/currencies", "", nil)
	if res.Status != http.StatusOK {
		t.Fatalf("GET /api/currencies: %d %s", res.Status, res.Body)
	}
	var served []servedCurrency
	if err := json.Unmarshal(res.Body, &served); err != nil {
		t.Fatalf("body %s: %v", res.Body, err)
	}
	table := money.Currencies()
	if len(served) != len(table) {
		t.Fatalf("served %d currencies, money has %d", len(served), len(table))
	}
	for i, c := range table {
		want := servedCurrency{Code: c.Code, Name: c.Name, Exponent: c.Exponent, Step: c.Step()}
		if served[i] != want {
			t.Errorf("currency %d = %+v, want %+v", i, served[i], want)
		}
	}

	// The currencies browsers get wrong, as ISO 4217 has them.
	byCode := map[string]servedCurrency{}
	for _, c := range served {
		byCode[c.Code] = c
	}
	for code, exponent := range map[string]int{"HUF": 2, "LBP": 2, "IRR": 2, "MGA": 2, "SOS": 2, "YER": 2, "IQD": 3, "KWD": 3, "JPY": 0} {
		if got := byCode[code].Exponent; got != exponent {
			t.Errorf("%s exponent %d, want %d", code, got, exponent)
		}
	}
	if got := byCode["KWD"].Step; got != 10 {
		t.Errorf("KWD step %d, want 10", got)
	}
}

// The table may be cached, and a cache revalidates it for nothing.
func TestCurrenciesRouteIsCacheable(t *testing.T) {
	app := testutil.NewApp(t)
	h := testutil.NewAPI(t, app).Handler()

	first := httptest.NewRecorder()
	h.ServeHTTP(first, httptest.NewRequest(http.MethodGet, "/api/currencies", nil))
	etag := first.Header().Get("ETag")
	if first.Code != http.StatusOK || etag == "" || first.Header().Get("Cache-Control") != "public, max-age=3600" {
		t.Fatalf("first: %d, ETag %q, Cache-Control %q", first.Code, etag, first.Header().Get("Cache-Control"))
	}

	req := httptest.NewRequest(http.MethodGet, "/api/currencies", nil)
	req.Header.Set("If-None-Match", etag)
	again := httptest.NewRecorder()
	h.ServeHTTP(again, req)
	if again.Code != http.StatusNotModified || again.Body.Len() != 0 {
		t.Fatalf("revalidation: %d with %d bytes, want 304 and none", again.Code, again.Body.Len())
	}

	req = httptest.NewRequest(http.MethodGet, "/api/currencies", nil)
	req.Header.Set("If-None-Match", `"stale"`)
	stale := httptest.NewRecorder()
	h.ServeHTTP(stale, req)
	if stale.Code != http.StatusOK || stale.Body.String() != first.Body.String() {
		t.Fatalf("stale ETag: %d, body changed", stale.Code)
	}
}
