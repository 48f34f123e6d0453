package coupon

import (
	"errors"
	"fmt"
	"time"
)

// Codes of Error, one per reason a coupon does not apply, so that a checkout
// can branch on the reason and an API can return it.
const (
	CodeInvalid              = "invalid"
	CodeInactive             = "inactive"
	CodeNotStarted           = "not_started"
	CodeExpired              = "expired"
	CodeMaxUsesReached       = "max_uses_reached"
	CodeAlreadyUsed          = "already_used"
	CodePlanNotEligible      = "plan_not_eligible"
	CodeCurrencyNotSupported = "currency_not_supported"
	CodeMinOrderNotMet       = "min_order_not_met"
	CodeCycleNotEligible     = "cycle_not_eligible"
	CodeTrialNotAvailable    = "trial_not_available"
)

// Error says why a coupon does not apply: Code for programs and Message, which
// names the coupon and the limit it hit, for the customer.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Message }

// IsCode reports whether err is, or wraps, an *Error with the given code.
func IsCode(err error, code string) bool {
	e, ok := errors.AsType[*Error](err)
	return ok && e.Code == code
}

// fail returns an *Error whose message starts with the coupon's code, as in
// "coupon SUMMER25 is not active".
func (c Coupon) fail(code, format string, args ...any) error {
	return &Error{Code: code, Message: "coupon " + c.Code + " " + fmt.Sprintf(format, args...)}
}

// formatTime prints instants in UTC, so that a message reads the same
// whatever zone the record was loaded in.
func formatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04:05 MST")
}
