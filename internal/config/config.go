// Package config reads the platform's configuration from environment
// variables (and an optional .env file), as listed in .env.example.
package config

import (
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
)

// Config is the process-wide configuration. Secrets stay here and in the
// environment; they are never written to the database unencrypted.
type Config struct {
	// Dev enables dev mode: demo data, simulators for unset integrations,
	// verbose request logs and the sandbox payment method.
	Dev bool

	// PublicURL is the address customers reach the portal at; links in
	// emails and gateway return URLs are built from it.
	PublicURL string

	// CORSOrigins are the origins whose pages may call the API from a
	// browser: the portal's own (from PublicURL) and EZ_CORS_ORIGINS.
	CORSOrigins []string

	// AdminHost and PortalHost split the platform over two hostnames
	// (EZ_ADMIN_HOST, EZ_PORTAL_HOST, lower-case, with the port if any):
	// the dashboard, the staff console and the staff API answer only on
	// the admin host, the portal only on the portal host. Both empty: one
	// host serves everything.
	AdminHost  string
	PortalHost string

	// EncryptionKey is the 32-byte AES-256 key for stored service
	// credentials. Empty only in dev mode and tests.
	EncryptionKey []byte

	// TrustedProxyHeaders are the headers (e.g. CF-Connecting-IP) that carry
	// the client IP when the app runs behind a proxy. Empty means none is
	// trusted and the remote address is used.
	TrustedProxyHeaders []string

	// TrustedProxyLeftmostIP picks the leftmost IP of X-Forwarded-For style
	// headers instead of the rightmost.
	TrustedProxyLeftmostIP bool

	// LogLevel is the lowest level kept in the request/app log database.
	// Successful requests are logged at INFO and failed ones at ERROR, so
	// WARN keeps only failures.
	LogLevel slog.Level

	// LogMaxDays is how long log entries are kept.
	LogMaxDays int

	// LogDBMaxMB caps the log database (auxiliary.db and its write-ahead
	// log) in MiB: past it the oldest entries are deleted and the space
	// reclaimed, whatever LogMaxDays says.
	LogDBMaxMB int

	// RateLimits toggles PocketBase's rate limiter (on unless explicitly
	// disabled, e.g. for a local load test).
	RateLimits bool

	// ProvisioningWorkers is how many provisioning jobs run at once.
	ProvisioningWorkers int

	// MetricsAddr is where Prometheus metrics and the detailed health
	// check listen (EZ_METRICS_ADDR, e.g. 127.0.0.1:9090); empty: off.
	MetricsAddr string

	Stripe Stripe
	PayPal PayPal

	VirtFusion  Panel
	Pterodactyl Panel
	SynergyCP   Panel
	Enhance     Panel

	Mailgun Mailgun
	// DiscordWebhookURL is the staff channel's webhook; empty means Discord
	// notices stay in the outbox as cancelled.
	DiscordWebhookURL string
	CFAccess          CFAccess

	Elastiflow Elastiflow
	SupportPal SupportPal
}

// SupportPal is the help desk holding the tickets; an empty URL means
// support tickets are off (in dev mode its simulator stands in).
type SupportPal struct {
	URL   string // the install URL, e.g. https://help.example.net
	Token string // an API token allowed users and tickets
	// SSOSecret is the SimpleAuth key; empty means no "open in help desk" link.
	SSOSecret string
	// StandIn is set when dev mode's simulator stands in for the help desk
	// (internal/standins): no place to carry real tickets to.
	StandIn bool
}

// Elastiflow is the Elasticsearch cluster holding ElastiFlow's flow records,
// read for bandwidth usage; an empty URL means bandwidth is not metered.
type Elastiflow struct {
	URL string
	// APIKey (base64 "id:key") wins over Username/Password (basic auth).
	APIKey, Username, Password string
	Index                      string // index pattern, default elastiflow-flow-codex-*
	// Schema is the field names the index holds, "codex" or "ecs"; empty
	// follows the index pattern (ECS for elastiflow-flow-ecs-*).
	Schema   string
	PageSize int // services per search request, default 500
}

// Mailgun is the Mailgun sending domain; an empty Domain means email goes
// through PocketBase's own mailer (SMTP settings) instead.
type Mailgun struct {
	Domain, APIKey string
	// Region is "us" (default) or "eu"; APIBase overrides both (a test server).
	Region, APIBase string
	From            string // e.g. "EZSCALE <billing@mg.example.com>"
}

// CFAccess is the Cloudflare Access application protecting the staff side;
// both fields set means /_/, /staff/ and superuser API calls need its JWT.
type CFAccess struct {
	TeamDomain string // e.g. "ezscale.cloudflareaccess.com"
	AUD        string // the application's audience tag
	// CertsURL overrides https://<team>/cdn-cgi/access/certs (tests).
	CertsURL string
}

// Panel is a hosting platform's API; an empty URL means it is off (in dev
// mode its simulator stands in).
type Panel struct {
	URL   string
	Token string // VirtFusion and Enhance token, SynergyCP key, Pterodactyl application key
	// ClientKey is Pterodactyl's client API key (power, live resources).
	ClientKey string
	// Flavor is Pterodactyl's panel: pterodactyl (default) or pelican.
	Flavor string
	// OrgID is Enhance's reseller or master organisation.
	OrgID string
	// StandIn is set when dev mode's simulator stands in for the platform
	// (internal/standins): it knows none of the real panel's servers.
	StandIn bool
}

// WithoutStandIns is the configuration as the operator wrote it: the
// platforms and help desk dev mode's simulators stand in for are off
// again. The WHMCS import reads it, since a simulator knows nothing of the
// servers and tickets it carries over.
func (c *Config) WithoutStandIns() *Config {
	out := *c
	for _, p := range []*Panel{&out.VirtFusion, &out.Pterodactyl, &out.SynergyCP, &out.Enhance} {
		if p.StandIn {
			*p = Panel{}
		}
	}
	if out.SupportPal.StandIn {
		out.SupportPal = SupportPal{}
	}
	return &out
}

// Stripe is the Stripe account; an empty SecretKey means Stripe is off.
type Stripe struct {
	SecretKey, PublishableKey, WebhookSecret string
	// APIBase points the client elsewhere, e.g. at stripe-mock in tests.
	APIBase string
}

// PayPal is the PayPal REST app; an empty ClientID means PayPal is off.
type PayPal struct {
	ClientID, ClientSecret, WebhookID string
	APIBase                           string // sandbox or live API, or a simulator
}

// devEncryptionKey seals credentials in dev mode when no key is set.
const devEncryptionKey = "ezscale-dev-mode-only-public-key"

// Load reads the configuration from the environment. A .env file in the
// working directory is read first without overriding variables already set.
func Load() (*Config, error) {
	if err := loadDotEnv(".env"); err != nil {
		return nil, err
	}
	return FromEnv(os.Getenv)
}

// checkHosts refuses a half or ambiguous domain layout: one host alone
// would leave the other side on every hostname, and a URL instead of a
// host would never match a request.
func checkHosts(admin, portal string) error {
	if (admin == "") != (portal == "") {
		return errors.New("EZ_ADMIN_HOST and EZ_PORTAL_HOST are set together or not at all")
	}
	if admin != "" && admin == portal {
		return fmt.Errorf("EZ_ADMIN_HOST and EZ_PORTAL_HOST must differ (both %q)", admin)
	}
	for _, h := range [][2]string{{"EZ_ADMIN_HOST", admin}, {"EZ_PORTAL_HOST", portal}} {
		if strings.ContainsAny(h[1], "/ @?#") {
			return fmt.Errorf("%s %q: want a host name such as admin.example.com, without scheme or path", h[0], h[1])
		}
	}
	return nil
}

// FromEnv builds a Config from a lookup function so tests can supply their own.
func FromEnv(getenv func(string) string) (*Config, error) {
	c := &Config{
		Dev:                    isTrue(getenv("EZ_DEV")),
		PublicURL:              strings.TrimRight(getenv("EZ_PUBLIC_URL"), "/"),
		TrustedProxyHeaders:    splitList(getenv("EZ_TRUSTED_PROXY_HEADERS")),
		TrustedProxyLeftmostIP: isTrue(getenv("EZ_TRUSTED_PROXY_LEFTMOST_IP")),
		RateLimits:             getenv("EZ_RATE_LIMITS") == "" || isTrue(getenv("EZ_RATE_LIMITS")),
		MetricsAddr:            strings.TrimSpace(getenv("EZ_METRICS_ADDR")),
		Stripe: Stripe{
			SecretKey: getenv("STRIPE_SECRET_KEY"), PublishableKey: getenv("STRIPE_PUBLISHABLE_KEY"),
			WebhookSecret: getenv("STRIPE_WEBHOOK_SECRET"), APIBase: getenv("STRIPE_API_BASE"),
		},
		PayPal: PayPal{
			ClientID: getenv("PAYPAL_CLIENT_ID"), ClientSecret: getenv("PAYPAL_CLIENT_SECRET"),
			WebhookID: getenv("PAYPAL_WEBHOOK_ID"), APIBase: getenv("PAYPAL_API_BASE"),
		},
		VirtFusion: Panel{URL: getenv("VIRTFUSION_URL"), Token: getenv("VIRTFUSION_TOKEN")},
		Pterodactyl: Panel{URL: getenv("PTERODACTYL_URL"), Token: getenv("PTERODACTYL_APP_KEY"),
			ClientKey: getenv("PTERODACTYL_CLIENT_KEY"), Flavor: getenv("PTERODACTYL_FLAVOR")},
		SynergyCP: Panel{URL: getenv("SYNERGYCP_URL"), Token: getenv("SYNERGYCP_KEY")},
		Enhance:   Panel{URL: getenv("ENHANCE_URL"), Token: getenv("ENHANCE_TOKEN"), OrgID: getenv("ENHANCE_ORG_ID")},
		Mailgun: Mailgun{Domain: getenv("MAILGUN_DOMAIN"), APIKey: getenv("MAILGUN_API_KEY"),
			Region: strings.ToLower(getenv("MAILGUN_REGION")), APIBase: getenv("MAILGUN_API_BASE"), From: getenv("MAILGUN_FROM")},
		DiscordWebhookURL: getenv("DISCORD_WEBHOOK_URL"),
		CFAccess: CFAccess{TeamDomain: getenv("CF_ACCESS_TEAM_DOMAIN"), AUD: getenv("CF_ACCESS_AUD"),
			CertsURL: getenv("CF_ACCESS_CERTS_URL")},
		Elastiflow: Elastiflow{URL: strings.TrimRight(getenv("ELASTICSEARCH_URL"), "/"), APIKey: getenv("ELASTICSEARCH_API_KEY"),
			Username: getenv("ELASTICSEARCH_USERNAME"), Password: getenv("ELASTICSEARCH_PASSWORD"),
			Index: getenv("ELASTIFLOW_INDEX"), Schema: strings.ToLower(getenv("ELASTIFLOW_SCHEMA")), PageSize: 500},
		SupportPal: SupportPal{URL: strings.TrimRight(getenv("SUPPORTPAL_URL"), "/"), Token: getenv("SUPPORTPAL_TOKEN"),
			SSOSecret: getenv("SUPPORTPAL_SSO_SECRET")},
	}
	if c.Elastiflow.Index == "" {
		// ElastiFlow's CODEX output (its default); ECS output is elastiflow-flow-ecs-*.
		c.Elastiflow.Index = "elastiflow-flow-codex-*"
	}
	if c.PublicURL == "" {
		c.PublicURL = "http://127.0.0.1:8090"
	}

	var errs []error
	c.AdminHost, c.PortalHost = strings.ToLower(strings.TrimSpace(getenv("EZ_ADMIN_HOST"))), strings.ToLower(strings.TrimSpace(getenv("EZ_PORTAL_HOST")))
	if err := checkHosts(c.AdminHost, c.PortalHost); err != nil {
		errs = append(errs, err)
	}
	for _, raw := range append([]string{c.PublicURL}, splitList(getenv("EZ_CORS_ORIGINS"))...) {
		origin, err := originOf(raw)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !slices.Contains(c.CORSOrigins, origin) {
			c.CORSOrigins = append(c.CORSOrigins, origin)
		}
	}
	if c.Mailgun.Region != "" && c.Mailgun.Region != "us" && c.Mailgun.Region != "eu" {
		errs = append(errs, fmt.Errorf("MAILGUN_REGION must be us or eu, not %q", c.Mailgun.Region))
	}
	if c.Mailgun.Domain != "" && c.Mailgun.APIKey == "" {
		errs = append(errs, errors.New("MAILGUN_API_KEY is required with MAILGUN_DOMAIN"))
	}
	if v := getenv("ELASTIFLOW_PAGE_SIZE"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			errs = append(errs, fmt.Errorf("ELASTIFLOW_PAGE_SIZE %q: want 1 to 10000 services per request", v))
		}
		c.Elastiflow.PageSize = n
	}
	if s := c.Elastiflow.Schema; s != "" && s != "codex" && s != "ecs" {
		errs = append(errs, fmt.Errorf("ELASTIFLOW_SCHEMA %q: want codex or ecs (empty: follow ELASTIFLOW_INDEX)", s))
	}
	if (c.Elastiflow.Username == "") != (c.Elastiflow.Password == "") {
		errs = append(errs, errors.New("ELASTICSEARCH_USERNAME and ELASTICSEARCH_PASSWORD are set together or not at all"))
	}
	if c.SupportPal.URL != "" && c.SupportPal.Token == "" {
		errs = append(errs, errors.New("SUPPORTPAL_TOKEN is required with SUPPORTPAL_URL"))
	}
	if (c.CFAccess.TeamDomain == "") != (c.CFAccess.AUD == "") {
		errs = append(errs, errors.New("CF_ACCESS_TEAM_DOMAIN and CF_ACCESS_AUD are set together or not at all"))
	}

	key, err := parseKey(getenv("EZ_ENCRYPTION_KEY"))
	if err != nil {
		errs = append(errs, err)
	}
	c.EncryptionKey = key
	if len(c.EncryptionKey) == 0 && !c.Dev {
		errs = append(errs, errors.New("EZ_ENCRYPTION_KEY is required outside dev mode (32 bytes, raw or base64)"))
	}
	if len(c.EncryptionKey) == 0 && c.Dev {
		// Dev mode only: a fixed, public key, so demo credentials can be
		// stored and revealed without setup. Never used outside dev mode.
		c.EncryptionKey = []byte(devEncryptionKey)
	}

	c.LogLevel = slog.LevelWarn
	c.LogMaxDays = 14
	if c.Dev {
		c.LogLevel = slog.LevelInfo
		c.LogMaxDays = 3
	}
	if v := getenv("EZ_LOG_LEVEL"); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			errs = append(errs, fmt.Errorf("EZ_LOG_LEVEL %q: want debug, info, warn or error", v))
		}
	}
	c.ProvisioningWorkers = 4
	if v := getenv("EZ_PROVISIONING_WORKERS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 64 {
			errs = append(errs, fmt.Errorf("EZ_PROVISIONING_WORKERS %q: want 1 to 64", v))
		}
		c.ProvisioningWorkers = n
	}
	c.LogDBMaxMB = 64
	if v := getenv("EZ_LOG_DB_MAX_MB"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1<<20 {
			errs = append(errs, fmt.Errorf("EZ_LOG_DB_MAX_MB %q: want a whole number of MiB, 1 to 1048576", v))
		}
		c.LogDBMaxMB = n
	}
	if v := getenv("EZ_LOG_MAX_DAYS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			errs = append(errs, fmt.Errorf("EZ_LOG_MAX_DAYS %q: want a whole number of days, 0 or more", v))
		}
		c.LogMaxDays = n
	}

	return c, errors.Join(errs...)
}

// parseKey accepts the key as 32 raw bytes or as standard/URL base64.
func parseKey(v string) ([]byte, error) {
	if v == "" {
		return nil, nil
	}
	if len(v) == 32 {
		return []byte(v), nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(v); err == nil && len(b) == 32 {
			return b, nil
		}
	}
	return nil, errors.New("EZ_ENCRYPTION_KEY must be 32 bytes, raw or base64-encoded")
}

func isTrue(v string) bool {
	b, _ := strconv.ParseBool(strings.TrimSpace(v))
	return b
}

// originOf is the origin (scheme://host[:port], lower case) of an http or
// https address, as a browser sends it in an Origin header.
func originOf(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%q is not an http(s) origin (EZ_PUBLIC_URL, EZ_CORS_ORIGINS)", raw)
	}
	return strings.ToLower(u.Scheme + "://" + u.Host), nil
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
