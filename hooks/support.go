package hooks

import (
	"errors"
	"net/http"
	"strconv"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/integrations/support"
)

// Messages the support routes answer with.
const (
	supportUnavailable = "Support is unavailable right now. Please try again in a few minutes."
	supportOff         = "Support tickets are not set up. Please email us instead."
	supportUnverified  = "Please verify your email address to use support: open the link we emailed you, or ask for a new one on your account page."
)

// bindSupport adds the customer's ticket routes, all on their own tickets
// only: a ticket id of someone else's answers 404 like a missing one.
// Without a help desk (desk nil) they answer 503. They need a verified
// email address (403 before): the help desk knows its users by address,
// and an address nobody proved is not a key to anyone's tickets.
func bindSupport(app core.App, desk *support.Desk) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		auth := apis.RequireAuth(customers.Collection)
		handle := func(method, path string, fn func(e *core.RequestEvent) error) {
			se.Router.Route(method, path, func(e *core.RequestEvent) error {
				if desk == nil {
					return e.Error(http.StatusServiceUnavailable, supportOff, nil)
				}
				if !e.Auth.Verified() {
					return e.ForbiddenError(supportUnverified, nil)
				}
				return supportError(e, fn(e))
			}).Bind(auth)
		}

		handle(http.MethodGet, "/api/support/options", func(e *core.RequestEvent) error {
			opts, err := desk.Options(e.Request.Context())
			if err != nil {
				return err
			}
			return e.JSON(http.StatusOK, opts)
		})

		handle(http.MethodGet, "/api/tickets", func(e *core.RequestEvent) error {
			q := e.Request.URL.Query()
			page, _ := strconv.Atoi(q.Get("page"))
			perPage, _ := strconv.Atoi(q.Get("perPage"))
			list, err := desk.List(e.Request.Context(), e.Auth, support.ListQuery{Page: page, PerPage: perPage, Status: q.Get("status")})
			if err != nil {
				return err
			}
			return e.JSON(http.StatusOK, list)
		})

		handle(http.MethodGet, "/api/tickets/{id}", func(e *core.RequestEvent) error {
			thread, err := desk.Thread(e.Request.Context(), e.Auth, ticketID(e))
			if err != nil {
				return err
			}
			return e.JSON(http.StatusOK, thread)
		})

		handle(http.MethodPost, "/api/tickets", func(e *core.RequestEvent) error {
			var in support.NewTicket
			if err := e.BindBody(&in); err != nil {
				return e.BadRequestError("The ticket could not be read.", err)
			}
			in.IP = e.RealIP()
			t, err := desk.Open(e.Request.Context(), e.Auth, in)
			if err != nil {
				return err
			}
			return e.JSON(http.StatusOK, map[string]any{"ticket": t})
		})

		handle(http.MethodPost, "/api/tickets/{id}/replies", func(e *core.RequestEvent) error {
			var in struct {
				Message string `json:"message"`
			}
			if err := e.BindBody(&in); err != nil {
				return e.BadRequestError("The reply could not be read.", err)
			}
			m, err := desk.Reply(e.Request.Context(), e.Auth, ticketID(e), in.Message, e.RealIP())
			if err != nil {
				return err
			}
			return e.JSON(http.StatusOK, map[string]any{"message": m})
		})

		handle(http.MethodGet, "/api/support/sso", func(e *core.RequestEvent) error {
			link, expires, err := desk.LoginLink(e.Request.Context(), e.Auth, e.Request.URL.Query().Get("redirect"))
			if err != nil {
				return err
			}
			e.Response.Header().Set("Cache-Control", "no-store")
			return e.JSON(http.StatusOK, map[string]any{"url": link, "expires_at": expires})
		})
		return se.Next()
	})
}

// ticketID is the {id} of a ticket route; anything but a positive number
// is 0, which no ticket has.
func ticketID(e *core.RequestEvent) int64 {
	id, _ := strconv.ParseInt(e.Request.PathValue("id"), 10, 64)
	return id
}

// supportError turns the desk's errors into answers the portal shows.
func supportError(e *core.RequestEvent, err error) error {
	var fields validation.Errors
	switch {
	case err == nil:
		return nil
	case errors.As(err, &fields):
		return e.BadRequestError("Please check the highlighted fields.", fields)
	case errors.Is(err, support.ErrNotFound):
		return e.NotFoundError("", nil)
	case errors.Is(err, support.ErrUnavailable):
		e.App.Logger().Warn("support: SupportPal unavailable", "customer", e.Auth.Id, "path", e.Request.URL.Path, "error", err)
		return e.Error(http.StatusServiceUnavailable, supportUnavailable, nil)
	case errors.Is(err, support.ErrLocked):
		return e.Error(http.StatusConflict, "This ticket is locked and can no longer be answered. Please open a new ticket.", nil)
	case errors.Is(err, support.ErrUnverified):
		return e.ForbiddenError(supportUnverified, nil)
	case errors.Is(err, support.ErrNoSSO):
		return e.Error(http.StatusConflict, "The help desk cannot be opened from here. Your tickets are all on this page.", nil)
	}
	return err
}
