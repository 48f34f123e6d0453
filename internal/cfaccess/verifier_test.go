package cfaccess_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/ezscale/ezscale/internal/cfaccess"
	"github.com/ezscale/ezscale/internal/cfaccess/cfaccesstest"
)

const (
	team = "ezscale.cloudflareaccess.com"
	aud  = "4714c1358e65fe4b408ad6d432a5f878f08194bdb4752441fd56faefa9b2b6f2"
)

func TestVerify(t *testing.T) {
	iss := cfaccesstest.New(t, team, aud)
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	v, err := cfaccess.New(cfaccess.Config{TeamDomain: team, Audience: aud, CertsURL: iss.CertsURL, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	claims := func(over jwt.MapClaims) jwt.MapClaims {
		c := iss.Claims(now)
		for k, val := range over {
			c[k] = val
		}
		return c
	}
	tests := []struct {
		name  string
		token string
		want  error
	}{
		{"valid", iss.Token("k1", claims(nil)), nil},
		{"missing header", "", cfaccess.ErrMissing},
		{"expired", iss.Token("k1", claims(jwt.MapClaims{"exp": now.Add(-time.Hour).Unix()})), cfaccess.ErrInvalid},
		{"no expiry", iss.Token("k1", claims(jwt.MapClaims{"exp": nil})), cfaccess.ErrInvalid},
		{"wrong audience", iss.Token("k1", claims(jwt.MapClaims{"aud": []string{"another-app"}})), cfaccess.ErrInvalid},
		{"wrong issuer", iss.Token("k1", claims(jwt.MapClaims{"iss": "https://evil.cloudflareaccess.com"})), cfaccess.ErrInvalid},
		{"wrong key, known kid", cfaccesstest.Sign(t, jwt.SigningMethodRS256, other, "k1", claims(nil)), cfaccess.ErrInvalid},
		{"unknown kid", cfaccesstest.Sign(t, jwt.SigningMethodRS256, other, "k9", claims(nil)), cfaccess.ErrInvalid},
		{"HMAC signed", cfaccesstest.Sign(t, jwt.SigningMethodHS256, []byte("k1"), "k1", claims(nil)), cfaccess.ErrInvalid},
		{"garbage", "not.a.jwt", cfaccess.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/_/", nil)
			if tc.token != "" {
				r.Header.Set(cfaccess.Header, tc.token)
			}
			email, err := v.Verify(context.Background(), r)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
			if tc.want == nil && email != "ops@ezscale.example" {
				t.Errorf("email %q", email)
			}
		})
	}
	// One fetch for the known key; the unknown kid may fetch once more,
	// not once per request.
	if n := iss.Fetches.Load(); n > 2 {
		t.Errorf("JWKS fetched %d times", n)
	}
}

func TestKeysAreCachedAndRotated(t *testing.T) {
	iss := cfaccesstest.New(t, team, aud)
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	v, _ := cfaccess.New(cfaccess.Config{TeamDomain: team, Audience: aud, CertsURL: iss.CertsURL, Now: func() time.Time { return now }})
	request := func(kid string) *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/staff/", nil)
		r.Header.Set(cfaccess.Header, iss.Token(kid, iss.Claims(now)))
		return r
	}
	for range 5 {
		if _, err := v.Verify(context.Background(), request("k1")); err != nil {
			t.Fatal(err)
		}
	}
	if n := iss.Fetches.Load(); n != 1 {
		t.Errorf("%d fetches for five checks with one key", n)
	}
	// Cloudflare rotates: a token with the new key is accepted once the
	// refetch interval (a minute) has passed.
	iss.AddKey("k2")
	now = now.Add(2 * time.Minute)
	if _, err := v.Verify(context.Background(), request("k2")); err != nil {
		t.Fatalf("rotated key: %v", err)
	}
	if n := iss.Fetches.Load(); n != 2 {
		t.Errorf("%d fetches after a rotation, want 2", n)
	}
}
