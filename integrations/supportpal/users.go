package supportpal

import (
	"context"
	"net/url"
	"strings"
)

// User is a SupportPal user (a customer of the help desk).
type User struct {
	ID                                        int64
	Email, Firstname, Lastname, FormattedName string
	// Active is false for users who may not log in (SimpleAuth refuses them).
	Active               bool
	CreatedAt, UpdatedAt int64 // UNIX seconds
}

type wireUser struct {
	ID            int64  `json:"id"`
	Email         string `json:"email"`
	Firstname     string `json:"firstname"`
	Lastname      string `json:"lastname"`
	FormattedName string `json:"formatted_name"`
	Active        flag   `json:"active"`
	CreatedAt     int64  `json:"created_at"`
	UpdatedAt     int64  `json:"updated_at"`
}

func (w wireUser) user() User {
	return User{ID: w.ID, Email: w.Email, Firstname: w.Firstname, Lastname: w.Lastname,
		FormattedName: w.FormattedName, Active: bool(w.Active), CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt}
}

// FindUserByEmail returns the user with this e-mail address (compared
// without case), or nil, nil when there is none. An empty address is
// refused before asking (an IsInvalid *Error with Status 400): SupportPal
// would list every user.
func (c *Client) FindUserByEmail(ctx context.Context, email string) (*User, error) {
	op := "find user " + email
	email = strings.TrimSpace(email)
	if email == "" {
		return nil, &Error{Op: op, Status: 400, Message: "an e-mail address is required"}
	}
	items, _, err := listPage[wireUser](ctx, c, op, "user/user", url.Values{"email": {email}})
	if err != nil {
		return nil, err
	}
	// The filter's matching rule is unverified (it might be a search), so
	// only an exact address counts.
	for _, w := range items {
		if strings.EqualFold(strings.TrimSpace(w.Email), email) {
			u := w.user()
			return &u, nil
		}
	}
	return nil, nil
}

// NewUser is a user to create. Leave Active false only for users who must
// not sign in; SimpleAuth needs an active user.
type NewUser struct {
	Email, Firstname, Lastname string
	Country                    string // ISO 3166-1 alpha-2, optional
	EmailVerified, Active      bool
}

type createUserBody struct {
	Email         string `json:"email"`
	Firstname     string `json:"firstname"`
	Lastname      string `json:"lastname"`
	Country       string `json:"country,omitempty"`
	EmailVerified bool   `json:"email_verified"`
	Active        int    `json:"active"`
	// SendEmail stays false: users reach the help desk through SimpleAuth
	// and have no password a welcome e-mail could talk about.
	SendEmail bool `json:"send_email"`
}

// CreateUser creates a help-desk user without a password (they sign in
// through SimpleAuth). A duplicate e-mail is a validation error.
func (c *Client) CreateUser(ctx context.Context, nu NewUser) (*User, error) {
	body := createUserBody{Email: strings.TrimSpace(nu.Email), Firstname: nu.Firstname, Lastname: nu.Lastname,
		Country: strings.ToUpper(strings.TrimSpace(nu.Country)), EmailVerified: nu.EmailVerified, Active: bit(nu.Active)}
	var w wireUser
	if err := c.post(ctx, "create user "+body.Email, "user/user", body, &w); err != nil {
		return nil, err
	}
	u := w.user()
	return &u, nil
}
