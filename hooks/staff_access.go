package hooks

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/integrations/notify"
	"github.com/ezscale/ezscale/integrations/outbox"
	"github.com/ezscale/ezscale/internal/audit"
	"github.com/ezscale/ezscale/internal/cfaccess"
	"github.com/ezscale/ezscale/internal/config"
)

// bindStaffAccess guards the staff side: Cloudflare Access in front of the
// dashboard, the staff console and every superuser API call (when
// configured); every superuser sign-in, refused or not, and every
// impersonation in the audit log; Discord told of refused sign-ins and of
// sign-ins from a new IP; the superusers' one-time codes and login alerts
// sent through the outbox.
func bindStaffAccess(app core.App, cfg *config.Config) {
	if cfg.CFAccess.TeamDomain != "" {
		// The configuration checks both settings are there; were the
		// verifier still refused, the nil verifier fails closed.
		v, err := cfaccess.New(cfaccess.Config{TeamDomain: cfg.CFAccess.TeamDomain, Audience: cfg.CFAccess.AUD,
			CertsURL: cfg.CFAccess.CertsURL})
		if err != nil {
			app.Logger().Error("cloudflare access: staff side closed", "error", err)
		}
		app.OnServe().BindFunc(func(se *core.ServeEvent) error {
			se.Router.Bind(&hook.Handler[*core.RequestEvent]{
				Id:       "ezscaleCloudflareAccess",
				Priority: apis.DefaultLoadAuthTokenMiddlewarePriority + 1, // e.Auth is known
				Func:     requireCFAccess(v),
			})
			return se.Next()
		})
	}

	app.OnRecordAuthRequest(core.CollectionNameSuperusers).BindFunc(func(e *core.RecordAuthRequestEvent) error {
		err := e.Next()
		if err != nil {
			return err // the first factor of two (apis.ErrMFA) or a refusal, audited below
		}
		from := audit.FromRequest(e.RequestEvent)
		newIP, aerr := audit.StaffLogin(e.App, e.Record, from, e.AuthMethod)
		if aerr != nil {
			e.App.Logger().Error("audit staff login", "superuser", e.Record.Id, "error", aerr)
		} else if newIP {
			staffNotice(e.App, notify.Alert{Key: "superuser_new_ip", Data: notify.Data{"Email": e.Record.Email(), "IP": from.IP}})
		}
		return nil
	})
	// Refused sign-ins are seen around PocketBase's handlers, which refuse
	// a wrong code before any record hook runs.
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.BindFunc(func(e *core.RequestEvent) error {
			action, staff := superusersCall(e.App, e.Request.URL.Path)
			if e.Request.Method != http.MethodPost || !staff || (action != "auth-with-password" && action != "auth-with-otp") {
				return e.Next()
			}
			err := e.Next()
			if err != nil && !errors.Is(err, apis.ErrMFA) {
				identity, su, reason := staffSignInAttempt(e)
				staffLoginFailed(e, identity, su, reason)
			}
			return err
		})
		return se.Next()
	})

	// Impersonation answers through the customers' auth response, with the
	// superuser as the request's auth. The session is recorded before the
	// token is answered, so no request is ever made with an unknown one.
	app.OnRecordAuthRequest(customers.Collection).BindFunc(func(e *core.RecordAuthRequestEvent) error {
		if e.Auth == nil || !e.Auth.IsSuperuser() {
			return e.Next()
		}
		if err := audit.Impersonation(e.App, audit.FromRequest(e.RequestEvent), e.Record, e.Token); err != nil {
			return e.InternalServerError("The impersonation could not be recorded; no session was opened.", err)
		}
		return e.Next()
	})

	// Superusers' one-time codes and new-device alerts go out like every
	// other message (in dev mode: printed by the outbox delivery), not
	// through PocketBase's mailer.
	queueMail := func(template string) func(*core.MailerRecordEvent) error {
		return func(e *core.MailerRecordEvent) error {
			_, err := outbox.Queue(context.Background(), e.App, outbox.FromMail(e.Message, template, ""))
			return err
		}
	}
	app.OnMailerRecordOTPSend(core.CollectionNameSuperusers).BindFunc(queueMail("staff_otp"))
	app.OnMailerRecordAuthAlertSend(core.CollectionNameSuperusers).BindFunc(queueMail("staff_login_alert"))
}

// requireCFAccess refuses staff-side requests without a valid Cloudflare
// Access token: the dashboard, the staff console, superuser sign-in and any
// request authenticated as a superuser.
func requireCFAccess(v *cfaccess.Verifier) func(*core.RequestEvent) error {
	return func(e *core.RequestEvent) error {
		path := e.Request.URL.Path
		_, superusers := superusersCall(e.App, path)
		staffSide := strings.HasPrefix(path, "/_/") || path == "/_" ||
			strings.HasPrefix(path, "/staff/") || path == "/staff" || superusers ||
			(e.Auth != nil && e.Auth.IsSuperuser())
		if !staffSide {
			return e.Next()
		}
		if v == nil {
			return e.ForbiddenError("This address is only reachable through Cloudflare Access.", nil)
		}
		if _, err := v.Verify(e.Request.Context(), e.Request); err != nil {
			e.App.Logger().Warn("cloudflare access refused", "path", path, "ip", e.RealIP(), "error", err)
			return e.ForbiddenError("This address is only reachable through Cloudflare Access.", nil)
		}
		return e.Next()
	}
}

// superusersCall reports whether path is an API call on the superusers
// collection, and the rest of the path after it ("auth-with-password").
// PocketBase finds a collection by its id as well as by its name, in any
// case, so the path is resolved the way PocketBase resolves it: matching
// the name as written would let "/api/collections/<id>/..." past.
func superusersCall(app core.App, path string) (rest string, ok bool) {
	segment, found := strings.CutPrefix(path, "/api/collections/")
	if !found {
		return "", false
	}
	segment, rest, _ = strings.Cut(segment, "/")
	col, err := app.FindCachedCollectionByNameOrId(segment)
	return rest, err == nil && col.Name == core.CollectionNameSuperusers
}

// staffSignInAttempt names who a refused sign-in tried to be: the
// identity typed, or the superuser the one-time code was sent to.
func staffSignInAttempt(e *core.RequestEvent) (identity string, su *core.Record, reason string) {
	info, err := e.RequestInfo()
	if err != nil {
		return "", nil, "unreadable request"
	}
	if id, ok := info.Body["identity"].(string); ok {
		su, _ = e.App.FindAuthRecordByEmail(core.CollectionNameSuperusers, id)
		return id, su, "wrong email or password"
	}
	if otpID, ok := info.Body["otpId"].(string); ok {
		if otp, err := e.App.FindOTPById(otpID); err == nil {
			if su, err = e.App.FindRecordById(core.CollectionNameSuperusers, otp.RecordRef()); err == nil {
				return su.Email(), su, "wrong or expired one-time code"
			}
		}
	}
	return "", nil, "wrong or expired one-time code"
}

// staffLoginFailed audits a refused superuser sign-in and tells Discord,
// once per address and identity in ten minutes so a brute force is one
// message, not thousands.
func staffLoginFailed(e *core.RequestEvent, identity string, su *core.Record, reason string) {
	from := audit.FromRequest(e)
	if err := audit.StaffLoginFailed(e.App, identity, su, from, reason); err != nil {
		e.App.Logger().Error("audit failed staff login", "identity", identity, "error", err)
	}
	window := time.Now().UTC().Truncate(10 * time.Minute).Format("2006-01-02T15:04")
	staffNotice(e.App, notify.Alert{Key: "superuser_login_failed",
		Data:      notify.Data{"Email": identity, "IP": from.IP, "Reason": reason},
		DedupeKey: "staff-login-failed:" + identity + ":" + from.IP + ":" + window})
}

// staffNotice queues a message for the staff Discord channel; a failure
// to queue it never refuses the sign-in.
func staffNotice(app core.App, a notify.Alert) {
	if _, err := notify.Staff(context.Background(), app, a); err != nil {
		app.Logger().Error("queue staff notice", "notice", a.Key, "error", err)
	}
}
