package server

import (
	"testing"

	"github.com/ezscale/ezscale/integrations/elastiflow"
	"github.com/ezscale/ezscale/internal/config"
)

func TestBandwidthSource(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string // "client", "dev" or "none"
	}{
		{"configured cluster", map[string]string{"EZ_DEV": "1", "ELASTICSEARCH_URL": "https://es.example.net:9200", "ELASTICSEARCH_API_KEY": "k"}, "client"},
		{"dev mode without a cluster", map[string]string{"EZ_DEV": "1"}, "dev"},
		{"production without a cluster", map[string]string{"EZ_ENCRYPTION_KEY": "0123456789abcdef0123456789abcdef"}, "none"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := config.FromEnv(func(k string) string { return tc.env[k] })
			if err != nil {
				t.Fatal(err)
			}
			src, stop, err := BandwidthSource(cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer stop()
			got := "none"
			switch src.(type) {
			case *elastiflow.Client:
				got = "client"
			case *elastiflow.DevSource:
				got = "dev"
			}
			if got != tc.want {
				t.Errorf("source %T, want %s", src, tc.want)
			}
		})
	}
}
