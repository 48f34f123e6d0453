package supportpal

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is every failure of a Client call. Status is the HTTP status of a
// JSON answer from SupportPal, or 0 when there was no usable answer
// (network error, timeout, cancelled context, a body that is not JSON).
// Message is SupportPal's own text when it gave one, so a validation
// message can be shown to the customer as is.
type Error struct {
	Op      string
	Status  int
	Message string

	err error // the transport or decoding error behind a Status 0, if any
}

func (e *Error) Error() string {
	if e.Status == 0 {
		return fmt.Sprintf("supportpal: %s: %s", e.Op, e.Message)
	}
	s := fmt.Sprintf("supportpal: %s: HTTP %d: %s", e.Op, e.Status, e.Message)
	if e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden {
		s += " (check the SupportPal API token and its permissions)"
	}
	return s
}

// Unwrap gives the transport error, so errors.Is(err, context.Canceled)
// and context.DeadlineExceeded work.
func (e *Error) Unwrap() error { return e.err }

func statusOf(err error) (int, bool) {
	var e *Error
	if !errors.As(err, &e) {
		return 0, false
	}
	return e.Status, true
}

// IsNotFound reports a 404: the user, ticket or lookup does not exist.
func IsNotFound(err error) bool {
	s, ok := statusOf(err)
	return ok && s == http.StatusNotFound
}

// IsUnavailable reports that SupportPal could not be used right now (no
// answer, timeout, 5xx, 429, or an answer that is not JSON such as a proxy's
// error page): the caller should say "support is down, try later" and keep
// what the customer typed.
func IsUnavailable(err error) bool {
	s, ok := statusOf(err)
	return ok && (s == 0 || s >= 500 || s == http.StatusTooManyRequests)
}

// IsInvalid reports a validation refusal (400 or 422); Message carries
// SupportPal's text, e.g. "The subject field is required.".
func IsInvalid(err error) bool {
	s, ok := statusOf(err)
	return ok && (s == http.StatusBadRequest || s == http.StatusUnprocessableEntity)
}
