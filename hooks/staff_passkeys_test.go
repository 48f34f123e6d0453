package hooks_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"github.com/ezscale/ezscale/internal/passkeys"
	"github.com/ezscale/ezscale/internal/passkeys/passkeystest"
	"github.com/ezscale/ezscale/internal/settings"
	"github.com/ezscale/ezscale/internal/testutil"
)

const (
	staffPasskeyOrigin = "https://portal.example.com"
	superusersAPI      = "/api/collections/_superusers/"
)

func staffPasskeyApp(t *testing.T) (*tests.TestApp, *testutil.API) {
	t.Helper()
	cfg := testutil.Config()
	cfg.PublicURL = staffPasskeyOrigin
	app := testutil.NewAppWith(t, cfg)
	return app, testutil.NewAPI(t, app)
}

// registerStaffPasskey runs the registration ceremony over HTTP for su.
func registerStaffPasskey(t *testing.T, api *testutil.API, su *core.Record, auth *passkeystest.Authenticator, name string) string {
	t.Helper()
	res := api.Do(http.MethodPost, "/api/staff/passkeys/register/begin", testutil.Token(t, su), nil)
	var reg struct {
		Session string                      `json:"session"`
		Options protocol.CredentialCreation `json:"options"`
	}
	if res.Status != http.StatusOK || json.Unmarshal(res.Body, &reg) != nil {
		t.Fatalf("register begin: %d %s", res.Status, res.Body)
	}
	res = api.Do(http.MethodPost, "/api/staff/passkeys/register/finish?session="+reg.Session+"&name="+name, testutil.Token(t, su),
		json.RawMessage(auth.Create(t, &reg.Options, staffPasskeyOrigin)))
	id, _ := res.Object(t)["id"].(string)
	if res.Status != http.StatusOK || id == "" {
		t.Fatalf("register finish: %d %s", res.Status, res.Body)
	}
	return id
}

// staffPassword signs in with su's password and returns the mfaId.
func staffPassword(t *testing.T, api *testutil.API, su *core.Record) string {
	t.Helper()
	res := api.Do(http.MethodPost, superusersAPI+"auth-with-password", "",
		map[string]any{"identity": su.Email(), "password": "correct horse battery"})
	mfa, _ := res.Object(t)["mfaId"].(string)
	if res.Status != http.StatusUnauthorized || mfa == "" {
		t.Fatalf("password: %d %s", res.Status, res.Body)
	}
	return mfa
}

// beginStaffPasskey starts the passkey step for mfaId.
func beginStaffPasskey(t *testing.T, api *testutil.API, mfaID string) (string, *protocol.CredentialAssertion) {
	t.Helper()
	res := api.Do(http.MethodPost, superusersAPI+"auth-with-passkey/begin", "", map[string]any{"mfaId": mfaID})
	var login struct {
		Session string                       `json:"session"`
		Options protocol.CredentialAssertion `json:"options"`
	}
	if res.Status != http.StatusOK || json.Unmarshal(res.Body, &login) != nil {
		t.Fatalf("passkey begin: %d %s", res.Status, res.Body)
	}
	return login.Session, &login.Options
}

func finishStaffPasskey(api *testutil.API, mfaID, session string, body []byte) *testutil.Response {
	return api.Do(http.MethodPost, superusersAPI+"auth-with-passkey/finish?mfaId="+mfaID+"&session="+session, "", json.RawMessage(body))
}

// staffOTP makes a one-time code for su as request-otp would, without
// waiting for the email.
func staffOTP(t *testing.T, app core.App, su *core.Record, code string) string {
	t.Helper()
	otp := core.NewOTP(app)
	otp.SetCollectionRef(su.Collection().Id)
	otp.SetRecordRef(su.Id)
	otp.SetPassword(code)
	if err := app.Save(otp); err != nil {
		t.Fatal(err)
	}
	return otp.Id
}

func requireStaffPasskeys(t *testing.T, app core.App, on bool) {
	t.Helper()
	rec, err := settings.Record(app)
	if err != nil {
		t.Fatal(err)
	}
	rec.Set("require_staff_passkey", on)
	if err := app.Save(rec); err != nil {
		t.Fatal(err)
	}
}

// TestStaffPasskeySignIn: a staff member registers a passkey, then signs
// in with the password and the passkey; everything else is refused and
// leaves the MFA session as it was.
func TestStaffPasskeySignIn(t *testing.T) {
	app, api := staffPasskeyApp(t)
	su := testutil.Superuser(t, app, "staff@example.com")
	other := testutil.Superuser(t, app, "other@example.com")
	auth := passkeystest.New(t)

	if res := api.Do(http.MethodPost, "/api/staff/passkeys/register/begin", "", nil); res.Status != http.StatusUnauthorized {
		t.Fatalf("anonymous registration: %d", res.Status)
	}
	customer := testutil.Customer(t, app, "c@example.com", "USD")
	if res := api.Do(http.MethodPost, "/api/staff/passkeys/register/begin", testutil.Token(t, customer), nil); res.Status != http.StatusForbidden {
		t.Fatalf("customer registration: %d", res.Status)
	}
	id := registerStaffPasskey(t, api, su, auth, "YubiKey")
	rec, err := app.FindRecordById(passkeys.StaffCollection, id)
	if err != nil || rec.GetString("superuser") != su.Id || rec.GetString("name") != "YubiKey" {
		t.Fatalf("stored: %v %v", rec, err)
	}
	assertCount(t, app, "audit_logs", "action = 'staff_passkey_added' && record_id = {:su} && actor_id = {:su}", dbx.Params{"su": su.Id}, 1)

	// Begin: only after the password, for an account with a passkey.
	if res := api.Do(http.MethodPost, superusersAPI+"auth-with-passkey/begin", "", map[string]any{"mfaId": "nope"}); res.Status != http.StatusBadRequest {
		t.Fatalf("unknown mfa: %d %s", res.Status, res.Body)
	}
	if res := api.Do(http.MethodPost, superusersAPI+"auth-with-passkey/begin", "", map[string]any{"mfaId": staffPassword(t, api, other)}); res.Status != http.StatusNotFound {
		t.Fatalf("account without passkey: %d %s", res.Status, res.Body)
	}
	codeFirst := core.NewMFA(app) // a code, not the password, opened it
	codeFirst.SetCollectionRef(su.Collection().Id)
	codeFirst.SetRecordRef(su.Id)
	codeFirst.SetMethod(core.MFAMethodOTP)
	if err := app.Save(codeFirst); err != nil {
		t.Fatal(err)
	}
	if res := api.Do(http.MethodPost, superusersAPI+"auth-with-passkey/begin", "", map[string]any{"mfaId": codeFirst.Id}); res.Status != http.StatusBadRequest {
		t.Fatalf("code then passkey: %d %s", res.Status, res.Body)
	}

	mfa := staffPassword(t, api, su)
	session, opts := beginStaffPasskey(t, api, mfa)
	if len(opts.Response.AllowedCredentials) != 1 || string(opts.Response.AllowedCredentials[0].CredentialID) != string(auth.CredID) {
		t.Fatalf("allowed credentials: %+v", opts.Response.AllowedCredentials)
	}

	// Refusals: another authenticator, another MFA session. Each is
	// audited and leaves the MFA session usable.
	stranger := passkeystest.New(t)
	stranger.CredID = auth.CredID
	if res := finishStaffPasskey(api, mfa, session, stranger.Get(t, opts, "portal.example.com", staffPasskeyOrigin)); res.Status != http.StatusBadRequest {
		t.Fatalf("wrong key: %d %s", res.Status, res.Body)
	}
	assertCount(t, app, "audit_logs", "action = 'login_failed' && record_id = {:su}", dbx.Params{"su": su.Id}, 1)
	session, opts = beginStaffPasskey(t, api, mfa)
	if res := finishStaffPasskey(api, staffPassword(t, api, su), session, auth.Get(t, opts, "portal.example.com", staffPasskeyOrigin)); res.Status != http.StatusBadRequest {
		t.Fatalf("session of another mfa: %d %s", res.Status, res.Body)
	}
	if _, err := app.FindMFAById(mfa); err != nil {
		t.Fatalf("a refusal used up the MFA session: %v", err)
	}
	assertCount(t, app, "audit_logs", "action = 'login' && record_id = {:su}", dbx.Params{"su": su.Id}, 0)

	session, opts = beginStaffPasskey(t, api, mfa)
	res := finishStaffPasskey(api, mfa, session, auth.Get(t, opts, "portal.example.com", staffPasskeyOrigin))
	if res.Status != http.StatusOK {
		t.Fatalf("passkey sign-in: %d %s", res.Status, res.Body)
	}
	obj := res.Object(t)
	if r, _ := obj["record"].(map[string]any); obj["token"] == "" || r["id"] != su.Id {
		t.Fatalf("sign-in response: %s", res.Body)
	}
	assertCount(t, app, "audit_logs", "action = 'login' && record_id = {:su} && message ~ '(passkey)'", dbx.Params{"su": su.Id}, 1)
	if rec, _ = app.FindRecordById(passkeys.StaffCollection, id); rec.GetDateTime("last_used_at").IsZero() {
		t.Fatal("last_used_at not set")
	}
	if _, err := app.FindMFAById(mfa); err == nil {
		t.Fatal("the MFA session is still open after the sign-in")
	}
	// The MFA session is spent: the same step again is refused.
	if res := api.Do(http.MethodPost, superusersAPI+"auth-with-passkey/begin", "", map[string]any{"mfaId": mfa}); res.Status != http.StatusBadRequest {
		t.Fatalf("spent mfa: %d %s", res.Status, res.Body)
	}

	// The list shows names and dates, never the credential.
	res = api.Do(http.MethodGet, "/api/staff/passkeys", testutil.Token(t, su), nil)
	if res.Status != http.StatusOK || strings.Contains(string(res.Body), "publicKey") || !strings.Contains(string(res.Body), "YubiKey") {
		t.Fatalf("list: %d %s", res.Status, res.Body)
	}
	// Passkeys come from a ceremony, never typed into the records API.
	if res := api.Do(http.MethodPost, "/api/collections/staff_passkeys/records", testutil.Token(t, su),
		map[string]any{"superuser": su.Id, "credential_id": "typed", "credential": map[string]any{}}); res.Status != http.StatusForbidden {
		t.Fatalf("records API create: %d %s", res.Status, res.Body)
	}
	assertCount(t, app, passkeys.StaffCollection, "", nil, 1)
}

// TestStaffPasskeyDelete: one's own passkey, or (as an admin action) a
// colleague's; both audited; nothing else.
func TestStaffPasskeyDelete(t *testing.T) {
	app, api := staffPasskeyApp(t)
	a := testutil.Superuser(t, app, "a@example.com")
	b := testutil.Superuser(t, app, "b@example.com")
	customer := testutil.Customer(t, app, "c@example.com", "USD")
	own := registerStaffPasskey(t, api, a, passkeystest.New(t), "Laptop")
	lost := registerStaffPasskey(t, api, a, passkeystest.New(t), "Phone")

	for _, c := range []struct {
		name, id, token string
		want            int
	}{
		{"anonymous", own, "", http.StatusUnauthorized},
		{"customer", own, testutil.Token(t, customer), http.StatusForbidden},
		{"unknown", "nope", testutil.Token(t, a), http.StatusNotFound},
	} {
		if res := api.Do(http.MethodDelete, "/api/staff/passkeys/"+c.id, c.token, nil); res.Status != c.want {
			t.Errorf("%s: %d, want %d: %s", c.name, res.Status, c.want, res.Body)
		}
	}
	assertCount(t, app, passkeys.StaffCollection, "", nil, 2)

	if res := api.Do(http.MethodDelete, "/api/staff/passkeys/"+own, testutil.Token(t, a), nil); res.Status != http.StatusNoContent {
		t.Fatalf("own: %d %s", res.Status, res.Body)
	}
	if res := api.Do(http.MethodDelete, "/api/staff/passkeys/"+lost, testutil.Token(t, b), nil); res.Status != http.StatusNoContent {
		t.Fatalf("colleague's: %d %s", res.Status, res.Body)
	}
	assertCount(t, app, passkeys.StaffCollection, "", nil, 0)
	assertCount(t, app, "audit_logs", "action = 'staff_passkey_removed' && record_id = {:a} && actor_id = {:a} && message ~ 'their passkey'",
		dbx.Params{"a": a.Id}, 1)
	assertCount(t, app, "audit_logs", "action = 'staff_passkey_removed' && record_id = {:a} && actor_id = {:b} && message ~ 'admin action'",
		dbx.Params{"a": a.Id, "b": b.Id}, 1)
}

// TestRequireStaffPasskey: with the setting on, an account with a passkey
// cannot finish with the emailed code (in either order), and an account
// without one may register one and nothing else. Refusals change nothing.
func TestRequireStaffPasskey(t *testing.T) {
	app, api := staffPasskeyApp(t)
	keyed := testutil.Superuser(t, app, "keyed@example.com")
	bare := testutil.Superuser(t, app, "bare@example.com")
	registerStaffPasskey(t, api, keyed, passkeystest.New(t), "Laptop")

	codeSignIn := func(su *core.Record) *testutil.Response {
		mfa := staffPassword(t, api, su)
		return api.Do(http.MethodPost, superusersAPI+"auth-with-otp", "",
			map[string]any{"otpId": staffOTP(t, app, su, "12345678"), "password": "12345678", "mfaId": mfa})
	}
	// Off: the code is the second factor for everyone.
	if res := codeSignIn(keyed); res.Status != http.StatusOK {
		t.Fatalf("setting off, code: %d %s", res.Status, res.Body)
	}
	if res := api.Do(http.MethodGet, "/api/collections/customers/records", testutil.Token(t, bare), nil); res.Status != http.StatusOK {
		t.Fatalf("setting off, no passkey: %d %s", res.Status, res.Body)
	}

	requireStaffPasskeys(t, app, true)
	mfa := staffPassword(t, api, keyed)
	otpID := staffOTP(t, app, keyed, "12345678")
	res := api.Do(http.MethodPost, superusersAPI+"auth-with-otp", "", map[string]any{"otpId": otpID, "password": "12345678", "mfaId": mfa})
	if res.Status != http.StatusForbidden || !strings.Contains(string(res.Body), "passkey") {
		t.Fatalf("code after password: %d %s", res.Status, res.Body)
	}
	if _, err := app.FindOTPById(otpID); err != nil {
		t.Errorf("the refused code was used up: %v", err)
	}
	if _, err := app.FindMFAById(mfa); err != nil {
		t.Errorf("the refused code closed the MFA session: %v", err)
	}
	// The code first (PocketBase takes the factors in any order).
	res = api.Do(http.MethodPost, superusersAPI+"auth-with-otp", "", map[string]any{"otpId": staffOTP(t, app, keyed, "22345678"), "password": "22345678"})
	if res.Status != http.StatusForbidden {
		t.Fatalf("code first: %d %s", res.Status, res.Body)
	}
	// A session a code opened before the setting was turned on.
	codeFirst := core.NewMFA(app)
	codeFirst.SetCollectionRef(keyed.Collection().Id)
	codeFirst.SetRecordRef(keyed.Id)
	codeFirst.SetMethod(core.MFAMethodOTP)
	if err := app.Save(codeFirst); err != nil {
		t.Fatal(err)
	}
	res = api.Do(http.MethodPost, superusersAPI+"auth-with-password", "",
		map[string]any{"identity": keyed.Email(), "password": "correct horse battery", "mfaId": codeFirst.Id})
	if res.Status != http.StatusForbidden {
		t.Fatalf("password after an earlier code: %d %s", res.Status, res.Body)
	}
	assertCount(t, app, "audit_logs", "action = 'login' && record_id = {:su}", dbx.Params{"su": keyed.Id}, 1) // the one before

	// Without a passkey: the code signs in, then only registering works.
	res = codeSignIn(bare)
	if res.Status != http.StatusOK {
		t.Fatalf("code, no passkey yet: %d %s", res.Status, res.Body)
	}
	token, _ := res.Object(t)["token"].(string)
	s, _ := settings.Record(app)
	for _, c := range []struct {
		method, path string
		body         any
	}{
		{http.MethodGet, "/api/collections/customers/records", nil},
		{http.MethodPatch, "/api/collections/settings/records/" + s.Id, map[string]any{"require_staff_passkey": false}},
		{http.MethodPost, "/api/collections/_superusers/records", map[string]any{"email": "new@example.com",
			"password": "correct horse battery", "passwordConfirm": "correct horse battery"}},
		{http.MethodDelete, "/api/staff/passkeys/" + s.Id, nil},
		{http.MethodGet, "/api/collections", nil},
	} {
		res := api.Do(c.method, c.path, token, c.body)
		if res.Status != http.StatusForbidden || !strings.Contains(string(res.Body), "Register a passkey") {
			t.Errorf("%s %s: %d %s", c.method, c.path, res.Status, res.Body)
		}
	}
	if s, _ := settings.Load(app); !s.RequireStaffPasskey {
		t.Error("a refused request turned the setting off")
	}
	assertCount(t, app, core.CollectionNameSuperusers, "email = 'new@example.com'", nil, 0)

	if res := api.Do(http.MethodPost, superusersAPI+"auth-refresh", token, nil); res.Status != http.StatusOK {
		t.Fatalf("refresh: %d %s", res.Status, res.Body)
	}
	res = api.Do(http.MethodGet, "/api/staff/passkeys", token, nil)
	if res.Status != http.StatusOK || res.Object(t)["required"] != true || len(res.Object(t)["others"].([]any)) != 0 {
		t.Fatalf("list while blocked: %d %s", res.Status, res.Body)
	}
	registerStaffPasskey(t, api, bare, passkeystest.New(t), "Phone")
	if res := api.Do(http.MethodGet, "/api/collections/customers/records", token, nil); res.Status != http.StatusOK {
		t.Fatalf("after registering: %d %s", res.Status, res.Body)
	}
	if res := api.Do(http.MethodGet, "/api/staff/passkeys", token, nil); len(res.Object(t)["others"].([]any)) != 1 {
		t.Fatalf("list after registering: %s", res.Body)
	}
}

// TestCloudflareAccessGuardsStaffPasskeys: the passkey routes are staff
// routes: without a Cloudflare Access token they are refused before
// anything is looked up.
func TestCloudflareAccessGuardsStaffPasskeys(t *testing.T) {
	app, api, iss := cfAccessApp(t)
	staff := testutil.Token(t, testutil.Superuser(t, app, "staff@example.com"))
	valid := iss.Token("k1", iss.Claims(time.Now()))
	for _, c := range []struct {
		name, path, token, access string
		want                      int
	}{
		{"passkey step without", superusersAPI + "auth-with-passkey/begin", "", "", http.StatusForbidden},
		{"passkey finish without", superusersAPI + "auth-with-passkey/finish", "", "", http.StatusForbidden},
		{"registration without", "/api/staff/passkeys/register/begin", staff, "", http.StatusForbidden},
		// With a token they reach the routes (this app has no public URL,
		// so no relying party: 503 rather than a Cloudflare 403).
		{"passkey step with", superusersAPI + "auth-with-passkey/begin", "", valid, http.StatusServiceUnavailable},
		{"registration with", "/api/staff/passkeys/register/begin", staff, valid, http.StatusServiceUnavailable},
	} {
		res := api.Send(staffRequest(http.MethodPost, c.path, "203.0.113.9", c.token, c.access, map[string]any{"mfaId": "nope"}))
		if res.Status != c.want {
			t.Errorf("%s: %d, want %d: %.200s", c.name, res.Status, c.want, res.Body)
		}
	}
}
