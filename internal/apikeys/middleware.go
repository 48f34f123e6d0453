package apikeys

import (
	"errors"
	"net/http"
	"strings"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
)

// scopeKey is where Authenticate leaves a key's scope on the request for
// the scope check.
const scopeKey = "ezscaleAPIKeyScope"

// UnauthorizedMessage answers a key that is unknown, wrong, revoked or
// expired; the four are not told apart, so a guess learns nothing.
const UnauthorizedMessage = "The API key is invalid, expired or revoked."

// Middlewares authenticate requests made with a key and hold them to its
// scope. The first runs just before PocketBase loads a token and sets
// e.Auth to the key's owner, so every rule, route, account-status check
// and rate limit treats the request as the owner's own (PocketBase's
// loader then leaves e.Auth alone). The second runs after the account
// status check, so a closed account's key answers 401 like its token.
func Middlewares() []*hook.Handler[*core.RequestEvent] {
	return []*hook.Handler[*core.RequestEvent]{
		{Id: "ezscaleAPIKeyAuth", Priority: apis.DefaultLoadAuthTokenMiddlewarePriority - 1, Func: authenticate},
		{Id: "ezscaleAPIKeyScope", Priority: apis.DefaultLoadAuthTokenMiddlewarePriority + 2, Func: enforceScope},
	}
}

// Used reports whether the request was authenticated with an API key.
func Used(e *core.RequestEvent) bool {
	_, ok := e.Get(scopeKey).(Scope)
	return ok
}

func authenticate(e *core.RequestEvent) error {
	key, ok := presented(e.Request)
	if !ok {
		return e.Next()
	}
	// A token beside a key would be read by the checks that look at the
	// Authorization header (impersonation) without having been verified.
	if e.Request.Header.Get("X-API-Key") != "" && e.Request.Header.Get("Authorization") != "" {
		return e.BadRequestError("Send an API key or a token, not both.", nil)
	}
	owner, scope, err := Authenticate(e.App, key, e.RealIP())
	if err != nil {
		return e.UnauthorizedError(UnauthorizedMessage, err)
	}
	e.Auth = owner
	e.Set(scopeKey, scope)
	return e.Next()
}

func enforceScope(e *core.RequestEvent) error {
	scope, ok := e.Get(scopeKey).(Scope)
	if !ok {
		return e.Next()
	}
	path := e.Request.URL.Path
	err := scope.Check(e.App, e.Request.Method, path)
	if err == nil && e.Request.Method != http.MethodGet && e.Request.Method != http.MethodHead {
		info, rerr := e.RequestInfo()
		if rerr != nil {
			return e.BadRequestError("The request body could not be read.", rerr)
		}
		err = checkSignInFields(e.App, path, info.Body)
	}
	var scopeErr *ScopeError
	if errors.As(err, &scopeErr) {
		return e.ForbiddenError(scopeErr.Reason, nil)
	}
	if err != nil {
		return err
	}
	return e.Next()
}

// presented returns the key a request carries: X-API-Key, or an
// Authorization header ("Bearer ezk_…" or the bare key). A PocketBase
// token in Authorization is not a key and is left to PocketBase.
func presented(r *http.Request) (string, bool) {
	if k := strings.TrimSpace(r.Header.Get("X-API-Key")); k != "" {
		return k, true
	}
	auth := strings.TrimSpace(r.Header.Get("Authorization"))
	if len(auth) > 7 && strings.EqualFold(auth[:7], "Bearer ") {
		auth = strings.TrimSpace(auth[7:])
	}
	if strings.HasPrefix(auth, "ezk_") {
		return auth, true
	}
	return "", false
}
