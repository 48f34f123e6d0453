package supportpal

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var uuidV4RE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestSimpleAuthURLRefusals(t *testing.T) {
	now := time.Unix(1717003240, 0)
	cases := []struct {
		name, base string
		key        []byte
		email      string
		redirect   string
		ttl        time.Duration
		err        string
	}{
		{"bad base", "help.example.net", testSSOKey, "a@b.example", "", time.Minute, "invalid help desk URL"},
		{"no key", "https://help.example.net", nil, "a@b.example", "", time.Minute, "missing SimpleAuth key"},
		{"no email", "https://help.example.net", testSSOKey, " ", "", time.Minute, "missing e-mail address"},
		{"no lifetime", "https://help.example.net", testSSOKey, "a@b.example", "", 0, "under a second"},
		{"foreign redirect", "https://help.example.net", testSSOKey, "a@b.example", "https://evil.example/x", time.Minute, "leaves the help desk"},
		{"scheme-relative redirect", "https://help.example.net", testSSOKey, "a@b.example", "//evil.example/x", time.Minute, "leaves the help desk"},
		{"javascript redirect", "https://help.example.net", testSSOKey, "a@b.example", "javascript:alert(1)", time.Minute, "leaves the help desk"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			link, _, _, err := SimpleAuthURL(tc.base, tc.key, tc.email, tc.redirect, tc.ttl, now)
			if err == nil || !strings.Contains(err.Error(), tc.err) || link != "" {
				t.Errorf("link %q err %v, want %q", link, err, tc.err)
			}
		})
	}
}

func TestSimpleAuthURLShape(t *testing.T) {
	now := time.Unix(1717003240, 0)
	cases := []struct {
		name, base, redirect, wantPrefix, wantRedirect string
	}{
		{"no redirect", "https://help.example.net/", "", "https://help.example.net/simpleauth/login?token=", ""},
		{"path redirect", "https://help.example.net", "/en/tickets", "https://help.example.net/simpleauth/login?token=",
			"https://help.example.net/en/tickets"},
		{"install under a path", "https://example.net/support", "en/tickets/view/6151997?x=1",
			"https://example.net/support/simpleauth/login?token=", "https://example.net/support/en/tickets/view/6151997?x=1"},
		{"path already under the install", "https://example.net/support", "/support/en/tickets",
			"https://example.net/support/simpleauth/login?token=", "https://example.net/support/en/tickets"},
		{"absolute URL on the help desk", "https://help.example.net", "https://HELP.example.net/en/tickets",
			"https://help.example.net/simpleauth/login?token=", "https://HELP.example.net/en/tickets"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			link, jti, expires, err := SimpleAuthURL(tc.base, testSSOKey, " jane@acme.example ", tc.redirect, time.Minute, now)
			if err != nil {
				t.Fatalf("SimpleAuthURL: %v", err)
			}
			if !strings.HasPrefix(link, tc.wantPrefix) {
				t.Errorf("link %q, want prefix %q", link, tc.wantPrefix)
			}
			if (tc.wantRedirect == "") != !strings.Contains(link, "&redirect=") {
				t.Errorf("link %q: redirect present? want %q", link, tc.wantRedirect)
			}
			u, _ := url.Parse(link)
			q := u.Query()
			if q.Get("redirect") != tc.wantRedirect {
				t.Errorf("redirect %q, want %q", q.Get("redirect"), tc.wantRedirect)
			}
			if !uuidV4RE.MatchString(jti) || !expires.Equal(now.Add(time.Minute)) {
				t.Errorf("jti %q expires %s", jti, expires)
			}
			claims := jwt.MapClaims{}
			tok, err := jwt.ParseWithClaims(q.Get("token"), claims, func(*jwt.Token) (any, error) { return testSSOKey, nil },
				jwt.WithTimeFunc(func() time.Time { return now }))
			if err != nil {
				t.Fatalf("token: %v", err)
			}
			if tok.Method.Alg() != "HS256" || claims["email"] != "jane@acme.example" || claims["jti"] != jti ||
				claims["exp"] != float64(now.Add(time.Minute).Unix()) || len(claims) != 3 {
				t.Errorf("alg %s claims %v", tok.Method.Alg(), claims)
			}
		})
	}
	a, jtiA, _, _ := SimpleAuthURL("https://h.example", testSSOKey, "a@b.example", "", time.Minute, now)
	b, jtiB, _, _ := SimpleAuthURL("https://h.example", testSSOKey, "a@b.example", "", time.Minute, now)
	if a == b || jtiA == jtiB {
		t.Error("two links share a jti")
	}
}

// TestSimpleAuthLogin runs links against the simulator's login route.
func TestSimpleAuthLogin(t *testing.T) {
	sim, c := setup(t)
	clk := &clock{time.Unix(1717003240, 0)}
	sim.SetNow(clk.now)
	customer(t, c, "jane@acme.example")
	if _, err := c.CreateUser(context.Background(), NewUser{Email: "off@acme.example"}); err != nil {
		t.Fatal(err)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	open := func(method, link string) (int, string, string) {
		t.Helper()
		var resp *http.Response
		var err error
		if method == http.MethodPost {
			u, _ := url.Parse(link)
			q := u.RawQuery
			u.RawQuery = ""
			resp, err = noFollow.Post(u.String(), "application/x-www-form-urlencoded", strings.NewReader(q))
		} else {
			resp, err = noFollow.Get(link)
		}
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Location"), string(b)
	}
	link := func(email, redirect string, key []byte) string {
		t.Helper()
		l, _, _, err := SimpleAuthURL(c.BaseURL(), key, email, redirect, time.Minute, clk.t)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	signed := func(method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
		t.Helper()
		tok, err := jwt.NewWithClaims(method, claims).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return c.BaseURL() + "/simpleauth/login?token=" + url.QueryEscape(tok)
	}
	exp := clk.t.Add(time.Minute).Unix()
	reused := link("jane@acme.example", "", testSSOKey)
	expired := link("jane@acme.example", "", testSSOKey)

	cases := []struct {
		name, method, link string
		before             func()
		status             int
		location, text     string
	}{
		{"first use", "GET", reused, nil, 200, "", "Signed in as jane@acme.example."},
		{"second use", "GET", reused, nil, 401, "", "This login link has already been used."},
		{"POST with a redirect on the help desk", "POST", link("JANE@acme.example", "/en/tickets", testSSOKey), nil, 302,
			c.BaseURL() + "/en/tickets", ""},
		{"expired", "GET", expired, func() { clk.t = clk.t.Add(61 * time.Second) }, 401, "", "This login link has expired."},
		{"wrong key", "GET", link("jane@acme.example", "", []byte("another key")), nil, 401, "", "bad signature"},
		{"alg none", "GET", signed(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType,
			jwt.MapClaims{"exp": exp + 3600, "email": "jane@acme.example", "jti": "n1"}), nil, 401, "", "This login link is invalid"},
		{"HS512", "GET", signed(jwt.SigningMethodHS512, testSSOKey,
			jwt.MapClaims{"exp": exp + 3600, "email": "jane@acme.example", "jti": "h1"}), nil, 401, "", "This login link is invalid"},
		{"no exp", "GET", signed(jwt.SigningMethodHS256, testSSOKey,
			jwt.MapClaims{"email": "jane@acme.example", "jti": "e1"}), nil, 401, "", "This login link is invalid"},
		{"no jti", "GET", signed(jwt.SigningMethodHS256, testSSOKey,
			jwt.MapClaims{"exp": exp + 3600, "email": "jane@acme.example"}), nil, 401, "", "no token id"},
		{"foreign redirect is not followed", "GET", signed(jwt.SigningMethodHS256, testSSOKey,
			jwt.MapClaims{"exp": exp + 3600, "email": "jane@acme.example", "jti": "r1"}) + "&redirect=https%3A%2F%2Fevil.example%2F",
			nil, 200, "", "Signed in as jane@acme.example."},
		{"unknown user", "GET", signed(jwt.SigningMethodHS256, testSSOKey,
			jwt.MapClaims{"exp": exp + 3600, "email": "nobody@acme.example", "jti": "u1"}), nil, 401, "", "There is no account for nobody@acme.example."},
		{"inactive user", "GET", signed(jwt.SigningMethodHS256, testSSOKey,
			jwt.MapClaims{"exp": exp + 3600, "email": "off@acme.example", "jti": "u2"}), nil, 401, "", "The account off@acme.example is inactive."},
		{"no token", "GET", c.BaseURL() + "/simpleauth/login", nil, 401, "", "No login token was given."},
		{"garbage token", "GET", c.BaseURL() + "/simpleauth/login?token=abc", nil, 401, "", "This login link is invalid"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.before != nil {
				tc.before()
			}
			status, location, body := open(tc.method, tc.link)
			if status != tc.status || location != tc.location || !strings.Contains(body, tc.text) {
				t.Errorf("%d %q %s, want %d %q %q", status, location, body, tc.status, tc.location, tc.text)
			}
		})
	}
	want := []string{"jane@acme.example", "jane@acme.example", "jane@acme.example"}
	if got := sim.SSOLogins(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("SSOLogins %v, want %v", got, want)
	}
}
