package standins

import (
	"testing"

	"github.com/ezscale/ezscale/integrations/platforms"
	"github.com/ezscale/ezscale/internal/config"
)

// TestStartPlatforms: in dev mode every platform without a panel gets its
// simulator, which the registry then builds a driver for; a configured
// panel is left as it is.
func TestStartPlatforms(t *testing.T) {
	tests := []struct {
		name  string
		panel func(*config.Config) *config.Panel
		env   map[string]string // the platform's own panel
	}{
		{"virtfusion", func(c *config.Config) *config.Panel { return &c.VirtFusion },
			map[string]string{"VIRTFUSION_URL": "https://vf.example.com", "VIRTFUSION_TOKEN": "vf"}},
		{"pterodactyl", func(c *config.Config) *config.Panel { return &c.Pterodactyl },
			map[string]string{"PTERODACTYL_URL": "https://game.example.com", "PTERODACTYL_APP_KEY": "ptla", "PTERODACTYL_CLIENT_KEY": "ptlc"}},
		{"synergycp", func(c *config.Config) *config.Panel { return &c.SynergyCP },
			map[string]string{"SYNERGYCP_URL": "https://scp.example.com", "SYNERGYCP_KEY": "scp"}},
		{"enhance", func(c *config.Config) *config.Panel { return &c.Enhance },
			map[string]string{"ENHANCE_URL": "https://cp.example.com", "ENHANCE_TOKEN": "en", "ENHANCE_ORG_ID": "00000000-0000-0000-0000-000000000001"}},
	}

	t.Run("dev mode: every platform's simulator stands in", func(t *testing.T) {
		cfg := devConfig(t, nil)
		stop, err := startPlatforms(cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer stop()
		drivers, err := platforms.FromConfig(cfg)
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range tests {
			if tt.panel(cfg).URL == "" || drivers[tt.name] == nil {
				t.Errorf("dev mode has no %s driver (panel %+v)", tt.name, *tt.panel(cfg))
			}
		}

		// The WHMCS import asks real panels only: a simulator knows none
		// of WHMCS's servers.
		real, err := platforms.FromConfig(cfg.WithoutStandIns())
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range tests {
			if real[tt.name] != nil {
				t.Errorf("the configuration without stand-ins still has the %s simulator", tt.name)
			}
		}
	})

	for _, tt := range tests {
		t.Run("a configured "+tt.name+" is kept", func(t *testing.T) {
			cfg := devConfig(t, tt.env)
			want := *tt.panel(cfg)
			stop, err := startPlatforms(cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer stop()
			if got := *tt.panel(cfg); got != want {
				t.Errorf("panel = %+v, want %+v", got, want)
			}
			if got := *tt.panel(cfg.WithoutStandIns()); got != want {
				t.Errorf("without stand-ins the configured panel became %+v", got)
			}
		})
	}
}

// devConfig is dev mode's configuration with env on top.
func devConfig(t *testing.T, env map[string]string) *config.Config {
	t.Helper()
	cfg, err := config.FromEnv(func(k string) string {
		if k == "EZ_DEV" {
			return "1"
		}
		return env[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}
