package hooks

import (
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/internal/secrets"
	"github.com/ezscale/ezscale/internal/twofactor"
)

// Wrong second-factor codes a customer may send per window, counted per
// customer (not per IP) so a botnet gains nothing by spreading guesses.
const (
	totpMaxFailures = 5
	totpWindow      = 5 * time.Minute
)

// bindTOTP adds the customer's TOTP routes (enrol, confirm, disable) and
// makes a password login of a customer with TOTP enabled require a valid
// "otp" (TOTP or recovery code) in the request body before any token is
// issued.
func bindTOTP(app core.App, box *secrets.Box) {
	limit := newFailureLimiter(totpMaxFailures, totpWindow)

	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		g := se.Router.Group("/api/account/totp")
		g.Bind(apis.RequireAuth(customers.Collection), apis.BodyLimit(4<<10))
		g.POST("/enroll", func(e *core.RequestEvent) error {
			url, secret, err := twofactor.Enroll(e.App, box, e.Auth)
			if err != nil {
				return totpError(e, err)
			}
			qr, err := twofactor.QRCode(url)
			if err != nil {
				return e.InternalServerError("", err)
			}
			return e.JSON(http.StatusOK, map[string]string{"otpauth_url": url, "secret": secret, "qr": qr})
		})
		g.POST("/confirm", func(e *core.RequestEvent) error {
			var body struct {
				Code string `json:"code"`
			}
			if err := decodeJSON(e, &body); err != nil {
				return err
			}
			if !limit.allow(e.Auth.Id, time.Now()) {
				return tooManyCodes(e)
			}
			codes, err := twofactor.Confirm(e.App, box, e.Auth, body.Code)
			if err != nil {
				limit.failed(e.Auth.Id, err, time.Now())
				return totpError(e, err)
			}
			return e.JSON(http.StatusOK, map[string]any{"recovery_codes": codes})
		})
		g.POST("/disable", func(e *core.RequestEvent) error {
			var body struct {
				Code string `json:"code"`
			}
			if err := decodeJSON(e, &body); err != nil {
				return err
			}
			if !limit.allow(e.Auth.Id, time.Now()) {
				return tooManyCodes(e)
			}
			if err := twofactor.Disable(e.App, box, e.Auth, body.Code); err != nil {
				limit.failed(e.Auth.Id, err, time.Now())
				return totpError(e, err)
			}
			return e.NoContent(http.StatusNoContent)
		})
		return se.Next()
	})

	// The password handler writes the token inside e.Next(), so everything
	// is decided before calling it. The password is checked first: without
	// it nobody learns whether TOTP is on or gets to guess codes.
	app.OnRecordAuthWithPasswordRequest(customers.Collection).BindFunc(func(e *core.RecordAuthWithPasswordRequestEvent) error {
		if e.Record == nil || !e.Record.ValidatePassword(e.Password) {
			return e.Next() // the normal "Failed to authenticate."
		}
		on, err := twofactor.Enabled(e.App, e.Record)
		if err != nil {
			return e.InternalServerError("", err)
		}
		if !on {
			return e.Next()
		}
		info, err := e.RequestInfo()
		if err != nil {
			return err
		}
		raw, present := info.Body["otp"]
		otp, isString := raw.(string)
		if !present || raw == nil || (isString && otp == "") {
			return e.JSON(http.StatusUnauthorized, map[string]any{
				"status":       http.StatusUnauthorized,
				"message":      "Two-factor authentication code required.",
				"data":         map[string]any{},
				"mfa_required": "totp",
			})
		}
		now := time.Now()
		if !limit.allow(e.Record.Id, now) {
			return tooManyCodes(e.RequestEvent)
		}
		if !isString {
			limit.failed(e.Record.Id, twofactor.ErrWrongCode, now)
			return e.BadRequestError("invalid code", fieldError("otp", "invalid_code", "the code must be a string"))
		}
		if err := twofactor.Verify(e.App, box, e.Record, otp, now); err != nil {
			limit.failed(e.Record.Id, err, now)
			if isCodeError(err) {
				return e.BadRequestError("invalid code", fieldError("otp", "invalid_code", err.Error()))
			}
			return e.InternalServerError("", err)
		}
		return e.Next()
	})
}

func isCodeError(err error) bool {
	return errors.Is(err, twofactor.ErrWrongCode) || errors.Is(err, twofactor.ErrReplayedCode)
}

// totpError answers a refused TOTP request with its reason.
func totpError(e *core.RequestEvent, err error) error {
	switch {
	case isCodeError(err):
		return e.BadRequestError("invalid code", fieldError("code", "invalid_code", err.Error()))
	case errors.Is(err, twofactor.ErrNotEnrolled), errors.Is(err, twofactor.ErrNotConfirmed),
		errors.Is(err, twofactor.ErrAlreadyEnabled):
		return e.BadRequestError(err.Error(), nil)
	case errors.Is(err, twofactor.ErrNoKey):
		return e.Error(http.StatusServiceUnavailable, "Two-factor authentication is not available.", nil)
	}
	return e.InternalServerError("", err)
}

func tooManyCodes(e *core.RequestEvent) error {
	return e.TooManyRequestsError("Too many wrong codes, try again in a few minutes.", nil)
}

// failureLimiter counts wrong codes per customer in a sliding window, in
// memory (one process serves the API).
type failureLimiter struct {
	max    int
	window time.Duration
	mu     sync.Mutex
	fails  map[string][]time.Time
}

func newFailureLimiter(max int, window time.Duration) *failureLimiter {
	return &failureLimiter{max: max, window: window, fails: map[string][]time.Time{}}
}

// recent drops id's failures older than the window; the caller holds mu.
func (l *failureLimiter) recent(id string, now time.Time) []time.Time {
	kept := l.fails[id][:0]
	for _, at := range l.fails[id] {
		if now.Sub(at) < l.window {
			kept = append(kept, at)
		}
	}
	if len(kept) == 0 {
		delete(l.fails, id)
		return nil
	}
	l.fails[id] = kept
	return kept
}

// allow reports whether id may try another code.
func (l *failureLimiter) allow(id string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.recent(id, now)) < l.max
}

// failed counts a wrong or replayed code (not a server error).
func (l *failureLimiter) failed(id string, err error, now time.Time) {
	if !isCodeError(err) {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.fails[id] = append(l.recent(id, now), now)
}
