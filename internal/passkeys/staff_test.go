package passkeys_test

import (
	"context"
	"errors"
	"testing"

	"github.com/ezscale/ezscale/internal/config"
	"github.com/ezscale/ezscale/internal/passkeys"
	"github.com/ezscale/ezscale/internal/passkeys/passkeystest"
	"github.com/ezscale/ezscale/internal/testutil"
)

// TestStaffPasskeysStaySeparate: a staff passkey is a superuser's second
// factor only: it signs in no customer, and a customer's passkey is no
// superuser's.
func TestStaffPasskeysStaySeparate(t *testing.T) {
	app := testutil.NewApp(t)
	su := testutil.Superuser(t, app, "staff@example.com")
	cust := testutil.Customer(t, app, "a@example.com", "USD")
	rp, err := passkeys.NewRelyingParty(&config.Config{PublicURL: origin})
	if err != nil {
		t.Fatal(err)
	}
	svc := &passkeys.Service{RP: rp, Sessions: passkeys.NewSessions()}
	staffKey, customerKey := passkeystest.New(t), passkeystest.New(t)

	sid, opts, err := svc.BeginStaffRegistration(app, su)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := svc.FinishStaffRegistration(context.Background(), app, su, sid, staffKey.Create(t, opts, origin), "")
	if err != nil || rec.Collection().Name != passkeys.StaffCollection || rec.GetString("superuser") != su.Id {
		t.Fatalf("staff registration: %v %v", rec, err)
	}
	sid, opts, _ = svc.BeginRegistration(app, cust)
	if _, err := svc.FinishRegistration(app, cust, sid, customerKey.Create(t, opts, origin), ""); err != nil {
		t.Fatal(err)
	}
	if has, err := passkeys.HasStaffPasskey(app, su); err != nil || !has {
		t.Fatalf("has staff passkey: %v %v", has, err)
	}

	// The staff key at the customers' (discoverable) login.
	lsid, lopts, _ := svc.BeginLogin()
	if who, err := svc.FinishLogin(app, lsid, staffKey.Get(t, lopts, "portal.example.com", origin)); err == nil {
		t.Fatalf("a staff passkey signed in customer %v", who)
	}
	// The customer's key at the staff step: not among the allowed ones.
	lsid, lopts, err = svc.BeginStaffLogin(app, su, "mfa-1")
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.FinishStaffLogin(context.Background(), app, su, "mfa-1", lsid, customerKey.Get(t, lopts, "portal.example.com", origin)); err == nil {
		t.Fatal("a customer passkey passed the staff step")
	}
	// The staff key, for the MFA session it was begun for only.
	lsid, lopts, _ = svc.BeginStaffLogin(app, su, "mfa-1")
	if err := svc.FinishStaffLogin(context.Background(), app, su, "mfa-2", lsid, staffKey.Get(t, lopts, "portal.example.com", origin)); !errors.Is(err, passkeys.ErrNoSession) {
		t.Fatalf("other MFA session: %v", err)
	}
	lsid, lopts, _ = svc.BeginStaffLogin(app, su, "mfa-1")
	if err := svc.FinishStaffLogin(context.Background(), app, su, "mfa-1", lsid, staffKey.Get(t, lopts, "portal.example.com", origin)); err != nil {
		t.Fatalf("staff step: %v", err)
	}

	other := testutil.Superuser(t, app, "other@example.com")
	if _, _, err := svc.BeginStaffLogin(app, other, "mfa-3"); !errors.Is(err, passkeys.ErrNoPasskey) {
		t.Fatalf("no passkey: %v", err)
	}
}
