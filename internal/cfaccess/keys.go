package cfaccess

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"sync"
	"time"
)

// Cached keys are trusted this long; a token signed with a key we do not
// know makes us fetch again at most once a minute, so a key rotation is
// picked up at once and a flood of forged kids cannot hammer the JWKS.
const (
	keysTTL         = time.Hour
	refetchInterval = time.Minute
)

// keySet is the team's public keys by key id, fetched from the JWKS URL
// and cached.
type keySet struct {
	url    string
	client *http.Client
	now    func() time.Time

	mu        sync.Mutex
	keys      map[string]*rsa.PublicKey
	fetchedAt time.Time
}

func (s *keySet) get(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	key, known := s.keys[kid]
	stale := now.Sub(s.fetchedAt) > keysTTL
	if known && !stale {
		return key, nil
	}
	if stale || now.Sub(s.fetchedAt) > refetchInterval {
		keys, err := s.fetch(ctx)
		if err != nil {
			if known { // a JWKS outage does not lock staff out while a key is cached
				return key, nil
			}
			return nil, err
		}
		s.keys, s.fetchedAt = keys, now
	}
	if key, ok := s.keys[kid]; ok {
		return key, nil
	}
	return nil, fmt.Errorf("unknown signing key %q", kid)
}

// jwks is the JSON Web Key Set document.
type jwks struct {
	Keys []struct {
		Kid string `json:"kid"`
		Kty string `json:"kty"`
		Alg string `json:"alg"`
		N   string `json:"n"`
		E   string `json:"e"`
	} `json:"keys"`
}

func (s *keySet) fetch(ctx context.Context) (map[string]*rsa.PublicKey, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url, nil)
	if err != nil {
		return nil, err
	}
	res, err := s.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("cloudflare access keys: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("cloudflare access keys: %s answered %d", s.url, res.StatusCode)
	}
	var doc jwks
	if err := json.NewDecoder(res.Body).Decode(&doc); err != nil {
		return nil, fmt.Errorf("cloudflare access keys: %w", err)
	}
	keys := map[string]*rsa.PublicKey{}
	for _, k := range doc.Keys {
		if k.Kty != "RSA" || k.Kid == "" {
			continue
		}
		n, err1 := base64.RawURLEncoding.DecodeString(k.N)
		e, err2 := base64.RawURLEncoding.DecodeString(k.E)
		if err1 != nil || err2 != nil || len(e) > 4 {
			continue
		}
		keys[k.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	}
	if len(keys) == 0 {
		return nil, errors.New("cloudflare access keys: no RSA keys in the set")
	}
	return keys, nil
}
