// Package passkeys is the WebAuthn (passkey) relying party of the customer
// portal: its configuration, the customer as a WebAuthn user and the
// short-lived ceremony sessions. Credentials live in customer_passkeys.
package passkeys

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/config"
)

// SessionTTL is how long a begun ceremony may be finished.
const SessionTTL = 5 * time.Minute

// Collection holds the customers' credentials.
const Collection = "customer_passkeys"

// ErrNoSession is returned for an unknown, expired or already used session.
var ErrNoSession = errors.New("passkeys: unknown or expired session")

// NewRelyingParty builds the relying party from the portal's public URL:
// the RP id is its host, the only allowed origin the URL itself.
func NewRelyingParty(cfg *config.Config) (*webauthn.WebAuthn, error) {
	u, err := url.Parse(cfg.PublicURL)
	if err != nil || u.Scheme == "" || u.Hostname() == "" {
		return nil, fmt.Errorf("passkeys: public URL %q is not an absolute URL", cfg.PublicURL)
	}
	return webauthn.New(&webauthn.Config{
		RPID:          u.Hostname(),
		RPDisplayName: "EZSCALE",
		RPOrigins:     []string{u.Scheme + "://" + u.Host},
	})
}

// User is a customer seen as a WebAuthn user.
type User struct {
	Customer    *core.Record
	Credentials []webauthn.Credential
}

// LoadUser returns the customer with the credentials stored for them.
func LoadUser(app core.App, customer *core.Record) (*User, error) {
	recs, err := app.FindAllRecords(Collection, dbx.HashExp{"customer": customer.Id})
	if err != nil {
		return nil, err
	}
	u := &User{Customer: customer}
	for _, r := range recs {
		var c webauthn.Credential
		if err := json.Unmarshal([]byte(r.GetString("credential")), &c); err != nil {
			return nil, fmt.Errorf("passkeys: credential %s: %w", r.Id, err)
		}
		u.Credentials = append(u.Credentials, c)
	}
	return u, nil
}

// WebAuthnID is the customer's record id.
func (u *User) WebAuthnID() []byte { return []byte(u.Customer.Id) }

// WebAuthnName is the customer's email.
func (u *User) WebAuthnName() string { return u.Customer.GetString("email") }

// WebAuthnDisplayName is the customer's name, or the email without one.
func (u *User) WebAuthnDisplayName() string {
	if n := u.Customer.GetString("name"); n != "" {
		return n
	}
	return u.WebAuthnName()
}

// WebAuthnCredentials are the customer's stored credentials.
func (u *User) WebAuthnCredentials() []webauthn.Credential { return u.Credentials }

// Sessions keeps ceremony sessions in memory (one process serves the API),
// each usable once and only until it expires.
type Sessions struct {
	mu    sync.Mutex
	items map[string]entry
}

type entry struct {
	data    webauthn.SessionData
	owner   string // customer id for registration, "" for login
	expires time.Time
}

// NewSessions returns an empty store.
func NewSessions() *Sessions { return &Sessions{items: map[string]entry{}} }

// Put stores data for owner and returns the random session id.
func (s *Sessions) Put(data webauthn.SessionData, owner string, now time.Time) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	id := base64.RawURLEncoding.EncodeToString(b)
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, e := range s.items { // drop expired ones
		if !now.Before(e.expires) {
			delete(s.items, k)
		}
	}
	s.items[id] = entry{data: data, owner: owner, expires: now.Add(SessionTTL)}
	return id, nil
}

// Take returns and removes the session id of owner; a session is used at
// most once, so a replayed finish finds nothing.
func (s *Sessions) Take(id, owner string, now time.Time) (webauthn.SessionData, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.items[id]
	if !ok {
		return webauthn.SessionData{}, ErrNoSession
	}
	delete(s.items, id)
	if e.owner != owner || !now.Before(e.expires) {
		return webauthn.SessionData{}, ErrNoSession
	}
	return e.data, nil
}
