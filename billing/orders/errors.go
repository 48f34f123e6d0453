// Package orders places a customer's order: in one transaction it creates
// the order, a pending subscription and service and the first invoice.
package orders

import (
	"fmt"
	"net/http"
)

// Error is a refused order: Status is the HTTP status the route answers
// with, Field the request field at fault (if any), Code a stable
// machine-readable reason.
type Error struct {
	Status  int
	Code    string
	Field   string
	Message string
}

func (e *Error) Error() string { return e.Message }

func badRequest(field, code, format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}
