package supportpalsim

import (
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// serveSimpleAuth is /simpleauth/login (GET or POST): an HS256 token
// signed with the SimpleAuth key, not expired, naming an active user, and
// with a jti never seen before. Any token with a valid signature and
// expiry uses up its jti, even when the user is then refused.
func (s *Simulator) serveSimpleAuth(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		writePage(w, http.StatusMethodNotAllowed, "Method not allowed", "Use GET or POST.")
		return
	}
	raw := strings.TrimSpace(r.FormValue("token"))
	redirect := r.FormValue("redirect")
	if raw == "" {
		writePage(w, http.StatusUnauthorized, "Login failed", "No login token was given.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(raw, claims, func(*jwt.Token) (any, error) { return s.ssoKey, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}), jwt.WithExpirationRequired(), jwt.WithTimeFunc(s.now))
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		writePage(w, http.StatusUnauthorized, "Login failed", "This login link has expired.")
		return
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		writePage(w, http.StatusUnauthorized, "Login failed", "This login link is invalid: bad signature.")
		return
	case err != nil:
		writePage(w, http.StatusUnauthorized, "Login failed", "This login link is invalid: "+err.Error())
		return
	}
	email, _ := claims["email"].(string)
	jti, _ := claims["jti"].(string)
	switch {
	case strings.TrimSpace(email) == "":
		writePage(w, http.StatusUnauthorized, "Login failed", "This login link names no email address.")
		return
	case strings.TrimSpace(jti) == "":
		writePage(w, http.StatusUnauthorized, "Login failed", "This login link has no token id (jti).")
		return
	case s.usedJTI[jti]:
		writePage(w, http.StatusUnauthorized, "Login failed", "This login link has already been used.")
		return
	}
	s.usedJTI[jti] = true
	var user *simUser
	for _, u := range s.users {
		if strings.EqualFold(u.Email, email) {
			user = u
		}
	}
	switch {
	case user == nil:
		writePage(w, http.StatusUnauthorized, "Login failed", fmt.Sprintf("There is no account for %s.", email))
		return
	case !user.Active:
		writePage(w, http.StatusUnauthorized, "Login failed", fmt.Sprintf("The account %s is inactive.", email))
		return
	}
	s.ssoLogins = append(s.ssoLogins, user.Email)
	if sameSite(redirect, r.Host) {
		http.Redirect(w, r, redirect, http.StatusFound)
		return
	}
	writePage(w, http.StatusOK, "Signed in", "Signed in as "+user.Email+".")
}

// sameSite reports whether redirect stays on this help desk: a path, or
// an http(s) URL on host.
func sameSite(redirect, host string) bool {
	to, err := url.Parse(redirect)
	if redirect == "" || err != nil {
		return false
	}
	if to.Scheme == "" && to.Host == "" {
		return strings.HasPrefix(to.Path, "/")
	}
	return (to.Scheme == "http" || to.Scheme == "https") && strings.EqualFold(to.Host, host)
}

// serveFrontend is a bare customer front end: the home page and the
// ticket pages frontend_url points at, so links and SSO redirects land.
func (s *Simulator) serveFrontend(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		writePage(w, http.StatusMethodNotAllowed, "Method not allowed", "This page only answers GET.")
		return
	}
	if r.URL.Path == "/" || r.URL.Path == "/en/tickets" {
		writePage(w, http.StatusOK, "Help desk", "SupportPal simulator.")
		return
	}
	if number, ok := strings.CutPrefix(r.URL.Path, "/en/tickets/view/"); ok {
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, t := range s.tickets {
			if t.Number == number {
				writePage(w, http.StatusOK, "Ticket #"+t.Number, t.Subject)
				return
			}
		}
	}
	writePage(w, http.StatusNotFound, "Not found", "No such page.")
}

func writePage(w http.ResponseWriter, status int, title, text string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<!doctype html><html><head><title>%s</title></head><body><h1>%s</h1><p>%s</p></body></html>\n",
		html.EscapeString(title), html.EscapeString(title), html.EscapeString(text))
}
