// Package cfaccesstest stands in for Cloudflare Access in tests: RSA
// signing keys, a JWKS endpoint serving their public halves, and tokens
// signed like Access signs them.
package cfaccesstest

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Issuer is a team's Access: keys by id, served as a JWKS.
type Issuer struct {
	Team, Audience string
	// CertsURL is the JWKS endpoint.
	CertsURL string
	// Fetches counts requests to the JWKS endpoint.
	Fetches atomic.Int32

	t    testing.TB
	mu   sync.Mutex
	keys map[string]*rsa.PrivateKey
}

// New starts an issuer for team and audience with one key, "k1".
func New(t testing.TB, team, audience string) *Issuer {
	t.Helper()
	iss := &Issuer{Team: team, Audience: audience, t: t, keys: map[string]*rsa.PrivateKey{}}
	iss.AddKey("k1")
	srv := httptest.NewServer(http.HandlerFunc(iss.serveJWKS))
	t.Cleanup(srv.Close)
	iss.CertsURL = srv.URL
	return iss
}

// AddKey generates and publishes a signing key (a rotation).
func (iss *Issuer) AddKey(kid string) *rsa.PrivateKey {
	iss.t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		iss.t.Fatal(err)
	}
	iss.mu.Lock()
	defer iss.mu.Unlock()
	iss.keys[kid] = k
	return k
}

func (iss *Issuer) serveJWKS(w http.ResponseWriter, _ *http.Request) {
	iss.Fetches.Add(1)
	iss.mu.Lock()
	defer iss.mu.Unlock()
	var doc struct {
		Keys []map[string]string `json:"keys"`
	}
	for kid, k := range iss.keys {
		doc.Keys = append(doc.Keys, map[string]string{"kid": kid, "kty": "RSA", "alg": "RS256",
			"n": base64.RawURLEncoding.EncodeToString(k.N.Bytes()),
			"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.E)).Bytes())})
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(doc)
}

// Claims are a valid token's claims at now; tests change some.
func (iss *Issuer) Claims(now time.Time) jwt.MapClaims {
	return jwt.MapClaims{"iss": "https://" + iss.Team, "aud": []string{iss.Audience},
		"exp": now.Add(time.Hour).Unix(), "iat": now.Unix(), "email": "ops@ezscale.example"}
}

// Token signs claims with key kid (RS256), as Access does.
func (iss *Issuer) Token(kid string, claims jwt.MapClaims) string {
	iss.t.Helper()
	iss.mu.Lock()
	k := iss.keys[kid]
	iss.mu.Unlock()
	return Sign(iss.t, jwt.SigningMethodRS256, k, kid, claims)
}

// Sign signs claims with any method and key, for forged tokens.
func Sign(t testing.TB, method jwt.SigningMethod, key any, kid string, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	tok.Header["kid"] = kid
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
