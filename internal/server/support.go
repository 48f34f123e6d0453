package server

import (
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/integrations/support"
	"github.com/ezscale/ezscale/integrations/supportpal"
	"github.com/ezscale/ezscale/internal/config"
)

// SupportDesk is the help desk the configuration names, else nil (support
// off).
func SupportDesk(app core.App, cfg *config.Config) (*support.Desk, error) {
	sp := cfg.SupportPal
	if sp.URL == "" {
		return nil, nil
	}
	api, err := supportpal.New(supportpal.Config{URL: sp.URL, Token: sp.Token})
	if err != nil {
		return nil, err
	}
	return support.New(app, support.Config{API: api, SSOKey: []byte(sp.SSOSecret)}), nil
}
