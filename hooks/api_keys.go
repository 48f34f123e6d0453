package hooks

import (
	"errors"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/internal/apikeys"
	"github.com/ezscale/ezscale/internal/audit"
)

// bindAPIKeys registers the API key middlewares and the routes with which
// customers (/api/account/api-keys) and staff (/api/staff/api-keys) list,
// create and revoke their own keys. Keys themselves never reach these
// routes (internal/apikeys closes them), so a key cannot make or end keys.
func bindAPIKeys(app core.App) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		for _, m := range apikeys.Middlewares() {
			se.Router.Bind(m)
		}
		for prefix, guard := range map[string]*hook.Handler[*core.RequestEvent]{
			"/api/account/api-keys": apis.RequireAuth(customers.Collection),
			"/api/staff/api-keys":   apis.RequireSuperuserAuth(),
		} {
			g := se.Router.Group(prefix)
			g.Bind(guard)
			g.GET("", listAPIKeys)
			g.POST("", createAPIKey)
			g.DELETE("/{id}", revokeAPIKey)
		}
		return se.Next()
	})
}

func listAPIKeys(e *core.RequestEvent) error {
	keys, err := apikeys.List(e.App, e.Auth)
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(keys))
	for _, k := range keys {
		out = append(out, apiKeyJSON(k))
	}
	return e.JSON(200, map[string]any{"items": out})
}

// createAPIKey answers the new key once, in "key"; only its hash is kept.
// Staff impersonating a customer cannot leave a key behind them.
func createAPIKey(e *core.RequestEvent) error {
	if _, ok := audit.ImpersonationOf(e); ok {
		return e.ForbiddenError("API keys cannot be created while impersonating a customer.", nil)
	}
	var in apikeys.NewKey
	if err := e.BindBody(&in); err != nil {
		return e.BadRequestError("The request body is not a valid key request.", err)
	}
	rec, key, err := apikeys.Create(e.Request.Context(), e.App, e.Auth, in, audit.FromRequest(e))
	var inputErr *apikeys.InputError
	if errors.As(err, &inputErr) {
		return e.BadRequestError(inputErr.Message, map[string]any{inputErr.Field: inputErr.Message})
	}
	if err != nil {
		return err
	}
	out := apiKeyJSON(rec)
	out["key"] = key
	return e.JSON(201, out)
}

func revokeAPIKey(e *core.RequestEvent) error {
	rec, err := apikeys.Revoke(e.Request.Context(), e.App, e.Auth, e.Request.PathValue("id"), audit.FromRequest(e))
	if errors.Is(err, apikeys.ErrNotFound) {
		return e.NotFoundError("", nil)
	}
	if err != nil {
		return err
	}
	return e.JSON(200, apiKeyJSON(rec))
}

// apiKeyJSON is a key as its owner sees it: never the hash.
func apiKeyJSON(k *core.Record) map[string]any {
	return map[string]any{
		"id": k.Id, "name": k.GetString("name"), "prefix": k.GetString("prefix"),
		"access": k.GetString("access"), "families": k.GetStringSlice("families"),
		"expires": k.GetDateTime("expires"), "revoked": k.GetDateTime("revoked"),
		"last_used": k.GetDateTime("last_used"), "last_used_ip": k.GetString("last_used_ip"),
		"created": k.GetDateTime("created"),
	}
}
