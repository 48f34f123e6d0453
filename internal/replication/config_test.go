package replication

import (
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestFromEnv(t *testing.T) {
	t.Run("off when EZ_REPLICA_URL is unset", func(t *testing.T) {
		c, err := FromEnv(env(nil))
		if err != nil || c.Enabled() {
			t.Fatalf("FromEnv() = %+v, %v; want disabled, no error", c, err)
		}
	})
	t.Run("every setting read", func(t *testing.T) {
		c, err := FromEnv(env(map[string]string{
			"EZ_REPLICA_URL": "s3://ez-dr/prod/billing", "EZ_REPLICA_ENDPOINT": "https://r2.example/",
			"EZ_REPLICA_REGION": "auto", "EZ_REPLICA_ACCESS_KEY_ID": "id", "EZ_REPLICA_SECRET_ACCESS_KEY": "secret",
			"EZ_BACKUP_CRON": "0 */6 * * *", "EZ_BACKUP_KEEP": "30", "EZ_REPLICA_MAX_LAG": "90s",
		}))
		if err != nil {
			t.Fatal(err)
		}
		want := Config{Bucket: "ez-dr", Path: "prod/billing", Endpoint: "https://r2.example", Region: "auto",
			AccessKey: "id", SecretKey: "secret", BackupCron: "0 */6 * * *", BackupKeep: 30, MaxLag: 90 * time.Second}
		if c != want {
			t.Fatalf("FromEnv() = %+v\nwant %+v", c, want)
		}
		if c.URL() != "s3://ez-dr/prod/billing" {
			t.Errorf("URL() = %q", c.URL())
		}
	})

	refused := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"not s3", map[string]string{"EZ_REPLICA_URL": "https://bucket/path"}, "want s3://bucket/path"},
		{"no path", map[string]string{"EZ_REPLICA_URL": "s3://bucket"}, "a bucket and a path"},
		{"no bucket", map[string]string{"EZ_REPLICA_URL": "s3:///path"}, "a bucket and a path"},
		{"keys in the URL", map[string]string{"EZ_REPLICA_URL": "s3://id:secret@bucket/path"}, "no keys"},
		{"half the keys", map[string]string{"EZ_REPLICA_URL": "s3://b/p", "EZ_REPLICA_ACCESS_KEY_ID": "id"}, "set both or neither"},
		{"AWS_CA_BUNDLE", map[string]string{"EZ_REPLICA_URL": "s3://b/p", "AWS_CA_BUNDLE": "/etc/ca.pem"}, "unset it"},
		{"keep zero", map[string]string{"EZ_BACKUP_KEEP": "0"}, "EZ_BACKUP_KEEP"},
		{"keep not a number", map[string]string{"EZ_BACKUP_KEEP": "seven"}, "EZ_BACKUP_KEEP"},
		{"lag not a duration", map[string]string{"EZ_REPLICA_MAX_LAG": "60"}, "EZ_REPLICA_MAX_LAG"},
		{"lag negative", map[string]string{"EZ_REPLICA_MAX_LAG": "-1m"}, "EZ_REPLICA_MAX_LAG"},
	}
	for _, tt := range refused {
		t.Run("refuses "+tt.name, func(t *testing.T) {
			c, err := FromEnv(env(tt.env))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("FromEnv() = %+v, %v; want an error mentioning %q", c, err, tt.want)
			}
		})
	}
}
