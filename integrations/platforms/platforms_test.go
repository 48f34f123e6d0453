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
	drivers, err := platforms.FromConfig(cfg(map[string]string{"EZ_ENCRYPTION_KEY": key}))
	if err != nil || len(drivers) != 1 || drivers["manual"] == nil {
		t.Fatalf("no panels configured: %v %v", drivers, err)
	}

	// A panel with a URL but no token is a configuration error, named.
	_, err = platforms.FromConfig(cfg(map[string]string{"EZ_ENCRYPTION_KEY": key, "VIRTFUSION_URL": "https://vf.example.com"}))
	if err == nil || !strings.Contains(err.Error(), "virtfusion") {
		t.Errorf("URL without token: %v", err)
	}
}
