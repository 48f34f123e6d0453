package passkeys

import (
	"bytes"
	"context"
	"errors"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// ErrNoPasskey is returned when a superuser with no passkey begins a
// passkey sign-in.
var ErrNoPasskey = errors.New("passkeys: no passkey registered")

// Staff passkeys are a second factor: the superuser is known from the
// password step (PocketBase's MFA session), so the ceremony allows only
// their own credentials instead of asking the browser for any.

// BeginStaffRegistration starts adding a passkey for superuser.
func (s *Service) BeginStaffRegistration(app core.App, superuser *core.Record) (string, *protocol.CredentialCreation, error) {
	return s.beginRegistration(app, staffStore, superuser)
}

// FinishStaffRegistration checks the browser's credential JSON and stores
// it for superuser; ctx names who added it in the audit log.
func (s *Service) FinishStaffRegistration(ctx context.Context, app core.App, superuser *core.Record, session string, body []byte, name string) (*core.Record, error) {
	return s.finishRegistration(ctx, app, staffStore, superuser, session, body, name)
}

// BeginStaffLogin starts the passkey step of superuser's sign-in, bound to
// the MFA session their password opened: the session can be finished only
// with that MFA id.
func (s *Service) BeginStaffLogin(app core.App, superuser *core.Record, mfaID string) (string, *protocol.CredentialAssertion, error) {
	u, err := LoadStaff(app, superuser)
	if err != nil {
		return "", nil, err
	}
	if len(u.Credentials) == 0 {
		return "", nil, ErrNoPasskey
	}
	opts, data, err := s.RP.BeginLogin(u)
	if err != nil {
		return "", nil, err
	}
	id, err := s.Sessions.Put(*data, mfaID, time.Now())
	return id, opts, err
}

// FinishStaffLogin checks superuser's assertion for the session begun
// with mfaID and records the credential's use.
func (s *Service) FinishStaffLogin(ctx context.Context, app core.App, superuser *core.Record, mfaID, session string, body []byte) error {
	data, err := s.Sessions.Take(session, mfaID, time.Now())
	if err != nil {
		return err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBody(bytes.NewReader(body))
	if err != nil {
		return err
	}
	u, err := LoadStaff(app, superuser)
	if err != nil {
		return err
	}
	cred, err := s.RP.ValidateLogin(u, data, parsed)
	if err != nil {
		return err
	}
	if cred.Authenticator.CloneWarning {
		return ErrCloned
	}
	return staffStore.used(ctx, app, superuser, cred)
}

// HasStaffPasskey reports whether superuser has registered a passkey.
func HasStaffPasskey(app core.App, superuser *core.Record) (bool, error) {
	n, err := app.CountRecords(StaffCollection, dbx.HashExp{staffStore.owner: superuser.Id})
	return n > 0, err
}
