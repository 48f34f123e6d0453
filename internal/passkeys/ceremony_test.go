package passkeys_test

import (
	"encoding/base64"
	"errors"
	"testing"

	"github.com/ezscale/ezscale/internal/config"
	"github.com/ezscale/ezscale/internal/passkeys"
	"github.com/ezscale/ezscale/internal/passkeys/passkeystest"
	"github.com/ezscale/ezscale/internal/testutil"
)

const origin = "https://portal.example.com"

var b64 = base64.RawURLEncoding.EncodeToString

func TestRegisterAndLogin(t *testing.T) {
	app := testutil.NewApp(t)
	cust := testutil.Customer(t, app, "a@example.com", "USD")
	rp, err := passkeys.NewRelyingParty(&config.Config{PublicURL: origin})
	if err != nil {
		t.Fatal(err)
	}
	svc := &passkeys.Service{RP: rp, Sessions: passkeys.NewSessions()}
	auth := passkeystest.New(t)

	sid, opts, err := svc.BeginRegistration(app, cust)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := svc.FinishRegistration(app, cust, sid, auth.Create(t, opts, origin), "Laptop")
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	if rec.GetString("credential_id") != b64(auth.CredID) || rec.GetString("name") != "Laptop" {
		t.Fatalf("stored %v", rec.FieldsData())
	}

	// Wrong origin on registration.
	sid, opts, _ = svc.BeginRegistration(app, cust)
	if _, err := svc.FinishRegistration(app, cust, sid, passkeystest.New(t).Create(t, opts, "https://evil.example"), ""); err == nil {
		t.Fatal("wrong origin registered")
	} else {
		t.Logf("wrong origin (registration): %v", err)
	}

	// Login.
	sid, lopts, err := svc.BeginLogin()
	if err != nil {
		t.Fatal(err)
	}
	body := auth.Get(t, lopts, "portal.example.com", origin)
	who, err := svc.FinishLogin(app, sid, body)
	if err != nil || who.Id != cust.Id {
		t.Fatalf("login: %v %v", who, err)
	}
	rec, _ = app.FindRecordById(passkeys.Collection, rec.Id)
	if rec.GetDateTime("last_used_at").IsZero() {
		t.Fatal("last_used_at not set")
	}
	// Replay of the same assertion and session.
	if _, err := svc.FinishLogin(app, sid, body); !errors.Is(err, passkeys.ErrNoSession) {
		t.Fatalf("replayed assertion: %v", err)
	}
	// Wrong origin.
	sid, lopts, _ = svc.BeginLogin()
	if _, err := svc.FinishLogin(app, sid, auth.Get(t, lopts, "portal.example.com", "https://evil.example")); err == nil {
		t.Fatal("wrong origin accepted")
	} else {
		t.Logf("wrong origin (login): %v", err)
	}
	// Unknown session.
	if _, err := svc.FinishLogin(app, "nope", body); !errors.Is(err, passkeys.ErrNoSession) {
		t.Fatalf("unknown session: %v", err)
	}
	// Cloned authenticator: sign count going back.
	sid, lopts, _ = svc.BeginLogin()
	auth.Count = 0
	if _, err := svc.FinishLogin(app, sid, auth.Get(t, lopts, "portal.example.com", origin)); !errors.Is(err, passkeys.ErrCloned) {
		t.Fatalf("cloned sign count: %v", err)
	}
}
