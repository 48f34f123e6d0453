// Package passkeys is the WebAuthn (passkey) relying party of the portal:
// its configuration, customers and staff as WebAuthn users and the
// short-lived ceremony sessions. Customers' credentials live in
// customer_passkeys, staff's (a second factor after the password) in
// staff_passkeys.
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

// StaffCollection holds the superusers' credentials.
const StaffCollection = "staff_passkeys"

// store is where one kind of user's credentials live: the collection and
// its relation field naming the owner.
type store struct{ collection, owner string }

var (
	customerStore = store{Collection, "customer"}
	staffStore    = store{StaffCollection, "superuser"}
)

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

// User is a customer or a superuser seen as a WebAuthn user.
type User struct {
	Customer    *core.Record // the customer, or the superuser
	Credentials []webauthn.Credential
}

// LoadUser returns the customer with the credentials stored for them.
func LoadUser(app core.App, customer *core.Record) (*User, error) {
	return customerStore.load(app, customer)
}

// LoadStaff returns the superuser with the credentials stored for them.
func LoadStaff(app core.App, superuser *core.Record) (*User, error) {
	return staffStore.load(app, superuser)
}

func (st store) load(app core.App, owner *core.Record) (*User, error) {
	recs, err := app.FindAllRecords(st.collection, dbx.HashExp{st.owner: owner.Id})
	if err != nil {
		return nil, err
	}
	u := &User{Customer: owner}
	for _, r := range recs {
		var c webauthn.Credential
		if err := json.Unmarshal([]byte(r.GetString("credential")), &c); err != nil {
			return nil, fmt.Errorf("passkeys: credential %s: %w", r.Id, err)
		}
		u.Credentials = append(u.Credentials, c)
	}
	return u, nil
}

// WebAuthnID is the record id of the customer or superuser.
func (u *User) WebAuthnID() []byte { return []byte(u.Customer.Id) }

// WebAuthnName is the email.
func (u *User) WebAuthnName() string { return u.Customer.GetString("email") }

// WebAuthnDisplayName is the name, or the email without one (superusers
// have no name).
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
	owner   string // who may finish it: the registering user's id, "" for a customer login, the MFA id for a staff login
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
