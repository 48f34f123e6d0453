package passkeys

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/pocketbase/pocketbase/core"
)

// ErrCloned is returned when an assertion's sign count shows a cloned
// authenticator.
var ErrCloned = errors.New("passkeys: authenticator sign count went backwards")

// Service runs the registration and login ceremonies.
type Service struct {
	RP       *webauthn.WebAuthn
	Sessions *Sessions
}

// BeginRegistration starts adding a passkey for customer.
func (s *Service) BeginRegistration(app core.App, customer *core.Record) (string, *protocol.CredentialCreation, error) {
	return s.beginRegistration(app, customerStore, customer)
}

// FinishRegistration checks the browser's credential JSON and stores it.
func (s *Service) FinishRegistration(app core.App, customer *core.Record, session string, body []byte, name string) (*core.Record, error) {
	return s.finishRegistration(context.Background(), app, customerStore, customer, session, body, name)
}

func (s *Service) beginRegistration(app core.App, st store, owner *core.Record) (string, *protocol.CredentialCreation, error) {
	u, err := st.load(app, owner)
	if err != nil {
		return "", nil, err
	}
	opts, data, err := s.RP.BeginRegistration(u,
		webauthn.WithResidentKeyRequirement(protocol.ResidentKeyRequirementRequired),
		webauthn.WithExclusions(webauthn.Credentials(u.Credentials).CredentialDescriptors()))
	if err != nil {
		return "", nil, err
	}
	id, err := s.Sessions.Put(*data, owner.Id, time.Now())
	return id, opts, err
}

// finishRegistration saves with ctx, which names who added the passkey
// in the audit log.
func (s *Service) finishRegistration(ctx context.Context, app core.App, st store, owner *core.Record, session string, body []byte, name string) (*core.Record, error) {
	data, err := s.Sessions.Take(session, owner.Id, time.Now())
	if err != nil {
		return nil, err
	}
	parsed, err := protocol.ParseCredentialCreationResponseBody(bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	u, err := st.load(app, owner)
	if err != nil {
		return nil, err
	}
	cred, err := s.RP.CreateCredential(u, data, parsed)
	if err != nil {
		return nil, err
	}
	col, err := app.FindCollectionByNameOrId(st.collection)
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(cred)
	if err != nil {
		return nil, err
	}
	if name == "" {
		name = "Passkey"
	}
	rec := core.NewRecord(col)
	rec.Set(st.owner, owner.Id)
	rec.Set("credential_id", base64.RawURLEncoding.EncodeToString(cred.ID))
	rec.Set("credential", json.RawMessage(raw))
	rec.Set("name", name)
	return rec, app.SaveWithContext(ctx, rec)
}

// BeginLogin starts a discoverable (usernameless) login.
func (s *Service) BeginLogin() (string, *protocol.CredentialAssertion, error) {
	opts, data, err := s.RP.BeginDiscoverableLogin()
	if err != nil {
		return "", nil, err
	}
	id, err := s.Sessions.Put(*data, "", time.Now())
	return id, opts, err
}

// FinishLogin checks the assertion and returns the customer it signs in.
func (s *Service) FinishLogin(app core.App, session string, body []byte) (*core.Record, error) {
	data, err := s.Sessions.Take(session, "", time.Now())
	if err != nil {
		return nil, err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBody(bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	var customer *core.Record
	cred, err := s.RP.ValidateDiscoverableLogin(func(_, userHandle []byte) (webauthn.User, error) {
		c, err := app.FindRecordById("customers", string(userHandle))
		if err != nil {
			return nil, err
		}
		customer = c
		return LoadUser(app, c)
	}, data, parsed)
	if err != nil {
		return nil, err
	}
	if cred.Authenticator.CloneWarning {
		return nil, ErrCloned
	}
	if err := customerStore.used(context.Background(), app, customer, cred); err != nil {
		return nil, err
	}
	return customer, nil
}

// used stores the credential after a sign-in with it (its new sign count)
// and when it was last used; the credential must be owner's.
func (st store) used(ctx context.Context, app core.App, owner *core.Record, cred *webauthn.Credential) error {
	rec, err := app.FindFirstRecordByData(st.collection, "credential_id", base64.RawURLEncoding.EncodeToString(cred.ID))
	if err != nil || rec.GetString(st.owner) != owner.Id {
		return errors.New("passkeys: credential not found")
	}
	raw, err := json.Marshal(cred)
	if err != nil {
		return err
	}
	rec.Set("credential", json.RawMessage(raw))
	rec.Set("last_used_at", time.Now())
	return app.SaveWithContext(ctx, rec)
}
