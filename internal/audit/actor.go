// Package audit records who changed what: every create, update and delete
// of a business record becomes an append-only audit_logs row.
package audit

import (
	"context"
	"sync"

	"github.com/pocketbase/pocketbase/core"
)

// Actor kinds, as stored in audit_logs.actor_kind.
const (
	KindSuperuser = "superuser"
	KindCustomer  = "customer"
	KindGuest     = "guest"
	KindJob       = "job"
	KindSystem    = "system"
)

// Actor is who caused a change, and from where when a request caused it.
// Staff acting in a customer's session (impersonation) are the actor,
// with OnBehalfOf naming the customer and Session the token they used.
type Actor struct {
	Kind       string
	ID         string
	IP         string
	UserAgent  string
	OnBehalfOf string
	Session    string
}

// Job names a scheduled job or CLI command as the actor of its writes.
func Job(name string) Actor { return Actor{Kind: KindJob, ID: name} }

// FromRequest derives the actor of an API request, including dashboard
// edits, which are superuser API requests. A request made with an
// impersonation token is the impersonating staff member's, on behalf of
// the customer.
func FromRequest(e *core.RequestEvent) Actor {
	a := Actor{Kind: KindGuest, IP: e.RealIP(), UserAgent: e.Request.UserAgent()}
	if len(a.UserAgent) > 500 {
		a.UserAgent = a.UserAgent[:500]
	}
	switch {
	case e.Auth == nil:
	case e.Auth.IsSuperuser():
		a.Kind, a.ID = KindSuperuser, e.Auth.Id
	default:
		a.Kind, a.ID = KindCustomer, e.Auth.Id
		if imp, ok := ImpersonationOf(e); ok {
			a.Kind, a.ID, a.OnBehalfOf, a.Session = KindSuperuser, imp.Staff, imp.Customer, imp.Session
		}
	}
	return a
}

type ctxKey struct{}

// WithActor attaches an actor to ctx; saves made with app.SaveWithContext(ctx, …)
// are attributed to it.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, ctxKey{}, a)
}

// pending maps a record being saved by an API request to the request's
// actor. PocketBase's record routes save without the request context, so
// the record pointer, which is the same object in the request hook and the
// model hooks, is what links the two.
var pending sync.Map // *core.Record -> Actor

// Track attributes saves of rec to actor until the returned func is called.
func Track(rec *core.Record, actor Actor) (untrack func()) {
	pending.Store(rec, actor)
	return func() { pending.Delete(rec) }
}

// actorOf finds who is saving rec: the tracking request, the context, or
// otherwise the system itself (e.g. a cascade delete).
func actorOf(ctx context.Context, rec *core.Record) Actor {
	if a, ok := pending.Load(rec); ok {
		return a.(Actor)
	}
	if ctx != nil {
		if a, ok := ctx.Value(ctxKey{}).(Actor); ok {
			return a
		}
	}
	return Actor{Kind: KindSystem}
}
