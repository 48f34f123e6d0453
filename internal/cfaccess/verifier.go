// Package cfaccess checks Cloudflare Access JWTs: the token Cloudflare adds
// to every request it lets through to a protected application, in the
// Cf-Access-Jwt-Assertion header. The staff side of the platform accepts
// a request only with a valid one, so a leaked superuser password alone is
// not enough from outside the company's Access policy.
package cfaccess

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Header is where Cloudflare puts the token.
const Header = "Cf-Access-Jwt-Assertion"

// Errors of Verify; all of them mean 403.
var (
	ErrMissing = errors.New("no Cloudflare Access token")
	ErrInvalid = errors.New("invalid Cloudflare Access token")
)

// Verifier checks tokens of one Access application.
type Verifier struct {
	issuer   string // https://<team domain>
	audience string
	keys     *keySet
	now      func() time.Time
}

// Config names the Access application.
type Config struct {
	TeamDomain string // e.g. "ezscale.cloudflareaccess.com"
	Audience   string // the application's AUD tag
	// CertsURL is the team's JWKS, https://<team>/cdn-cgi/access/certs by default.
	CertsURL string
	Client   *http.Client
	// Now is the clock, for tests.
	Now func() time.Time
}

// New returns a Verifier for cfg.
func New(cfg Config) (*Verifier, error) {
	team := strings.TrimSuffix(strings.TrimPrefix(cfg.TeamDomain, "https://"), "/")
	if team == "" || cfg.Audience == "" {
		return nil, errors.New("cfaccess: team domain and audience are required")
	}
	certs := cfg.CertsURL
	if certs == "" {
		certs = "https://" + team + "/cdn-cgi/access/certs"
	}
	client := cfg.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Verifier{
		issuer: "https://" + team, audience: cfg.Audience, now: now,
		keys: &keySet{url: certs, client: client, now: now},
	}, nil
}

// Verify checks the token of r: signed RS256 by one of the team's current
// keys, issued by the team, for this application, not expired. It returns
// the email Access authenticated, when the token names one.
func (v *Verifier) Verify(ctx context.Context, r *http.Request) (string, error) {
	raw := r.Header.Get(Header)
	if raw == "" {
		return "", ErrMissing
	}
	var claims accessClaims
	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{"RS256"}),
		jwt.WithIssuer(v.issuer),
		jwt.WithAudience(v.audience),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(v.now),
		jwt.WithLeeway(30*time.Second),
	)
	_, err := parser.ParseWithClaims(raw, &claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		return v.keys.get(ctx, kid)
	})
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return claims.Email, nil
}

// accessClaims are the claims of an Access token we read.
type accessClaims struct {
	jwt.RegisteredClaims
	Email string `json:"email"`
}
