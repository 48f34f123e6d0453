package config

import (
	"encoding/base64"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestFromEnv(t *testing.T) {
	key := "0123456789abcdef0123456789abcdef"
	cases := []struct {
		name    string
		env     map[string]string
		wantErr string
		check   func(*testing.T, *Config)
	}{
		{name: "production needs a key", env: map[string]string{}, wantErr: "EZ_ENCRYPTION_KEY is required"},
		{name: "dev runs without a key", env: map[string]string{"EZ_DEV": "1"}, check: func(t *testing.T, c *Config) {
			if !c.Dev || c.LogLevel != slog.LevelInfo || !c.RateLimits || c.PublicURL != "http://127.0.0.1:8090" {
				t.Errorf("dev defaults: %+v", c)
			}
		}},
		{name: "raw key", env: map[string]string{"EZ_ENCRYPTION_KEY": key}, check: func(t *testing.T, c *Config) {
			if string(c.EncryptionKey) != key || c.LogLevel != slog.LevelWarn || c.LogMaxDays != 14 {
				t.Errorf("production defaults: %+v", c)
			}
		}},
		{name: "base64 key", env: map[string]string{"EZ_ENCRYPTION_KEY": base64.StdEncoding.EncodeToString([]byte(key))},
			check: func(t *testing.T, c *Config) {
				if string(c.EncryptionKey) != key {
					t.Error("base64 key not decoded")
				}
			}},
		{name: "short key", env: map[string]string{"EZ_ENCRYPTION_KEY": "short"}, wantErr: "must be 32 bytes"},
		{name: "bad log level", env: map[string]string{"EZ_DEV": "1", "EZ_LOG_LEVEL": "loud"}, wantErr: "EZ_LOG_LEVEL"},
		{name: "negative log days", env: map[string]string{"EZ_DEV": "1", "EZ_LOG_MAX_DAYS": "-1"}, wantErr: "EZ_LOG_MAX_DAYS"},
		{name: "supportpal url without token", env: map[string]string{"EZ_DEV": "1", "SUPPORTPAL_URL": "https://help.example.net"}, wantErr: "SUPPORTPAL_TOKEN"},
		{name: "proxy headers and limits", env: map[string]string{
			"EZ_DEV": "1", "EZ_TRUSTED_PROXY_HEADERS": "CF-Connecting-IP, X-Forwarded-For",
			"EZ_RATE_LIMITS": "false", "EZ_PUBLIC_URL": "https://my.example.com/",
		}, check: func(t *testing.T, c *Config) {
			if len(c.TrustedProxyHeaders) != 2 || c.TrustedProxyHeaders[0] != "CF-Connecting-IP" || c.RateLimits {
				t.Errorf("parsed: %+v", c)
			}
			if c.PublicURL != "https://my.example.com" {
				t.Errorf("public URL %q", c.PublicURL)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := FromEnv(env(tc.env))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("want error %q, got %v", tc.wantErr, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, c)
		})
	}
}

func TestDotEnvNeverOverridesTheEnvironment(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".env")
	content := "# comment\nEZ_TEST_A=from-file\nexport EZ_TEST_B=\"quoted value\"\nEZ_TEST_C=file\n"
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("EZ_TEST_C", "from-env")
	t.Setenv("EZ_TEST_A", "")
	os.Unsetenv("EZ_TEST_A")
	os.Unsetenv("EZ_TEST_B")
	t.Cleanup(func() { os.Unsetenv("EZ_TEST_B") })
	if err := loadDotEnv(path); err != nil {
		t.Fatal(err)
	}
	if os.Getenv("EZ_TEST_A") != "from-file" || os.Getenv("EZ_TEST_B") != "quoted value" || os.Getenv("EZ_TEST_C") != "from-env" {
		t.Errorf("got A=%q B=%q C=%q", os.Getenv("EZ_TEST_A"), os.Getenv("EZ_TEST_B"), os.Getenv("EZ_TEST_C"))
	}
	if err := os.WriteFile(path, []byte("NOEQUALS\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := loadDotEnv(path); err == nil || !strings.Contains(err.Error(), ":1:") {
		t.Errorf("malformed line: want an error naming the line, got %v", err)
	}
	if err := loadDotEnv(filepath.Join(t.TempDir(), "missing")); err != nil {
		t.Errorf("a missing .env is fine, got %v", err)
	}
}

func TestElastiflowFromEnv(t *testing.T) {
	cases := []struct {
		name    string
		env     map[string]string
		want    Elastiflow
		wantErr string
	}{
		{name: "unset: off, contract defaults", env: map[string]string{},
			want: Elastiflow{Index: "elastiflow-flow-codex-*", PageSize: 500}},
		{name: "API key", env: map[string]string{"ELASTICSEARCH_URL": "https://es.example.net:9200/", "ELASTICSEARCH_API_KEY": "aWQ6a2V5",
			"ELASTIFLOW_INDEX": "elastiflow-flow-ecs-*", "ELASTIFLOW_PAGE_SIZE": "250"},
			want: Elastiflow{URL: "https://es.example.net:9200", APIKey: "aWQ6a2V5", Index: "elastiflow-flow-ecs-*", PageSize: 250}},
		{name: "basic auth", env: map[string]string{"ELASTICSEARCH_URL": "https://es:9200", "ELASTICSEARCH_USERNAME": "billing", "ELASTICSEARCH_PASSWORD": "pw"},
			want: Elastiflow{URL: "https://es:9200", Username: "billing", Password: "pw", Index: "elastiflow-flow-codex-*", PageSize: 500}},
		{name: "user without password", env: map[string]string{"ELASTICSEARCH_USERNAME": "billing"}, wantErr: "ELASTICSEARCH_USERNAME and ELASTICSEARCH_PASSWORD"},
		{name: "page size not a number", env: map[string]string{"ELASTIFLOW_PAGE_SIZE": "many"}, wantErr: "ELASTIFLOW_PAGE_SIZE"},
		{name: "page size zero", env: map[string]string{"ELASTIFLOW_PAGE_SIZE": "0"}, wantErr: "ELASTIFLOW_PAGE_SIZE"},
		{name: "page size too large", env: map[string]string{"ELASTIFLOW_PAGE_SIZE": "10001"}, wantErr: "ELASTIFLOW_PAGE_SIZE"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.env["EZ_DEV"] = "1"
			c, err := FromEnv(env(tc.env))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("want error %q, got %v", tc.wantErr, err)
				}
				return
			}
			if err != nil || c.Elastiflow != tc.want {
				t.Fatalf("got %+v, %v; want %+v", c.Elastiflow, err, tc.want)
			}
		})
	}
}

func TestCORSOrigins(t *testing.T) {
	tests := []struct {
		public, extra string
		want          []string
		bad           bool
	}{
		{public: "", want: []string{"http://127.0.0.1:8090"}},
		{public: "https://My.EZSCALE.test/portal/", extra: "https://staging.ezscale.test, https://my.ezscale.test",
			want: []string{"https://my.ezscale.test", "https://staging.ezscale.test"}},
		{public: "https://my.ezscale.test", extra: "ftp://files.example", bad: true},
		{public: "https://my.ezscale.test", extra: "staging.ezscale.test", bad: true},
	}
	for _, tt := range tests {
		cfg, err := FromEnv(func(k string) string {
			return map[string]string{"EZ_DEV": "1", "EZ_PUBLIC_URL": tt.public, "EZ_CORS_ORIGINS": tt.extra}[k]
		})
		if tt.bad {
			if err == nil {
				t.Errorf("EZ_CORS_ORIGINS %q: no error", tt.extra)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%q %q: %v", tt.public, tt.extra, err)
		}
		if !slices.Equal(cfg.CORSOrigins, tt.want) {
			t.Errorf("%q %q: origins %v, want %v", tt.public, tt.extra, cfg.CORSOrigins, tt.want)
		}
	}
}
