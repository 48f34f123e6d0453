package server

import (
	"context"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/bandwidth"
	"github.com/ezscale/ezscale/integrations/elastiflow"
	"github.com/ezscale/ezscale/internal/config"
)

func TestBandwidthSource(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string // "client" or "none"
	}{
		{"configured cluster", map[string]string{"EZ_DEV": "1", "ELASTICSEARCH_URL": "https://es.example.net:9200", "ELASTICSEARCH_API_KEY": "k"}, "client"},
		{"production without a cluster", map[string]string{"EZ_ENCRYPTION_KEY": "0123456789abcdef0123456789abcdef"}, "none"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := config.FromEnv(func(k string) string { return tc.env[k] })
			if err != nil {
				t.Fatal(err)
			}
			src, err := BandwidthSource(core.NewBaseApp(core.BaseAppConfig{DataDir: t.TempDir()}), cfg)
			if err != nil {
				t.Fatal(err)
			}
			got := "none"
			if _, ok := src.(*elastiflow.Client); ok {
				got = "client"
			}
			if got != tc.want {
				t.Errorf("source %T, want %s", src, tc.want)
			}
		})
	}
}

// fakeTraffic is a dev traffic source.
type fakeTraffic struct{}

func (fakeTraffic) Usage(context.Context, []elastiflow.Service, time.Time, time.Time) ([]elastiflow.DayUsage, elastiflow.Stats, error) {
	return nil, elastiflow.Stats{}, nil
}

// TestSetupDevMode: dev mode takes its traffic source from the stand-ins,
// for the server and the commands alike, and is refused in a build
// without them.
func TestSetupDevMode(t *testing.T) {
	cfg, err := config.FromEnv(func(k string) string { return map[string]string{"EZ_DEV": "1"}[k] })
	if err != nil {
		t.Fatal(err)
	}
	saved := DevStandIns
	t.Cleanup(func() { DevStandIns = saved })

	DevStandIns = nil
	if _, err := Setup(core.NewBaseApp(core.BaseAppConfig{DataDir: t.TempDir()}), cfg); err != errNoStandIns {
		t.Fatalf("dev mode without stand-ins: %v, want %v", err, errNoStandIns)
	}

	stopped := false
	DevStandIns = func(core.App, *config.Config) (bandwidth.Source, func(), error) {
		return fakeTraffic{}, func() { stopped = true }, nil
	}
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: t.TempDir()})
	stop, err := Setup(app, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if src, err := BandwidthSource(app, cfg); err != nil || src != (fakeTraffic{}) {
		t.Errorf("source %T, %v; want the stand-in", src, err)
	}
	stop()
	if !stopped {
		t.Error("stop left the stand-ins running")
	}
}
