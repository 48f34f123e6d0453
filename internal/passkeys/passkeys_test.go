package passkeys_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/ezscale/ezscale/internal/config"
	"github.com/ezscale/ezscale/internal/passkeys"
	"github.com/ezscale/ezscale/internal/testutil"
)

func TestRelyingPartyFromPublicURL(t *testing.T) {
	rp, err := passkeys.NewRelyingParty(&config.Config{PublicURL: "https://portal.example.com:8443"})
	if err != nil {
		t.Fatal(err)
	}
	if rp.Config.RPID != "portal.example.com" || rp.Config.RPDisplayName != "EZSCALE" ||
		len(rp.Config.RPOrigins) != 1 || rp.Config.RPOrigins[0] != "https://portal.example.com:8443" {
		t.Fatalf("config = %+v", rp.Config)
	}
	if _, err := passkeys.NewRelyingParty(&config.Config{PublicURL: ""}); err == nil {
		t.Fatal("empty public URL accepted")
	}
}

func TestSessionsOnceOwnedAndExpiring(t *testing.T) {
	s := passkeys.NewSessions()
	now := time.Now()
	data := webauthn.SessionData{Challenge: "c1"}
	id, err := s.Put(data, "cust", now)
	if err != nil || len(id) < 40 {
		t.Fatalf("id %q err %v", id, err)
	}
	if _, err := s.Take(id, "other", now); !errors.Is(err, passkeys.ErrNoSession) {
		t.Fatalf("other owner: %v", err)
	}
	id, _ = s.Put(data, "cust", now)
	got, err := s.Take(id, "cust", now.Add(time.Minute))
	if err != nil || got.Challenge != "c1" {
		t.Fatalf("take: %+v %v", got, err)
	}
	if _, err := s.Take(id, "cust", now); !errors.Is(err, passkeys.ErrNoSession) {
		t.Fatalf("replayed: %v", err)
	}
	id, _ = s.Put(data, "", now)
	if _, err := s.Take(id, "", now.Add(passkeys.SessionTTL)); !errors.Is(err, passkeys.ErrNoSession) {
		t.Fatalf("expired: %v", err)
	}
	if _, err := s.Take("unknown", "", now); !errors.Is(err, passkeys.ErrNoSession) {
		t.Fatalf("unknown: %v", err)
	}
}

func TestLoadUser(t *testing.T) {
	app := testutil.NewApp(t)
	a := testutil.Customer(t, app, "a@example.com", "USD")
	b := testutil.Customer(t, app, "b@example.com", "USD")
	cred := webauthn.Credential{ID: []byte("cred-a"), PublicKey: []byte{1, 2, 3}}
	raw, _ := json.Marshal(cred)
	testutil.Create(t, app, passkeys.Collection, map[string]any{"customer": a.Id, "credential_id": "Y3JlZC1h",
		"credential": json.RawMessage(raw), "name": "Laptop"})
	u, err := passkeys.LoadUser(app, a)
	if err != nil {
		t.Fatal(err)
	}
	if string(u.WebAuthnID()) != a.Id || u.WebAuthnName() != "a@example.com" ||
		len(u.WebAuthnCredentials()) != 1 || string(u.WebAuthnCredentials()[0].ID) != "cred-a" {
		t.Fatalf("user = %+v", u)
	}
	ub, err := passkeys.LoadUser(app, b)
	if err != nil || len(ub.WebAuthnCredentials()) != 0 {
		t.Fatalf("b: %+v %v", ub, err)
	}
}
