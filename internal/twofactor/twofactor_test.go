package twofactor_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/ezscale/ezscale/internal/secrets"
	"github.com/ezscale/ezscale/internal/testutil"
	"github.com/ezscale/ezscale/internal/twofactor"
)

// t0 is the fixed clock: the start of a 30 s step.
var t0 = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

func box(t *testing.T) *secrets.Box {
	t.Helper()
	b, err := secrets.New([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func code(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// enrolled returns a customer with a confirmed factor (confirmed at t0),
// its secret and its recovery codes.
func enrolled(t *testing.T, app core.App, b *secrets.Box) (*core.Record, string, []string) {
	t.Helper()
	c := testutil.Customer(t, app, "totp@example.com", "USD")
	_, secret, err := twofactor.Enroll(app, b, c)
	if err != nil {
		t.Fatal(err)
	}
	codes, err := twofactor.ConfirmAt(app, b, c, code(t, secret, t0), t0)
	if err != nil {
		t.Fatal(err)
	}
	return c, secret, codes
}

func TestEnroll(t *testing.T) {
	app := testutil.NewApp(t)
	b := box(t)
	c := testutil.Customer(t, app, "enroll@example.com", "USD")

	if _, _, err := twofactor.Enroll(app, nil, c); !errors.Is(err, twofactor.ErrNoKey) {
		t.Fatalf("enroll without a key: %v", err)
	}
	link, secret, err := twofactor.Enroll(app, b, c)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(link)
	if err != nil || u.Scheme != "otpauth" || u.Host != "totp" || u.Query().Get("secret") != secret ||
		u.Query().Get("issuer") != twofactor.Issuer || !strings.Contains(u.Path, "enroll@example.com") {
		t.Fatalf("otpauth url %q (%v) for secret %q", link, err, secret)
	}
	rec, err := app.FindFirstRecordByData(twofactor.Collection, "customer", c.Id)
	if err != nil {
		t.Fatal(err)
	}
	if rec.GetBool("enabled") || strings.Contains(rec.GetString("secret"), secret) {
		t.Fatalf("stored %v: want not enabled and the secret sealed", rec.FieldsData())
	}
	if on, _ := twofactor.Enabled(app, c); on {
		t.Fatal("enabled before confirmation")
	}
	if err := twofactor.Verify(app, b, c, code(t, secret, t0), t0); !errors.Is(err, twofactor.ErrNotConfirmed) {
		t.Fatalf("verify before confirmation: %v", err)
	}

	// Enrolling again replaces the unconfirmed secret: the old one's codes no longer confirm.
	_, secret2, err := twofactor.Enroll(app, b, c)
	if err != nil || secret2 == secret {
		t.Fatalf("re-enroll: %q, %v", secret2, err)
	}
	if _, err := twofactor.ConfirmAt(app, b, c, code(t, secret, t0), t0); !errors.Is(err, twofactor.ErrWrongCode) {
		t.Fatalf("confirm with the replaced secret: %v", err)
	}
	codes, err := twofactor.ConfirmAt(app, b, c, code(t, secret2, t0), t0)
	if err != nil || len(codes) != 10 {
		t.Fatalf("confirm: %v, %v", codes, err)
	}
	if on, _ := twofactor.Enabled(app, c); !on {
		t.Fatal("not enabled after confirmation")
	}
	rec, _ = app.FindFirstRecordByData(twofactor.Collection, "customer", c.Id)
	for _, rc := range codes {
		if strings.Contains(rec.GetString("recovery_codes"), strings.ReplaceAll(rc, "-", "")) {
			t.Fatalf("recovery code %s stored in clear", rc)
		}
	}
	if _, _, err := twofactor.Enroll(app, b, c); !errors.Is(err, twofactor.ErrAlreadyEnabled) {
		t.Fatalf("enroll over an enabled factor: %v", err)
	}
	if _, err := twofactor.ConfirmAt(app, b, c, code(t, secret2, t0.Add(time.Minute)), t0.Add(time.Minute)); !errors.Is(err, twofactor.ErrAlreadyEnabled) {
		t.Fatalf("confirm twice: %v", err)
	}
	other := testutil.Customer(t, app, "other@example.com", "USD")
	if _, err := twofactor.ConfirmAt(app, b, other, "123456", t0); !errors.Is(err, twofactor.ErrNotEnrolled) {
		t.Fatalf("confirm without enrolment: %v", err)
	}
}

func TestVerify(t *testing.T) {
	// Each case runs on a factor confirmed at t0 (step of t0 used).
	cases := []struct {
		name  string
		steps []time.Duration // earlier codes accepted first, relative to t0
		code  func(secret string, codes []string) string
		at    time.Duration // the verification time, relative to t0
		want  error
	}{
		{"next step's code", nil, nil, 30 * time.Second, nil},
		{"code of the previous step (skew)", nil, func(s string, _ []string) string { return "" }, 90 * time.Second, nil},
		{"code of the next step (skew)", nil, func(s string, _ []string) string { return "next" }, 60 * time.Second, nil},
		{"code two steps old", nil, func(s string, _ []string) string { return "old2" }, 120 * time.Second, twofactor.ErrWrongCode},
		{"the confirmation code again", nil, func(s string, _ []string) string { return "t0" }, 0, twofactor.ErrReplayedCode},
		{"the confirmation code within its skew", nil, func(s string, _ []string) string { return "t0" }, 30 * time.Second, twofactor.ErrReplayedCode},
		{"a code used at login, again", []time.Duration{60 * time.Second}, nil, 60 * time.Second, twofactor.ErrReplayedCode},
		{"an older code after a newer one", []time.Duration{90 * time.Second}, func(s string, _ []string) string { return "prev" }, 90 * time.Second, twofactor.ErrReplayedCode},
		{"wrong digits", nil, func(string, []string) string { return "000000" }, 30 * time.Second, twofactor.ErrWrongCode},
		{"empty", nil, func(string, []string) string { return "" }, 30 * time.Second, twofactor.ErrWrongCode},
		{"recovery code", nil, func(_ string, c []string) string { return c[3] }, 30 * time.Second, nil},
		{"recovery code, upper case without dash", nil,
			func(_ string, c []string) string { return strings.ToUpper(strings.ReplaceAll(c[0], "-", "")) }, 30 * time.Second, nil},
		{"unknown recovery code", nil, func(string, []string) string { return "aaaaa-bbbbb" }, 30 * time.Second, twofactor.ErrWrongCode},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			app := testutil.NewApp(t)
			b := box(t)
			c, secret, codes := enrolled(t, app, b)
			for _, d := range tc.steps {
				if err := twofactor.Verify(app, b, c, code(t, secret, t0.Add(d)), t0.Add(d)); err != nil {
					t.Fatalf("earlier code at +%s: %v", d, err)
				}
			}
			at := t0.Add(tc.at)
			given := code(t, secret, at)
			if tc.code != nil {
				switch v := tc.code(secret, codes); v {
				case "":
					if tc.want == nil {
						given = code(t, secret, at.Add(-30*time.Second))
					} else {
						given = ""
					}
				case "next":
					given = code(t, secret, at.Add(30*time.Second))
				case "old2":
					given = code(t, secret, at.Add(-60*time.Second))
				case "prev":
					given = code(t, secret, at.Add(-30*time.Second))
				case "t0":
					given = code(t, secret, t0)
				default:
					given = v
				}
			}
			if err := twofactor.Verify(app, b, c, given, at); !errors.Is(err, tc.want) {
				t.Fatalf("verify %q at +%s: got %v, want %v", given, tc.at, err, tc.want)
			}
		})
	}
}

func TestRecoveryCodesAreSingleUse(t *testing.T) {
	app := testutil.NewApp(t)
	b := box(t)
	c, _, codes := enrolled(t, app, b)
	seen := map[string]bool{}
	for _, rc := range codes {
		if seen[rc] || len(rc) != 11 {
			t.Fatalf("recovery codes %v: want ten distinct xxxxx-xxxxx", codes)
		}
		seen[rc] = true
	}
	for i, rc := range codes {
		if err := twofactor.Verify(app, b, c, rc, t0); err != nil {
			t.Fatalf("recovery code %d: %v", i, err)
		}
		if err := twofactor.Verify(app, b, c, rc, t0); !errors.Is(err, twofactor.ErrWrongCode) {
			t.Fatalf("recovery code %d again: %v", i, err)
		}
	}
}

func TestDisable(t *testing.T) {
	app := testutil.NewApp(t)
	b := box(t)
	c, secret, codes := enrolled(t, app, b)
	at := t0.Add(time.Minute)
	if err := twofactor.DisableAt(app, b, c, "000000", at); !errors.Is(err, twofactor.ErrWrongCode) {
		t.Fatalf("disable with a wrong code: %v", err)
	}
	if err := twofactor.DisableAt(app, b, c, code(t, secret, t0), t0.Add(30*time.Second)); !errors.Is(err, twofactor.ErrReplayedCode) {
		t.Fatalf("disable with a used code: %v", err)
	}
	if on, _ := twofactor.Enabled(app, c); !on {
		t.Fatal("disabled by a refused code")
	}
	if err := twofactor.DisableAt(app, b, c, code(t, secret, at), at); err != nil {
		t.Fatal(err)
	}
	if on, _ := twofactor.Enabled(app, c); on {
		t.Fatal("still enabled")
	}
	if err := twofactor.DisableAt(app, b, c, codes[0], at); !errors.Is(err, twofactor.ErrNotEnrolled) {
		t.Fatalf("disable twice: %v", err)
	}

	// A recovery code disables too (a lost phone).
	c2 := testutil.Customer(t, app, "lost@example.com", "USD")
	_, s2, _ := twofactor.Enroll(app, b, c2)
	codes2, err := twofactor.ConfirmAt(app, b, c2, code(t, s2, t0), t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := twofactor.DisableAt(app, b, c2, codes2[9], at); err != nil {
		t.Fatalf("disable with a recovery code: %v", err)
	}
}
