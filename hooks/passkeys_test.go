package hooks_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/go-webauthn/webauthn/protocol"

	"github.com/ezscale/ezscale/internal/passkeys"
	"github.com/ezscale/ezscale/internal/passkeys/passkeystest"
	"github.com/ezscale/ezscale/internal/testutil"
)

func TestPasskeyRoutes(t *testing.T) {
	cfg := testutil.Config()
	cfg.PublicURL = "https://portal.example.com"
	app := testutil.NewAppWith(t, cfg)
	a := testutil.Customer(t, app, "a@example.com", "USD")
	b := testutil.Customer(t, app, "b@example.com", "USD")
	api := testutil.NewAPI(t, app)

	res := api.Do(http.MethodPost, "/api/account/passkeys/register/begin", testutil.Token(t, a), nil)
	if res.Status != http.StatusOK {
		t.Fatalf("register begin: %d %s", res.Status, res.Body)
	}
	obj := res.Object(t)
	if obj["session"] == "" || obj["options"] == nil {
		t.Fatalf("begin: %v", obj)
	}
	if res := api.Do(http.MethodPost, "/api/account/passkeys/register/begin", "", nil); res.Status != http.StatusUnauthorized {
		t.Fatalf("anonymous register: %d", res.Status)
	}
	// B cannot finish A's registration session.
	res = api.Do(http.MethodPost, "/api/account/passkeys/register/finish?session="+obj["session"].(string), testutil.Token(t, b), map[string]any{})
	if res.Status != http.StatusBadRequest {
		t.Fatalf("other's session: %d %s", res.Status, res.Body)
	}

	res = api.Do(http.MethodPost, "/api/auth/passkey/begin", "", nil)
	if res.Status != http.StatusOK || res.Object(t)["session"] == "" {
		t.Fatalf("login begin: %d %s", res.Status, res.Body)
	}
	if res := api.Do(http.MethodPost, "/api/auth/passkey/finish?session=unknown", "", map[string]any{}); res.Status != http.StatusBadRequest {
		t.Fatalf("unknown session: %d %s", res.Status, res.Body)
	}

	pk := testutil.Create(t, app, passkeys.Collection, map[string]any{"customer": a.Id, "credential_id": "cred-a",
		"credential": map[string]any{}, "name": "Laptop"})
	if res := api.Do(http.MethodDelete, "/api/account/passkeys/"+pk.Id, testutil.Token(t, b), nil); res.Status != http.StatusNotFound {
		t.Fatalf("B deletes A's passkey: %d", res.Status)
	}
	if res := api.Do(http.MethodDelete, "/api/account/passkeys/"+pk.Id, testutil.Token(t, a), nil); res.Status != http.StatusNoContent {
		t.Fatalf("A deletes own passkey: %d %s", res.Status, res.Body)
	}
	if _, err := app.FindRecordById(passkeys.Collection, pk.Id); err == nil {
		t.Fatal("passkey not deleted")
	}
}

// TestPasskeyRegisterAndLogin runs both ceremonies over HTTP with a software
// authenticator: the login answers exactly like a password login.
func TestPasskeyRegisterAndLogin(t *testing.T) {
	cfg := testutil.Config()
	cfg.PublicURL = "https://portal.example.com"
	app := testutil.NewAppWith(t, cfg)
	a := testutil.Customer(t, app, "a@example.com", "USD")
	api := testutil.NewAPI(t, app)
	auth := passkeystest.New(t)

	res := api.Do(http.MethodPost, "/api/account/passkeys/register/begin", testutil.Token(t, a), nil)
	var reg struct {
		Session string                      `json:"session"`
		Options protocol.CredentialCreation `json:"options"`
	}
	if res.Status != http.StatusOK || json.Unmarshal(res.Body, &reg) != nil {
		t.Fatalf("register begin: %d %s", res.Status, res.Body)
	}
	res = api.Do(http.MethodPost, "/api/account/passkeys/register/finish?session="+reg.Session, testutil.Token(t, a),
		json.RawMessage(auth.Create(t, &reg.Options, cfg.PublicURL)))
	if res.Status != http.StatusOK || res.Object(t)["id"] == "" {
		t.Fatalf("register finish: %d %s", res.Status, res.Body)
	}

	res = api.Do(http.MethodPost, "/api/auth/passkey/begin", "", nil)
	var login struct {
		Session string                       `json:"session"`
		Options protocol.CredentialAssertion `json:"options"`
	}
	if res.Status != http.StatusOK || json.Unmarshal(res.Body, &login) != nil {
		t.Fatalf("login begin: %d %s", res.Status, res.Body)
	}
	assertion := json.RawMessage(auth.Get(t, &login.Options, "portal.example.com", cfg.PublicURL))
	res = api.Do(http.MethodPost, "/api/auth/passkey/finish?session="+login.Session, "", assertion)
	if res.Status != http.StatusOK {
		t.Fatalf("login finish: %d %s", res.Status, res.Body)
	}
	obj := res.Object(t)
	rec, _ := obj["record"].(map[string]any)
	if tok, _ := obj["token"].(string); tok == "" || rec["id"] != a.Id {
		t.Fatalf("login response: %s", res.Body)
	}
	// The same assertion again: refused.
	if res := api.Do(http.MethodPost, "/api/auth/passkey/finish?session="+login.Session, "", assertion); res.Status != http.StatusBadRequest {
		t.Fatalf("replay: %d %s", res.Status, res.Body)
	}
}
