package supportpal

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// SimpleAuthURL builds a SupportPal SimpleAuth single sign-on link for an
// existing, active user: an HS256 JWT {exp, email, jti} signed with the
// SimpleAuth key, on baseURL + "/simpleauth/login". jti is a fresh random
// UUID (the help desk accepts each once); expires is the token's exp.
//
// redirect, optional, is where the help desk sends the user after signing
// in: a path ("/en/tickets") is made absolute on baseURL, and a URL on
// another host is refused so the link cannot be turned into an open
// redirect.
func SimpleAuthURL(baseURL string, key []byte, email, redirect string, ttl time.Duration, now time.Time) (link, jti string, expires time.Time, err error) {
	base, err := url.Parse(strings.TrimRight(strings.TrimSpace(baseURL), "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return "", "", time.Time{}, fmt.Errorf("supportpal simpleauth: invalid help desk URL %q", baseURL)
	}
	if len(key) == 0 {
		return "", "", time.Time{}, errors.New("supportpal simpleauth: missing SimpleAuth key")
	}
	email = strings.TrimSpace(email)
	if email == "" {
		return "", "", time.Time{}, errors.New("supportpal simpleauth: missing e-mail address")
	}
	if ttl < time.Second {
		return "", "", time.Time{}, fmt.Errorf("supportpal simpleauth: link lifetime %s is under a second", ttl)
	}
	target := ""
	if redirect = strings.TrimSpace(redirect); redirect != "" {
		if target, err = sameHost(base, redirect); err != nil {
			return "", "", time.Time{}, err
		}
	}
	jti, err = newUUID()
	if err != nil {
		return "", "", time.Time{}, fmt.Errorf("supportpal simpleauth: token id: %w", err)
	}
	expires = time.Unix(now.Add(ttl).Unix(), 0).UTC()
	token, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"exp": expires.Unix(), "email": email, "jti": jti,
	}).SignedString(key)
	if err != nil {
		return "", "", time.Time{}, fmt.Errorf("supportpal simpleauth: sign token: %w", err)
	}
	link = base.String() + "/simpleauth/login?token=" + url.QueryEscape(token)
	if target != "" {
		link += "&redirect=" + url.QueryEscape(target)
	}
	return link, jti, expires, nil
}

// sameHost resolves redirect against base and keeps it only on base's host.
func sameHost(base *url.URL, redirect string) (string, error) {
	r, err := url.Parse(redirect)
	if err != nil {
		return "", fmt.Errorf("supportpal simpleauth: invalid redirect %q: %v", redirect, err)
	}
	if r.Scheme == "" && r.Host == "" {
		// A path is on the install, which may live under a path of its own.
		p := "/" + strings.TrimLeft(r.Path, "/")
		if base.Path != "" && p != base.Path && !strings.HasPrefix(p, base.Path+"/") {
			p = base.Path + p
		}
		r.Path, r.RawPath = p, ""
	}
	abs := base.ResolveReference(r)
	if (abs.Scheme != "http" && abs.Scheme != "https") || !strings.EqualFold(abs.Host, base.Host) {
		return "", fmt.Errorf("supportpal simpleauth: redirect %q leaves the help desk %s", redirect, base.Host)
	}
	return abs.String(), nil
}

// newUUID is a random (version 4) UUID.
func newUUID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:]), nil
}
