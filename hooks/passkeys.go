package hooks

import (
	"bytes"
	"errors"
	"io"
	"net/http"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/internal/config"
	"github.com/ezscale/ezscale/internal/passkeys"
)

// bindPasskeys adds the customers' passkey routes (register, delete) and
// the public passkey login, which answers like a password login.
func bindPasskeys(app core.App, cfg *config.Config) {
	rp, rpErr := passkeys.NewRelyingParty(cfg)
	svc := &passkeys.Service{RP: rp, Sessions: passkeys.NewSessions()}
	unavailable := func(e *core.RequestEvent) error {
		return e.Error(http.StatusServiceUnavailable, "Passkeys are not available.", nil)
	}
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		g := se.Router.Group("/api/account/passkeys")
		g.Bind(apis.RequireAuth(customers.Collection), apis.BodyLimit(64<<10))
		g.POST("/register/begin", func(e *core.RequestEvent) error {
			if rpErr != nil {
				return unavailable(e)
			}
			sid, opts, err := svc.BeginRegistration(e.App, e.Auth)
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
			rec, err := svc.FinishRegistration(e.App, e.Auth, e.Request.URL.Query().Get("session"), raw, e.Request.URL.Query().Get("name"))
			if err != nil {
				return passkeyRefused(e, err)
			}
			return e.JSON(http.StatusOK, map[string]any{"id": rec.Id, "name": rec.GetString("name")})
		})
		g.DELETE("/{id}", func(e *core.RequestEvent) error {
			rec, err := e.App.FindRecordById(passkeys.Collection, e.Request.PathValue("id"))
			if err != nil || rec.GetString("customer") != e.Auth.Id {
				return e.NotFoundError("", nil)
			}
			if err := e.App.Delete(rec); err != nil {
				return e.InternalServerError("", err)
			}
			return e.NoContent(http.StatusNoContent)
		})

		p := se.Router.Group("/api/auth/passkey")
		p.Bind(apis.BodyLimit(64 << 10))
		p.POST("/begin", func(e *core.RequestEvent) error {
			if rpErr != nil {
				return unavailable(e)
			}
			sid, opts, err := svc.BeginLogin()
			if err != nil {
				return e.InternalServerError("", err)
			}
			return e.JSON(http.StatusOK, map[string]any{"session": sid, "options": opts})
		})
		p.POST("/finish", func(e *core.RequestEvent) error {
			if rpErr != nil {
				return unavailable(e)
			}
			raw, err := ceremonyBody(e)
			if err != nil {
				return e.BadRequestError("", err)
			}
			customer, err := svc.FinishLogin(e.App, e.Request.URL.Query().Get("session"), raw)
			if err != nil {
				return passkeyRefused(e, err)
			}
			return apis.RecordAuthResponse(e, customer, "passkey", nil)
		})
		return se.Next()
	})
}

// passkeyRefused answers a ceremony that failed: the session is gone, or
// the browser's answer was not accepted.
func passkeyRefused(e *core.RequestEvent, err error) error {
	if errors.Is(err, passkeys.ErrNoSession) {
		return e.BadRequestError("Unknown or expired passkey session.", nil)
	}
	return e.BadRequestError("The passkey was not accepted.", nil)
}

// ceremonyBody reads the browser's credential JSON and puts the body back:
// the auth response reads the request info again.
func ceremonyBody(e *core.RequestEvent) ([]byte, error) {
	raw, err := io.ReadAll(io.LimitReader(e.Request.Body, 64<<10))
	e.Request.Body = io.NopCloser(bytes.NewReader(raw))
	return raw, err
}
