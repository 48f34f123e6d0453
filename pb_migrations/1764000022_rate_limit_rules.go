package migrations

import (
	"slices"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Rate-limit rules added to RateLimitRules since a database was made
// (POST /api/orders/quote) are added to its settings; rules staff tuned in
// the dashboard are kept as they are.
func init() {
	m.Register(func(app core.App) error {
		s := app.Settings()
		changed := false
		for _, rule := range RateLimitRules() {
			if !slices.ContainsFunc(s.RateLimits.Rules, func(r core.RateLimitRule) bool { return r.Label == rule.Label }) {
				s.RateLimits.Rules = append(s.RateLimits.Rules, rule)
				changed = true
			}
		}
		if !changed {
			return nil
		}
		return app.Save(s)
	}, nil)
}
