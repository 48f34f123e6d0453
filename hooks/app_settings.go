package hooks

import (
	"slices"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/config"
)

// bindAppSettings applies the environment's log, proxy and rate limit
// configuration to PocketBase's settings once migrations have run, so the
// environment stays the source of truth across restarts.
func bindAppSettings(app core.App, cfg *config.Config) {
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		if err := ApplyConfig(e.App, cfg); err != nil {
			return err
		}
		return e.Next()
	})
}

// ApplyConfig writes cfg into the app settings, saving only on a change.
func ApplyConfig(app core.App, cfg *config.Config) error {
	s := app.Settings()
	changed := false
	set := func(cond bool, apply func()) {
		if cond {
			apply()
			changed = true
		}
	}
	set(s.Logs.MinLevel != int(cfg.LogLevel), func() { s.Logs.MinLevel = int(cfg.LogLevel) })
	set(s.Logs.MaxDays != cfg.LogMaxDays, func() { s.Logs.MaxDays = cfg.LogMaxDays })
	set(!slices.Equal(s.TrustedProxy.Headers, cfg.TrustedProxyHeaders), func() {
		s.TrustedProxy.Headers = slices.Clone(cfg.TrustedProxyHeaders)
	})
	set(s.TrustedProxy.UseLeftmostIP != cfg.TrustedProxyLeftmostIP, func() {
		s.TrustedProxy.UseLeftmostIP = cfg.TrustedProxyLeftmostIP
	})
	set(s.RateLimits.Enabled != cfg.RateLimits, func() { s.RateLimits.Enabled = cfg.RateLimits })
	if cfg.PublicURL != "" {
		set(s.Meta.AppURL != cfg.PublicURL, func() { s.Meta.AppURL = cfg.PublicURL })
	}
	if !changed {
		return nil
	}
	return app.Save(s)
}
