package hooks_test

import (
	"net/http"
	"testing"

	"github.com/ezscale/ezscale/internal/config"
	"github.com/ezscale/ezscale/internal/testutil"
)

// TestQuotesAreRateLimitedLikeOrders: a quote takes the database's write
// lock as an order does, so one address gets as many of them (all from
// one client address: staffRequest sets it).
func TestQuotesAreRateLimitedLikeOrders(t *testing.T) {
	cfg, err := config.FromEnv(func(k string) string {
		return map[string]string{"EZ_ENCRYPTION_KEY": "0123456789abcdef0123456789abcdef", "EZ_RATE_LIMITS": "true"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	app := testutil.NewAppWith(t, cfg)
	api := testutil.NewAPI(t, app)
	alice := testutil.Token(t, testutil.Customer(t, app, "alice@example.com", "USD"))
	_, price := testutil.Plan(t, app, "vps", "USD", 1200)
	statuses := map[int]int{}
	for range 12 {
		req := staffRequest(http.MethodPost, "/api/orders/quote", "198.51.100.20", alice, "", map[string]any{"plan_price": price.Id})
		statuses[api.Send(req).Status]++
	}
	if statuses[http.StatusOK] != 10 || statuses[http.StatusTooManyRequests] != 2 {
		t.Errorf("12 quotes in a minute: %v, want 10 answered and 2 refused with 429", statuses)
	}
}
