package apikeys

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/ezscale/ezscale/internal/audit"
	"github.com/ezscale/ezscale/internal/clock"
)

// Limits of a new key.
const (
	MaxKeysPerOwner = 25
	MaxLifetimeDays = 365
)

// lastUseEvery throttles the last-use write: a busy key writes at most
// once in this interval, not on every request.
const lastUseEvery = 5 * time.Minute

// Errors of Authenticate; the middleware answers all of them 401.
var (
	ErrInvalid = errors.New("api key: unknown or wrong secret")
	ErrRevoked = errors.New("api key: revoked")
	ErrExpired = errors.New("api key: expired")
	ErrNoOwner = errors.New("api key: owner gone")
)

// ErrNotFound is a key that does not exist or is not the owner's.
var ErrNotFound = errors.New("api key not found")

// InputError is a refused new key, naming the field.
type InputError struct{ Field, Message string }

func (e *InputError) Error() string { return e.Field + ": " + e.Message }

// NewKey is what an owner asks for.
type NewKey struct {
	Name          string   `json:"name"`
	Access        string   `json:"access"`
	Families      []string `json:"families"`
	ExpiresInDays int      `json:"expires_in_days"`
}

// validate checks a new key for owner; staff keys may have FamilyStaff.
func (in *NewKey) validate(staff bool) error {
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || len(in.Name) > 100 {
		return &InputError{"name", "Give the key a name of 1 to 100 characters."}
	}
	if in.Access != AccessRead && in.Access != AccessFull {
		return &InputError{"access", `Access must be "read" or "full".`}
	}
	if len(in.Families) == 0 {
		return &InputError{"families", "Choose at least one resource family."}
	}
	allowed := CustomerFamilies
	if staff {
		allowed = append(slices.Clone(CustomerFamilies), FamilyStaff)
	}
	for _, f := range in.Families {
		if !slices.Contains(allowed, f) {
			return &InputError{"families", fmt.Sprintf("Unknown resource family %q (choose from: %s).", f, strings.Join(allowed, ", "))}
		}
	}
	slices.Sort(in.Families)
	in.Families = slices.Compact(in.Families)
	if in.ExpiresInDays < 1 || in.ExpiresInDays > MaxLifetimeDays {
		return &InputError{"expires_in_days", fmt.Sprintf("A key expires in 1 to %d days.", MaxLifetimeDays)}
	}
	return nil
}

// ownerField is the relation naming owner on a key.
func ownerField(owner *core.Record) string {
	if owner.IsSuperuser() {
		return "superuser"
	}
	return "customer"
}

// Create makes a key for owner (a customer or a superuser) and returns it
// with the key itself, which is never available again. The creation is
// audited as actor's.
func Create(ctx context.Context, app core.App, owner *core.Record, in NewKey, actor audit.Actor) (*core.Record, string, error) {
	if err := in.validate(owner.IsSuperuser()); err != nil {
		return nil, "", err
	}
	now, _ := types.ParseDateTime(clock.Now(app))
	n, err := app.CountRecords(Collection, dbx.HashExp{ownerField(owner): owner.Id, "revoked": ""},
		dbx.NewExp("expires > {:now}", dbx.Params{"now": now.String()}))
	if err != nil {
		return nil, "", err
	}
	if n >= MaxKeysPerOwner {
		return nil, "", &InputError{"name", fmt.Sprintf("You have %d active keys, the most allowed; revoke one first.", n)}
	}
	col, err := app.FindCachedCollectionByNameOrId(Collection)
	if err != nil {
		return nil, "", err
	}
	key, publicID := newKey()
	rec := core.NewRecord(col)
	rec.Set(ownerField(owner), owner.Id)
	rec.Set("name", in.Name)
	rec.Set("prefix", publicID)
	rec.Set("hash", Hash(key))
	rec.Set("access", in.Access)
	rec.Set("families", in.Families)
	rec.Set("expires", clock.Now(app).Add(time.Duration(in.ExpiresInDays)*24*time.Hour))
	if err := app.SaveWithContext(audit.WithActor(ctx, actor), rec); err != nil {
		return nil, "", err
	}
	return rec, key, nil
}

// List returns owner's keys, newest first, revoked ones included.
func List(app core.App, owner *core.Record) ([]*core.Record, error) {
	return app.FindRecordsByFilter(Collection, ownerField(owner)+" = {:owner}", "-created", 0, 0, dbx.Params{"owner": owner.Id})
}

// Revoke ends owner's key id at once (the next request with it answers
// 401); revoking a revoked key changes nothing. The revocation is audited
// as actor's.
func Revoke(ctx context.Context, app core.App, owner *core.Record, id string, actor audit.Actor) (*core.Record, error) {
	rec, err := app.FindFirstRecordByFilter(Collection, "id = {:id} && "+ownerField(owner)+" = {:owner}",
		dbx.Params{"id": id, "owner": owner.Id})
	if err != nil {
		return nil, ErrNotFound
	}
	if !rec.GetDateTime("revoked").IsZero() {
		return rec, nil
	}
	rec.Set("revoked", clock.Now(app))
	if err := app.SaveWithContext(audit.WithActor(ctx, actor), rec); err != nil {
		return nil, err
	}
	return rec, nil
}

// Authenticate finds the key presented and its owner, reading the
// database every time so a revocation holds from the next request.
// A successful use is recorded, at most once per lastUseEvery.
func Authenticate(app core.App, key, ip string) (owner *core.Record, scope Scope, err error) {
	publicID, ok := publicIDOf(key)
	if !ok {
		return nil, Scope{}, ErrInvalid
	}
	rec, err := app.FindFirstRecordByData(Collection, "prefix", publicID)
	if err != nil || !hashMatches(key, rec.GetString("hash")) {
		return nil, Scope{}, ErrInvalid
	}
	now := clock.Now(app)
	if !rec.GetDateTime("revoked").IsZero() {
		return nil, Scope{}, ErrRevoked
	}
	if !now.Before(rec.GetDateTime("expires").Time()) {
		return nil, Scope{}, ErrExpired
	}
	if id := rec.GetString("customer"); id != "" {
		owner, err = app.FindRecordById("customers", id)
	} else {
		owner, err = app.FindRecordById(core.CollectionNameSuperusers, rec.GetString("superuser"))
	}
	if err != nil {
		return nil, Scope{}, ErrNoOwner
	}
	if last := rec.GetDateTime("last_used"); last.IsZero() || now.Sub(last.Time()) >= lastUseEvery {
		recordUse(app, rec.Id, now, ip)
	}
	return owner, Scope{Access: rec.GetString("access"), Families: rec.GetStringSlice("families")}, nil
}

// recordUse writes the last use straight to the row: bookkeeping, not a
// change anyone made, so no record hooks and no audit entry. A failure
// only loses the timestamp.
func recordUse(app core.App, id string, at time.Time, ip string) {
	dt, _ := types.ParseDateTime(at)
	_, err := app.DB().Update(Collection, dbx.Params{"last_used": dt.String(), "last_used_ip": ip}, dbx.HashExp{"id": id}).Execute()
	if err != nil {
		app.Logger().Warn("api key: record last use", "key", id, "error", err)
	}
}
