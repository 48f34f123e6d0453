package coupon

import (
	"errors"
	"fmt"
	"testing"
)

func TestIsCode(t *testing.T) {
	expired := &Error{Code: CodeExpired, Message: "coupon X expired on 2025-01-01 00:00:00 UTC"}
	tests := []struct {
		name string
		err  error
		code string
		want bool
	}{
		{"same code", expired, CodeExpired, true},
		{"other code", expired, CodeInactive, false},
		{"wrapped", fmt.Errorf("checkout: %w", expired), CodeExpired, true},
		{"joined", errors.Join(errors.New("other"), expired), CodeExpired, true},
		{"plain error", errors.New("expired"), CodeExpired, false},
		{"nil", nil, CodeExpired, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsCode(tt.err, tt.code); got != tt.want {
				t.Errorf("IsCode(%v, %q) = %v, want %v", tt.err, tt.code, got, tt.want)
			}
		})
	}
}

func TestErrorMessage(t *testing.T) {
	err := percent(15).fail(CodeInactive, "is not active")
	if got, want := err.Error(), "coupon TEST is not active"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if e, ok := errors.AsType[*Error](err); !ok || e.Code != CodeInactive {
		t.Errorf("fail returned %#v, want *Error with code %q", err, CodeInactive)
	}
}
