package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// PocketBase's own settings for a billing platform: the rate limiter on
// (it ships off) and a log database that cannot grow without bound.
// Log level, retention and trusted proxy headers are re-applied from the
// environment at every start (see hooks/app_settings.go).
func init() {
	m.Register(func(app core.App) error {
		s := app.Settings()
		s.Meta.AppName = "EZSCALE"
		s.Batch.Enabled = false
		s.RateLimits.Enabled = true
		s.RateLimits.Rules = RateLimitRules()
		s.Logs.MaxDays = 14
		s.Logs.MinLevel = 4 // WARN: failed requests and warnings only
		s.Logs.LogIP = true
		return app.Save(s)
	}, nil)
}

// RateLimitRules are per client IP. Auth endpoints are tight against
// credential stuffing; creates and our own routes are limited per route.
func RateLimitRules() []core.RateLimitRule {
	return []core.RateLimitRule{
		{Label: "*:auth", MaxRequests: 10, Duration: 60},
		{Label: "*:requestOTP", MaxRequests: 3, Duration: 60},
		{Label: "*:requestPasswordReset", MaxRequests: 3, Duration: 60},
		{Label: "*:requestVerification", MaxRequests: 3, Duration: 60},
		{Label: "*:create", MaxRequests: 20, Duration: 10},
		{Label: "customers:create", MaxRequests: 5, Duration: 60},
		{Label: "POST /api/orders", MaxRequests: 10, Duration: 60},
		// A quote places the order in a transaction it rolls back: it takes
		// the database's write lock like an order does.
		{Label: "POST /api/orders/quote", MaxRequests: 10, Duration: 60},
		{Label: "/api/webhooks/", MaxRequests: 600, Duration: 10},
		{Label: "/api/", MaxRequests: 300, Duration: 10},
	}
}
