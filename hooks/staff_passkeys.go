package hooks

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"

	"github.com/ezscale/ezscale/internal/audit"
	"github.com/ezscale/ezscale/internal/config"
	"github.com/ezscale/ezscale/internal/passkeys"
	"github.com/ezscale/ezscale/internal/settings"
)

// Staff passkey audit actions, on the superuser the passkey belongs to.
const (
	actionStaffPasskeyAdded   = "staff_passkey_added"
	actionStaffPasskeyRemoved = "staff_passkey_removed"
)

// staffPasskeyAuthPath is the passkey step of a staff sign-in. It sits
// with PocketBase's own auth routes of the superusers collection so the
// staff guards (Cloudflare Access, the sign-in audit) treat it as one.
const staffPasskeyAuthPath = "/api/collections/" + core.CollectionNameSuperusers + "/auth-with-passkey"

// errPasskeyRequired is the answer to every other request of a superuser
// without a passkey while settings.require_staff_passkey is on.
const errPasskeyRequired = "Register a passkey: staff accounts need one before they can do anything else."

// bindStaffPasskeys lets staff register passkeys and use one as the second
// factor after their password, and enforces settings.require_staff_passkey:
//   - registration, list and deletion under /api/staff/passkeys for a
//     signed-in superuser; deleting another superuser's passkey is how an
//     admin recovers a colleague's lost device;
//   - sign-in: the password answers with PocketBase's mfaId, and the
//     passkey assertion for that mfaId completes it like the emailed code;
//   - with the setting on, the emailed code no longer completes the sign-in
//     of an account that has a passkey, and a superuser without one may
//     only register one (and refresh their session).
func bindStaffPasskeys(app core.App, cfg *config.Config) {
	rp, rpErr := passkeys.NewRelyingParty(cfg)
	svc := &passkeys.Service{RP: rp, Sessions: passkeys.NewSessions()}
	unavailable := func(e *core.RequestEvent) error {
		return e.Error(http.StatusServiceUnavailable, "Passkeys are not available.", nil)
	}

	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.Bind(&hook.Handler[*core.RequestEvent]{
			Id:       "ezscaleRequireStaffPasskey",
			Priority: apis.DefaultLoadAuthTokenMiddlewarePriority + 2, // after e.Auth and Cloudflare Access
			Func:     requireStaffPasskey,
		})

		g := se.Router.Group("/api/staff/passkeys")
		g.Bind(apis.RequireSuperuserAuth(), apis.BodyLimit(64<<10))
		g.GET("", func(e *core.RequestEvent) error {
			return listStaffPasskeys(e)
		})
		g.POST("/register/begin", func(e *core.RequestEvent) error {
			if rpErr != nil {
				return unavailable(e)
			}
			sid, opts, err := svc.BeginStaffRegistration(e.App, e.Auth)
			if err != nil {
				return e.InternalServerError("", err)
			}
			return e.JSON(http.StatusOK, map[string]any{"session": sid, "options": opts})
		})
		g.POST("/register/finish", func(e *core.RequestEvent) error {
			if rpErr != nil {
				return unavailable(e)
			}
			raw, err := ceremonyBody(e)
			if err != nil {
				return e.BadRequestError("", err)
			}
			q := e.Request.URL.Query()
			name := strings.TrimSpace(q.Get("name"))
			if len([]rune(name)) > 100 {
				return e.BadRequestError("A passkey name is at most 100 characters.", nil)
			}
			actor := audit.FromRequest(e)
			rec, err := svc.FinishStaffRegistration(audit.WithActor(e.Request.Context(), actor), e.App, e.Auth, q.Get("session"), raw, name)
			if err != nil {
				return passkeyRefused(e, err)
			}
			if err := audit.Record(e.App, actor, actionStaffPasskeyAdded, e.Auth,
				fmt.Sprintf("%s added passkey %q", e.Auth.Email(), rec.GetString("name"))); err != nil {
				e.App.Logger().Error("audit staff passkey", "superuser", e.Auth.Id, "error", err)
			}
			return e.JSON(http.StatusOK, map[string]any{"id": rec.Id, "name": rec.GetString("name")})
		})
		g.DELETE("/{id}", deleteStaffPasskey)

		p := se.Router.Group(staffPasskeyAuthPath)
		p.Bind(apis.BodyLimit(64 << 10))
		p.POST("/begin", func(e *core.RequestEvent) error {
			if rpErr != nil {
				return unavailable(e)
			}
			var body struct {
				MfaID string `json:"mfaId"`
			}
			if err := e.BindBody(&body); err != nil {
				return e.BadRequestError("", err)
			}
			su, err := passwordMFA(e, body.MfaID)
			if err != nil {
				return err
			}
			sid, opts, err := svc.BeginStaffLogin(e.App, su, body.MfaID)
			if errors.Is(err, passkeys.ErrNoPasskey) {
				return e.NotFoundError("This account has no passkey: use the emailed code.", nil)
			}
			if err != nil {
				return e.InternalServerError("", err)
			}
			return e.JSON(http.StatusOK, map[string]any{"session": sid, "options": opts})
		})
		p.POST("/finish", func(e *core.RequestEvent) error {
			if rpErr != nil {
				return unavailable(e)
			}
			q := e.Request.URL.Query()
			su, err := passwordMFA(e, q.Get("mfaId"))
			if err != nil {
				return err
			}
			raw, err := ceremonyBody(e)
			if err != nil {
				return e.BadRequestError("", err)
			}
			actor := audit.FromRequest(e)
			actor.Kind, actor.ID = audit.KindSuperuser, su.Id
			if err := svc.FinishStaffLogin(audit.WithActor(e.Request.Context(), actor), e.App, su, q.Get("mfaId"), q.Get("session"), raw); err != nil {
				staffLoginFailed(e, su.Email(), su, "passkey not accepted")
				return passkeyRefused(e, err)
			}
			// PocketBase's MFA takes the mfaId from the query: the password
			// was the first factor, the passkey completes the sign-in.
			return apis.RecordAuthResponse(e, su, "passkey", nil)
		})
		return se.Next()
	})

	// The records API would store a credential no ceremony checked.
	app.OnRecordCreateRequest(passkeys.StaffCollection).BindFunc(func(e *core.RecordRequestEvent) error {
		return e.ForbiddenError("Passkeys are added in the staff console (Security).", nil)
	})

	// With the setting on, a superuser with a passkey must use it: the
	// code is refused before PocketBase uses it up.
	app.OnRecordAuthWithOTPRequest(core.CollectionNameSuperusers).BindFunc(func(e *core.RecordAuthWithOTPRequestEvent) error {
		if err := refuseStaffCode(e.App, e.Record); err != nil {
			return err
		}
		return e.Next()
	})
	// Nor does a code that started the sign-in (PocketBase's MFA takes the
	// factors in any order) let the password complete it.
	app.OnRecordAuthRequest(core.CollectionNameSuperusers).BindFunc(func(e *core.RecordAuthRequestEvent) error {
		if mfa := requestMFA(e.RequestEvent); mfa != nil && mfa.Method() == core.MFAMethodOTP {
			if err := refuseStaffCode(e.App, e.Record); err != nil {
				return err
			}
		}
		return e.Next()
	})
}

// staffPasskeyView is a passkey as the console shows it: never the
// credential itself.
type staffPasskeyView struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Superuser  string `json:"superuser"`
	Email      string `json:"email"`
	Created    string `json:"created"`
	LastUsedAt string `json:"last_used_at"`
}

// listStaffPasskeys answers the signed-in superuser's own passkeys, whether
// the setting requires one, and (once they may act) every other staff
// member's, for removing a lost device's.
func listStaffPasskeys(e *core.RequestEvent) error {
	s, err := settings.Load(e.App)
	if err != nil {
		return e.InternalServerError("", err)
	}
	recs, err := e.App.FindRecordsByFilter(passkeys.StaffCollection, "", "-created", 0, 0)
	if err != nil {
		return e.InternalServerError("", err)
	}
	mine, others := []staffPasskeyView{}, []staffPasskeyView{}
	for _, r := range recs {
		v := staffPasskeyView{ID: r.Id, Name: r.GetString("name"), Superuser: r.GetString("superuser"),
			Created: r.GetDateTime("created").String(), LastUsedAt: r.GetDateTime("last_used_at").String()}
		if v.Superuser == e.Auth.Id {
			v.Email = e.Auth.Email()
			mine = append(mine, v)
			continue
		}
		if su, err := e.App.FindRecordById(core.CollectionNameSuperusers, v.Superuser); err == nil {
			v.Email = su.Email()
		}
		others = append(others, v)
	}
	if s.RequireStaffPasskey && len(mine) == 0 {
		others = []staffPasskeyView{}
	}
	return e.JSON(http.StatusOK, map[string]any{"required": s.RequireStaffPasskey, "items": mine, "others": others})
}

// deleteStaffPasskey removes a passkey: one's own, or another superuser's
// (an admin action for a lost device, audited as such).
func deleteStaffPasskey(e *core.RequestEvent) error {
	rec, err := e.App.FindRecordById(passkeys.StaffCollection, e.Request.PathValue("id"))
	if err != nil {
		return e.NotFoundError("", nil)
	}
	owner, err := e.App.FindRecordById(core.CollectionNameSuperusers, rec.GetString("superuser"))
	if err != nil {
		return e.InternalServerError("", err)
	}
	actor := audit.FromRequest(e)
	if err := e.App.DeleteWithContext(audit.WithActor(e.Request.Context(), actor), rec); err != nil {
		return e.InternalServerError("", err)
	}
	msg := fmt.Sprintf("%s removed their passkey %q", e.Auth.Email(), rec.GetString("name"))
	if owner.Id != e.Auth.Id {
		msg = fmt.Sprintf("%s removed %s's passkey %q (admin action)", e.Auth.Email(), owner.Email(), rec.GetString("name"))
	}
	if err := audit.Record(e.App, actor, actionStaffPasskeyRemoved, owner, msg); err != nil {
		e.App.Logger().Error("audit staff passkey", "superuser", owner.Id, "error", err)
	}
	return e.NoContent(http.StatusNoContent)
}

// passwordMFA returns the superuser whose password opened the MFA session
// mfaID. Only a password may precede the passkey: a code and a passkey
// without the password are not a staff sign-in.
func passwordMFA(e *core.RequestEvent, mfaID string) (*core.Record, error) {
	invalid := e.BadRequestError("Invalid or expired sign-in: start again with your password.", nil)
	if mfaID == "" {
		return nil, invalid
	}
	col, err := e.App.FindCachedCollectionByNameOrId(core.CollectionNameSuperusers)
	if err != nil {
		return nil, e.InternalServerError("", err)
	}
	mfa, err := e.App.FindMFAById(mfaID)
	if err != nil || mfa.CollectionRef() != col.Id || mfa.Method() != core.MFAMethodPassword ||
		mfa.HasExpired(col.MFA.DurationTime()) {
		return nil, invalid
	}
	su, err := e.App.FindRecordById(col, mfa.RecordRef())
	if err != nil {
		return nil, invalid
	}
	return su, nil
}

// requestMFA is the MFA session a sign-in request continues, if any; it
// is read the way PocketBase reads it (query first, then body).
func requestMFA(e *core.RequestEvent) *core.MFA {
	id := e.Request.URL.Query().Get("mfaId")
	if id == "" {
		if info, err := e.RequestInfo(); err == nil {
			id, _ = info.Body["mfaId"].(string)
		}
	}
	if id == "" {
		return nil
	}
	mfa, err := e.App.FindMFAById(id)
	if err != nil {
		return nil
	}
	return mfa
}

// refuseStaffCode refuses the emailed code as a factor of su's sign-in
// when the setting requires passkeys and su has one.
func refuseStaffCode(app core.App, su *core.Record) error {
	s, err := settings.Load(app)
	if err != nil {
		return err
	}
	if !s.RequireStaffPasskey {
		return nil
	}
	has, err := passkeys.HasStaffPasskey(app, su)
	if err != nil {
		return err
	}
	if has {
		return apis.NewForbiddenError("This account signs in with its passkey: the emailed code is not accepted.", nil)
	}
	return nil
}

// requireStaffPasskey refuses every API request of a superuser without a
// passkey while the setting requires one, except what registering one
// takes: the passkey routes, the superusers' own auth routes (sign-in,
// session refresh). The dashboard uses the same API, so it is closed too.
func requireStaffPasskey(e *core.RequestEvent) error {
	if e.Auth == nil || !e.Auth.IsSuperuser() || !strings.HasPrefix(e.Request.URL.Path, "/api/") || staffPasskeyExempt(e) {
		return e.Next()
	}
	s, err := settings.Load(e.App)
	if err != nil {
		return e.InternalServerError("", err)
	}
	if !s.RequireStaffPasskey {
		return e.Next()
	}
	has, err := passkeys.HasStaffPasskey(e.App, e.Auth)
	if err != nil {
		return e.InternalServerError("", err)
	}
	if !has {
		return e.ForbiddenError(errPasskeyRequired, map[string]any{"passkey": "required"})
	}
	return e.Next()
}

// staffPasskeyExempt: what a superuser without a passkey may still call.
func staffPasskeyExempt(e *core.RequestEvent) bool {
	path, method := e.Request.URL.Path, e.Request.Method
	switch {
	case method == http.MethodGet && path == "/api/staff/passkeys",
		method == http.MethodPost && (path == "/api/staff/passkeys/register/begin" || path == "/api/staff/passkeys/register/finish"):
		return true
	}
	rest, ok := superusersCall(e.App, path)
	if !ok {
		return false
	}
	switch rest {
	case "auth-refresh", "auth-methods", "auth-with-password", "auth-with-otp", "request-otp",
		"auth-with-passkey/begin", "auth-with-passkey/finish":
		return method == http.MethodPost || rest == "auth-methods"
	}
	return false
}
