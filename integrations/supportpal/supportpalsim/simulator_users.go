package supportpalsim

import (
	"net/url"
	"regexp"
	"strings"
)

var simEmailRE = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)

func (s *Simulator) userJSON(u *simUser) map[string]any {
	return map[string]any{
		"id": u.ID, "brand_id": int64(1), "role": int64(1),
		"firstname": u.Firstname, "lastname": u.Lastname, "email": u.Email,
		"email_verified": bit(u.EmailVerified), "active": bit(u.Active),
		"organisation_id": nil, "organisation_access_level": nil, "organisation_notifications": 1,
		"country": nilIfEmpty(u.Country), "language_code": "en", "timezone": nil,
		"avatar": nil, "notes": nil, "twofa_enabled": 0,
		"last_active_at": nil, "created_at": u.CreatedAt, "updated_at": u.UpdatedAt,
		"formatted_name": u.formattedName(),
		"avatar_url":     s.base + "/resources/assets/frontend/img/user.gif",
	}
}

func nilIfEmpty(v string) any {
	if v == "" {
		return nil
	}
	return v
}

// listUsers filters by email (exact, any case) and active.
func (s *Simulator) listUsers(q url.Values) ([]map[string]any, *simErr) {
	email := strings.TrimSpace(q.Get("email"))
	active := q.Get("active")
	items := []map[string]any{}
	for _, id := range sortedIDs(s.users) {
		u := s.users[id]
		if email != "" && !strings.EqualFold(u.Email, email) {
			continue
		}
		if active != "" && (active == "1") != u.Active {
			continue
		}
		items = append(items, s.userJSON(u))
	}
	return items, nil
}

func (s *Simulator) getUser(id int64) (map[string]any, *simErr) {
	u := s.users[id]
	if u == nil {
		return nil, notFound("User")
	}
	return s.userJSON(u), nil
}

func (s *Simulator) createUser(b body) (map[string]any, *simErr) {
	email := strings.TrimSpace(b.str("email"))
	switch {
	case email == "":
		return nil, invalid("The email field is required.")
	case !simEmailRE.MatchString(email):
		return nil, invalid("The email must be a valid email address.")
	}
	for _, u := range s.users {
		if strings.EqualFold(u.Email, email) {
			return nil, invalid("The email has already been taken.")
		}
	}
	country := strings.ToUpper(strings.TrimSpace(b.str("country")))
	if country != "" && len(country) != 2 {
		return nil, invalid("The country must be 2 characters.")
	}
	active := true
	if b.has("active") {
		v, ok := b.bool("active")
		if !ok {
			return nil, invalid("The active field must be true or false.")
		}
		active = v
	}
	verified := false
	if b.has("email_verified") {
		v, ok := b.bool("email_verified")
		if !ok {
			return nil, invalid("The email verified field must be true or false.")
		}
		verified = v
	}
	now := s.now().Unix()
	u := &simUser{ID: s.nextUser, Email: email, Firstname: b.str("firstname"), Lastname: b.str("lastname"),
		Country: country, EmailVerified: verified, Active: active, CreatedAt: now, UpdatedAt: now}
	s.nextUser++
	s.users[u.ID] = u
	return s.userJSON(u), nil
}

// userExists is true for users and operators (both may author messages).
func (s *Simulator) userExists(id int64) bool {
	_, op := s.operators[id]
	return s.users[id] != nil || op
}
