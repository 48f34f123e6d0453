package hooks_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pquerna/otp/totp"

	"github.com/ezscale/ezscale/internal/testutil"
)

const loginPath = "/api/collections/customers/auth-with-password"

func login(api *testutil.API, email string, otp any) *testutil.Response {
	body := map[string]any{"identity": email, "password": "correct horse battery"}
	if otp != nil {
		body["otp"] = otp
	}
	return api.Do(http.MethodPost, loginPath, "", body)
}

func totpCode(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// noToken fails when a response carries an auth token or the record.
func noToken(t *testing.T, res *testutil.Response) {
	t.Helper()
	if strings.Contains(string(res.Body), "token") || strings.Contains(string(res.Body), `"record"`) {
		t.Fatalf("response %d leaks a token: %s", res.Status, res.Body)
	}
}

func expect(t *testing.T, what string, res *testutil.Response, status int) {
	t.Helper()
	if res.Status != status {
		t.Fatalf("%s: status %d, want %d: %s", what, res.Status, status, res.Body)
	}
}

// enrollTOTP enrols and confirms TOTP for c over the API and returns the
// secret and the recovery codes.
func enrollTOTP(t *testing.T, api *testutil.API, c *core.Record) (string, []string) {
	t.Helper()
	token := testutil.Token(t, c)
	res := api.Do(http.MethodPost, "/api/account/totp/enroll", token, nil)
	expect(t, "enroll", res, http.StatusOK)
	out := res.Object(t)
	secret, _ := out["secret"].(string)
	url, _ := out["otpauth_url"].(string)
	qr, _ := out["qr"].(string)
	if secret == "" || !strings.HasPrefix(url, "otpauth://totp/") || !strings.Contains(url, "secret="+secret) ||
		!strings.HasPrefix(qr, "data:image/png;base64,") {
		t.Fatalf("enroll answered %s", res.Body)
	}
	expect(t, "confirm with a wrong code", api.Do(http.MethodPost, "/api/account/totp/confirm", token,
		map[string]any{"code": "000000"}), http.StatusBadRequest)
	res = api.Do(http.MethodPost, "/api/account/totp/confirm", token, map[string]any{"code": totpCode(t, secret, time.Now())})
	expect(t, "confirm", res, http.StatusOK)
	var codes []string
	for _, v := range res.Object(t)["recovery_codes"].([]any) {
		codes = append(codes, v.(string))
	}
	if len(codes) != 10 {
		t.Fatalf("recovery codes: %v", codes)
	}
	return secret, codes
}

func TestTOTPLogin(t *testing.T) {
	app := testutil.NewApp(t)
	a := testutil.Customer(t, app, "a@example.com", "USD")
	b := testutil.Customer(t, app, "b@example.com", "USD")
	api := testutil.NewAPI(t, app)

	// Without TOTP the login is unchanged.
	res := login(api, "a@example.com", nil)
	expect(t, "login before enrolment", res, http.StatusOK)
	if res.Object(t)["token"] == "" {
		t.Fatal("no token")
	}

	// Enrolled but not confirmed: still no second factor asked.
	expect(t, "enroll", api.Do(http.MethodPost, "/api/account/totp/enroll", testutil.Token(t, a), nil), http.StatusOK)
	expect(t, "login before confirmation", login(api, "a@example.com", nil), http.StatusOK)

	secret, recovery := enrollTOTP(t, api, a)

	// A wrong password is refused as before, saying nothing about TOTP.
	res = api.Do(http.MethodPost, loginPath, "", map[string]any{"identity": "a@example.com", "password": "nope", "otp": "123456"})
	expect(t, "wrong password", res, http.StatusBadRequest)
	noToken(t, res)
	if strings.Contains(string(res.Body), "mfa_required") {
		t.Fatalf("wrong password tells TOTP is on: %s", res.Body)
	}

	for _, otp := range []any{nil, ""} {
		res = login(api, "a@example.com", otp)
		expect(t, "login without otp", res, http.StatusUnauthorized)
		noToken(t, res)
		if obj := res.Object(t); obj["mfa_required"] != "totp" || obj["status"] != float64(401) || obj["message"] == "" {
			t.Fatalf("login without otp: %s", res.Body)
		}
	}

	res = login(api, "a@example.com", "000000")
	expect(t, "login with a wrong otp", res, http.StatusBadRequest)
	noToken(t, res)

	// The confirmation used the current step: the next step's code logs in.
	next := totpCode(t, secret, time.Now().Add(30*time.Second))
	res = login(api, "a@example.com", next)
	expect(t, "login with the right otp", res, http.StatusOK)
	if tok, _ := res.Object(t)["token"].(string); tok == "" {
		t.Fatalf("no token: %s", res.Body)
	}
	res = login(api, "a@example.com", next)
	expect(t, "the same otp again", res, http.StatusBadRequest)
	noToken(t, res)
	if !strings.Contains(strings.ToLower(string(res.Body)), "replayed") {
		t.Fatalf("replay not named: %s", res.Body)
	}

	// A recovery code works once.
	expect(t, "recovery code", login(api, "a@example.com", recovery[0]), http.StatusOK)
	res = login(api, "a@example.com", recovery[0])
	expect(t, "recovery code again", res, http.StatusBadRequest)
	noToken(t, res)

	// B acts on B only: A's valid code does not disable A's TOTP, and B's
	// enrolment leaves A's alone.
	tokenB := testutil.Token(t, b)
	expect(t, "B disables with A's code", api.Do(http.MethodPost, "/api/account/totp/disable", tokenB,
		map[string]any{"code": recovery[1]}), http.StatusBadRequest)
	expect(t, "B confirms with A's code", api.Do(http.MethodPost, "/api/account/totp/confirm", tokenB,
		map[string]any{"code": recovery[1]}), http.StatusBadRequest)
	expect(t, "B enrolls", api.Do(http.MethodPost, "/api/account/totp/enroll", tokenB, nil), http.StatusOK)
	expect(t, "login of A after B's requests", login(api, "a@example.com", nil), http.StatusUnauthorized)
	expect(t, "A's recovery code still works", login(api, "a@example.com", recovery[1]), http.StatusOK)
	expect(t, "guest enroll", api.Do(http.MethodPost, "/api/account/totp/enroll", "", nil), http.StatusUnauthorized)

}

// TestTOTPWrongOTPs: every kind of wrong otp is refused without a token.
// (Each test keeps under the limit of five wrong codes per customer.)
func TestTOTPWrongOTPs(t *testing.T) {
	app := testutil.NewApp(t)
	c := testutil.Customer(t, app, "c@example.com", "USD")
	api := testutil.NewAPI(t, app)
	enrollTOTP(t, api, c)
	for _, otp := range []any{"000000", 123456, "zzzzz-zzzzz"} {
		res := login(api, "c@example.com", otp)
		expect(t, "login with a wrong otp", res, http.StatusBadRequest)
		noToken(t, res)
		if !strings.Contains(strings.ToLower(string(res.Body)), "invalid code") {
			t.Fatalf("wrong otp: %s", res.Body)
		}
	}
}

func TestTOTPDisable(t *testing.T) {
	app := testutil.NewApp(t)
	a := testutil.Customer(t, app, "a@example.com", "USD")
	api := testutil.NewAPI(t, app)
	secret, recovery := enrollTOTP(t, api, a)
	next := totpCode(t, secret, time.Now().Add(30*time.Second))
	expect(t, "login", login(api, "a@example.com", next), http.StatusOK)

	tokenA := testutil.Token(t, a)
	expect(t, "enroll while enabled", api.Do(http.MethodPost, "/api/account/totp/enroll", tokenA, nil), http.StatusBadRequest)
	expect(t, "disable without a code", api.Do(http.MethodPost, "/api/account/totp/disable", tokenA,
		map[string]any{"code": ""}), http.StatusBadRequest)
	expect(t, "disable with a wrong code", api.Do(http.MethodPost, "/api/account/totp/disable", tokenA,
		map[string]any{"code": "000000"}), http.StatusBadRequest)
	expect(t, "disable with a used code", api.Do(http.MethodPost, "/api/account/totp/disable", tokenA,
		map[string]any{"code": next}), http.StatusBadRequest)
	expect(t, "still required", login(api, "a@example.com", nil), http.StatusUnauthorized)
	expect(t, "disable", api.Do(http.MethodPost, "/api/account/totp/disable", tokenA,
		map[string]any{"code": recovery[2]}), http.StatusNoContent)
	expect(t, "login after disabling", login(api, "a@example.com", nil), http.StatusOK)
	expect(t, "disable again", api.Do(http.MethodPost, "/api/account/totp/disable", tokenA,
		map[string]any{"code": recovery[3]}), http.StatusBadRequest)
}

func TestTOTPWrongCodesAreRateLimited(t *testing.T) {
	app := testutil.NewApp(t)
	c := testutil.Customer(t, app, "c@example.com", "USD")
	other := testutil.Customer(t, app, "d@example.com", "USD")
	api := testutil.NewAPI(t, app)
	secret, _ := enrollTOTP(t, api, c) // its one wrong confirmation counts too
	_, _ = enrollTOTP(t, api, other)

	for i := 2; i <= 5; i++ {
		expect(t, "wrong code", login(api, "c@example.com", "000000"), http.StatusBadRequest)
	}
	res := login(api, "c@example.com", "000000")
	expect(t, "sixth wrong code", res, http.StatusTooManyRequests)
	noToken(t, res)
	// Blocked even with the right code, and on the account routes too.
	res = login(api, "c@example.com", totpCode(t, secret, time.Now().Add(30*time.Second)))
	expect(t, "right code while blocked", res, http.StatusTooManyRequests)
	noToken(t, res)
	expect(t, "disable while blocked", api.Do(http.MethodPost, "/api/account/totp/disable", testutil.Token(t, c),
		map[string]any{"code": "000000"}), http.StatusTooManyRequests)
	// Another customer is not affected.
	expect(t, "another customer", login(api, "d@example.com", "000000"), http.StatusBadRequest)
}
