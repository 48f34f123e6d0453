// Package replication keeps a copy of the billing database off the machine:
// Litestream (embedded as a library) streams every committed transaction of
// pb_data/data.db to S3-compatible storage, PocketBase's scheduled backups
// go to the same bucket with retention, and Restore rebuilds a data
// directory from either, to a point in time. Everything is configured by
// environment and off when EZ_REPLICA_URL is unset.
package replication

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Config is where the replica and the backups go.
type Config struct {
	// Bucket and Path are EZ_REPLICA_URL's parts (s3://bucket/path): the
	// replica of data.db lives under Path, the backups at the bucket's root
	// (PocketBase's choice).
	Bucket string
	Path   string

	Endpoint  string // empty for AWS itself; set for R2, B2, MinIO, SeaweedFS
	Region    string
	AccessKey string
	SecretKey string

	// BackupCron and BackupKeep schedule PocketBase's full backups and how
	// many of them are kept.
	BackupCron string
	BackupKeep int

	// MaxLag is how long the replica may trail the database before
	// replication counts as broken.
	MaxLag time.Duration
}

// Defaults when the environment does not say.
const (
	DefaultRegion     = "us-east-1"
	DefaultBackupCron = "0 3 * * *"
	DefaultBackupKeep = 14
	DefaultMaxLag     = time.Minute
)

// Enabled is whether replication is configured at all.
func (c Config) Enabled() bool { return c.Bucket != "" }

// URL is the replica's address, as EZ_REPLICA_URL gives it and restore
// --from takes it.
func (c Config) URL() string { return "s3://" + c.Bucket + "/" + c.Path }

// FromEnv reads EZ_REPLICA_URL, EZ_REPLICA_ENDPOINT, EZ_REPLICA_REGION,
// EZ_REPLICA_ACCESS_KEY_ID, EZ_REPLICA_SECRET_ACCESS_KEY, EZ_BACKUP_CRON,
// EZ_BACKUP_KEEP and EZ_REPLICA_MAX_LAG. An unset EZ_REPLICA_URL gives a
// disabled Config; a set but malformed one is an error, so a typo cannot
// silently turn replication off.
func FromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		Endpoint:   strings.TrimRight(getenv("EZ_REPLICA_ENDPOINT"), "/"),
		Region:     getenv("EZ_REPLICA_REGION"),
		AccessKey:  getenv("EZ_REPLICA_ACCESS_KEY_ID"),
		SecretKey:  getenv("EZ_REPLICA_SECRET_ACCESS_KEY"),
		BackupCron: getenv("EZ_BACKUP_CRON"),
		BackupKeep: DefaultBackupKeep,
		MaxLag:     DefaultMaxLag,
	}
	if c.Region == "" {
		c.Region = DefaultRegion
	}
	if c.BackupCron == "" {
		c.BackupCron = DefaultBackupCron
	}
	if v := getenv("EZ_BACKUP_KEEP"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return Config{}, fmt.Errorf("EZ_BACKUP_KEEP=%q: want a whole number of backups, at least 1", v)
		}
		c.BackupKeep = n
	}
	if v := getenv("EZ_REPLICA_MAX_LAG"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return Config{}, fmt.Errorf("EZ_REPLICA_MAX_LAG=%q: want a positive duration such as 1m", v)
		}
		c.MaxLag = d
	}
	raw := getenv("EZ_REPLICA_URL")
	if raw == "" {
		return c, nil
	}
	bucket, path, err := ParseURL(raw)
	if err != nil {
		return Config{}, fmt.Errorf("EZ_REPLICA_URL: %w", err)
	}
	c.Bucket, c.Path = bucket, path
	if getenv("AWS_CA_BUNDLE") != "" {
		// The AWS SDK refuses it with Litestream's own HTTP client, which
		// would leave replication broken at every start.
		return Config{}, errors.New("AWS_CA_BUNDLE is set: Litestream's S3 client cannot use it; unset it and add the CA to SSL_CERT_FILE instead")
	}
	if (c.AccessKey == "") != (c.SecretKey == "") {
		return Config{}, errors.New("EZ_REPLICA_ACCESS_KEY_ID and EZ_REPLICA_SECRET_ACCESS_KEY go together: set both or neither")
	}
	return c, nil
}

// ParseURL splits s3://bucket/path into its bucket and path. The path is
// required: the bucket's root holds the backups.
func ParseURL(raw string) (bucket, path string, err error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", fmt.Errorf("%q is not a URL: %w", raw, err)
	}
	if u.Scheme != "s3" {
		return "", "", fmt.Errorf("%q: want s3://bucket/path", raw)
	}
	path = strings.Trim(u.Path, "/")
	if u.Host == "" || path == "" || u.User != nil || u.RawQuery != "" {
		return "", "", fmt.Errorf("%q: want s3://bucket/path (a bucket and a path, no keys or options in the URL)", raw)
	}
	return u.Host, path, nil
}
