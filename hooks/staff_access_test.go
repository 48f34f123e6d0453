package hooks_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/cfaccess"
	"github.com/ezscale/ezscale/internal/cfaccess/cfaccesstest"
	"github.com/ezscale/ezscale/internal/config"
	"github.com/ezscale/ezscale/internal/testutil"
)

// staffRequest is a request from ip with optional Authorization and
// Cloudflare Access headers.
func staffRequest(method, path, ip, token, access string, body any) *http.Request {
	var raw []byte
	if body != nil {
		raw, _ = json.Marshal(body)
	}
	req := httptest.NewRequest(method, path, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	req.RemoteAddr = ip + ":40000"
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	if access != "" {
		req.Header.Set(cfaccess.Header, access)
	}
	return req
}

func TestStaffSignInNeedsPasswordAndEmailCode(t *testing.T) {
	app := testutil.NewApp(t)
	api := testutil.NewAPI(t, app)
	su := testutil.Superuser(t, app, "staff@example.com")
	su.SetPassword("staff-password-1234")
	if err := app.Save(su); err != nil {
		t.Fatal(err)
	}
	base := "/api/collections/_superusers/"

	// A wrong password: refused, audited, Discord told once per address.
	for range 2 {
		res := api.Send(staffRequest(http.MethodPost, base+"auth-with-password", "198.51.100.7", "", "",
			map[string]any{"identity": "staff@example.com", "password": "guess"}))
		if res.Status != http.StatusBadRequest {
			t.Fatalf("wrong password: %d %s", res.Status, res.Body)
		}
	}
	assertCount(t, app, "audit_logs", "action = 'login_failed' && collection = '_superusers' && record_id = {:id}", dbx.Params{"id": su.Id}, 2)
	assertCount(t, app, "outbox", "template = 'superuser_login_failed' && channel = 'discord'", nil, 1)

	// The right password alone gives no token: a second factor is required.
	res := api.Send(staffRequest(http.MethodPost, base+"auth-with-password", "198.51.100.7", "", "",
		map[string]any{"identity": "staff@example.com", "password": "staff-password-1234"}))
	mfa, _ := res.Object(t)["mfaId"].(string)
	if res.Status != http.StatusUnauthorized || mfa == "" || strings.Contains(string(res.Body), "token") {
		t.Fatalf("password only: %d %s", res.Status, res.Body)
	}
	// The one-time code goes out through the outbox, not PocketBase's mailer.
	res = api.Send(staffRequest(http.MethodPost, base+"request-otp", "198.51.100.7", "", "", map[string]any{"email": "staff@example.com"}))
	otpID, _ := res.Object(t)["otpId"].(string)
	if res.Status != http.StatusOK || otpID == "" {
		t.Fatalf("request otp: %d %s", res.Status, res.Body)
	}
	code := waitForOTP(t, app)
	if app.TestMailer.TotalSend() != 0 {
		t.Error("PocketBase's mailer sent the code besides the outbox")
	}
	res = api.Send(staffRequest(http.MethodPost, base+"auth-with-otp", "198.51.100.7", "", "",
		map[string]any{"otpId": otpID, "password": "00000000", "mfaId": mfa}))
	if res.Status != http.StatusBadRequest {
		t.Fatalf("wrong code: %d %s", res.Status, res.Body)
	}
	res = api.Send(staffRequest(http.MethodPost, base+"auth-with-otp", "198.51.100.7", "", "",
		map[string]any{"otpId": otpID, "password": code, "mfaId": mfa}))
	if res.Status != http.StatusOK || res.Object(t)["token"] == "" {
		t.Fatalf("password and code: %d %s", res.Status, res.Body)
	}
	assertCount(t, app, "audit_logs", "action = 'login' && record_id = {:id} && actor_kind = 'superuser'", dbx.Params{"id": su.Id}, 1)
	assertCount(t, app, "audit_logs", "action = 'login_failed' && record_id = {:id}", dbx.Params{"id": su.Id}, 3)
	// The first sign-in from this address is news for the staff channel.
	assertCount(t, app, "outbox", "template = 'superuser_new_ip'", nil, 1)
	entry, _ := app.FindFirstRecordByFilter("audit_logs", "action = 'login'")
	if entry.GetString("ip") != "198.51.100.7" {
		t.Errorf("audited IP %q", entry.GetString("ip"))
	}
}

// waitForOTP reads the code from the staff OTP message in the outbox
// (PocketBase sends it in the background).
func waitForOTP(t *testing.T, app core.App) string {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		msg, err := app.FindFirstRecordByFilter("outbox", "template = 'staff_otp'")
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(msg.GetString("body_text")) {
			if len(f) == 8 && strings.Trim(f, "0123456789") == "" {
				return f
			}
		}
		t.Fatalf("no code in %q", msg.GetString("body_text"))
	}
	t.Fatal("no staff_otp message in the outbox")
	return ""
}

func assertCount(t *testing.T, app core.App, collection, filter string, params dbx.Params, want int) {
	t.Helper()
	recs, err := app.FindRecordsByFilter(collection, filter, "", 0, 0, params)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != want {
		t.Errorf("%s where %s: %d, want %d", collection, filter, len(recs), want)
	}
}

func TestImpersonationIsAudited(t *testing.T) {
	app := testutil.NewApp(t)
	api := testutil.NewAPI(t, app)
	su := testutil.Superuser(t, app, "staff@example.com")
	alice := testutil.Customer(t, app, "alice@example.com", "USD")
	bob := testutil.Customer(t, app, "bob@example.com", "USD")

	path := "/api/collections/customers/impersonate/" + alice.Id
	if res := api.Do(http.MethodPost, path, testutil.Token(t, bob), map[string]any{"duration": 600}); res.Status != http.StatusForbidden {
		t.Errorf("a customer impersonating: %d", res.Status)
	}
	res := api.Do(http.MethodPost, path, testutil.Token(t, su), map[string]any{"duration": 600})
	if res.Status != http.StatusOK {
		t.Fatalf("impersonate: %d %s", res.Status, res.Body)
	}
	entry, err := app.FindFirstRecordByFilter("audit_logs", "action = 'impersonate' && record_id = {:c}", dbx.Params{"c": alice.Id})
	if err != nil {
		t.Fatal("impersonation not audited")
	}
	if entry.GetString("actor_kind") != "superuser" || entry.GetString("actor_id") != su.Id || entry.GetString("customer") != alice.Id ||
		!strings.Contains(entry.GetString("message"), "10m0s") {
		t.Errorf("audit entry: %v", entry.FieldsData())
	}
	// A customer's own login is not an impersonation.
	res = api.Do(http.MethodPost, "/api/collections/customers/auth-with-password", "", map[string]any{"identity": "bob@example.com", "password": "correct horse battery"})
	if res.Status != http.StatusOK {
		t.Fatalf("customer login: %d %s", res.Status, res.Body)
	}
	assertCount(t, app, "audit_logs", "action = 'impersonate'", nil, 1)
}

const cfTeam, cfAudience = "ezscale.cloudflareaccess.com", "aud-tag-of-the-staff-app"

// cfAccessApp is the app with Cloudflare Access required on the staff
// side, and the issuer of its tokens.
func cfAccessApp(t *testing.T) (core.App, *testutil.API, *cfaccesstest.Issuer) {
	t.Helper()
	iss := cfaccesstest.New(t, cfTeam, cfAudience)
	cfg, err := config.FromEnv(func(k string) string {
		return map[string]string{"EZ_ENCRYPTION_KEY": "0123456789abcdef0123456789abcdef", "EZ_RATE_LIMITS": "false",
			"CF_ACCESS_TEAM_DOMAIN": cfTeam, "CF_ACCESS_AUD": cfAudience, "CF_ACCESS_CERTS_URL": iss.CertsURL}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	app := testutil.NewAppWith(t, cfg)
	return app, testutil.NewAPI(t, app), iss
}

func TestCloudflareAccessGuardsTheStaffSide(t *testing.T) {
	const team, aud = cfTeam, cfAudience
	app, api, iss := cfAccessApp(t)
	staff := testutil.Token(t, testutil.Superuser(t, app, "staff@example.com"))
	customer := testutil.Token(t, testutil.Customer(t, app, "alice@example.com", "USD"))

	now := time.Now()
	valid := iss.Token("k1", iss.Claims(now))
	expired := iss.Token("k1", jwt.MapClaims{"iss": "https://" + team, "aud": aud, "exp": now.Add(-time.Hour).Unix()})
	wrongAud := iss.Token("k1", jwt.MapClaims{"iss": "https://" + team, "aud": "other-app", "exp": now.Add(time.Hour).Unix()})
	tests := []struct {
		name, method, path, token, access string
		want                              int
	}{
		{"staff API call with a valid token", http.MethodGet, "/api/collections/customers/records", staff, valid, http.StatusOK},
		{"staff API call without", http.MethodGet, "/api/collections/customers/records", staff, "", http.StatusForbidden},
		{"staff API call, expired", http.MethodGet, "/api/collections/customers/records", staff, expired, http.StatusForbidden},
		{"staff API call, wrong audience", http.MethodGet, "/api/collections/customers/records", staff, wrongAud, http.StatusForbidden},
		{"staff sign-in without", http.MethodPost, "/api/collections/_superusers/auth-with-password", "", "", http.StatusForbidden},
		{"dashboard without", http.MethodGet, "/_/", "", "", http.StatusForbidden},
		{"staff console without", http.MethodGet, "/staff/", "", "", http.StatusForbidden},
		{"customer API call needs none", http.MethodGet, "/api/collections/customers/records", customer, "", http.StatusOK},
		{"public catalog needs none", http.MethodGet, "/api/collections/plans/records", "", "", http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := api.Send(staffRequest(tc.method, tc.path, "203.0.113.9", tc.token, tc.access, nil))
			if res.Status != tc.want {
				t.Errorf("status %d, want %d: %.200s", res.Status, tc.want, res.Body)
			}
		})
	}
}
