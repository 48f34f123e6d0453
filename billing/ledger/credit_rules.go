package ledger

import (
	"errors"
	"fmt"
	"strings"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/money"
)

// Errors of a credit entry written through the API (staff, in the
// dashboard or the staff console).
var (
	ErrCreditNotManual   = errors.New("staff add or take credit with reason manual; the other reasons are written by billing itself")
	ErrCreditNoReason    = errors.New("say why (description), the customer sees it in their credit history")
	ErrCreditZero        = errors.New("amount must not be zero")
	ErrCreditOverdrawn   = errors.New("taking this much would leave the customer's credit below zero")
	ErrCreditAppendOnly  = errors.New("the credit ledger is append-only: add a correcting manual entry instead")
	ErrCreditCurrency    = errors.New("unknown currency")
	ErrCreditHasNoTarget = errors.New("a manual entry names no invoice or subscription")
)

// CheckManualCredit holds a credit entry staff write through the API to
// what a manual entry may be: a non-zero amount in a known currency, with
// a reason the customer can read, and, when it takes credit away, no more
// than the balance. Run it in the transaction that saves the entry, so two
// debits at once cannot overdraw.
func CheckManualCredit(app core.App, rec *core.Record) error {
	if rec.GetString("reason") != CreditManual {
		return ErrCreditNotManual
	}
	if strings.TrimSpace(rec.GetString("description")) == "" {
		return ErrCreditNoReason
	}
	if rec.GetString("invoice") != "" || rec.GetString("subscription") != "" {
		return ErrCreditHasNoTarget
	}
	amount := rec.GetInt64("amount")
	if amount == 0 {
		return ErrCreditZero
	}
	currency := rec.GetString("currency")
	if _, err := money.LookupCurrency(currency); err != nil {
		return fmt.Errorf("%w: %v", ErrCreditCurrency, err)
	}
	if amount > 0 {
		return nil
	}
	balance, err := Balance(app, rec.GetString("customer"), currency)
	if err != nil {
		return err
	}
	if balance+amount < 0 {
		return fmt.Errorf("%w (the balance is %s)", ErrCreditOverdrawn, money.Amount{Minor: balance, Currency: currency})
	}
	return nil
}
