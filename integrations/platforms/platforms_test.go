package platforms_test

import (
	"strings"
	"testing"

	"github.com/ezscale/ezscale/integrations/platforms"
	"github.com/ezscale/ezscale/internal/config"
)

func TestFromConfig(t *testing.T) {
	cfg := func(env map[string]string) *config.Config {
		c, err := config.FromEnv(func(k string) string { return env[k] })
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	key := "0123456789abcdef0123456789abcdef"

	// Production without panels: no driver, nothing offered.
	set, err := platforms.FromConfig(cfg(map[string]string{"EZ_ENCRYPTION_KEY": key}))
	if err != nil || len(set.Drivers) != 1 || set.Drivers["manual"] == nil {
		t.Fatalf("no panels configured: %v %v", set.Drivers, err)
	}

	// Dev mode: every platform's simulator stands in.
	set, err = platforms.FromConfig(cfg(map[string]string{"EZ_DEV": "1"}))
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	for _, name := range []string{"virtfusion", "pterodactyl", "synergycp", "enhance"} {
		if set.Drivers[name] == nil {
			t.Errorf("dev mode has no %s driver", name)
		}
	}

	// A panel with a URL but no token is a configuration error, named.
	_, err = platforms.FromConfig(cfg(map[string]string{"EZ_ENCRYPTION_KEY": key, "VIRTFUSION_URL": "https://vf.example.com"}))
	if err == nil || !strings.Contains(err.Error(), "virtfusion") {
		t.Errorf("URL without token: %v", err)
	}
}
