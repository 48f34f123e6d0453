// Package twofactor is a customer's TOTP second factor: enrolment,
// confirmation, verification (with replay protection and one-time recovery
// codes) and removal. The secret is stored sealed with a secrets.Box; the
// recovery codes are stored as salted SHA-256 hashes and shown only once.
package twofactor

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/ezscale/ezscale/internal/secrets"
)

// Collection is where each customer's second factor is stored.
const Collection = "customer_totp"

// Issuer names the platform in authenticator apps.
const Issuer = "ezscale"

// Period, skew and digits of the codes accepted.
const (
	period        = 30 // seconds per time step
	skew          = 1  // steps accepted either side of now
	digits        = otp.DigitsSix
	recoveryCount = 10
)

// Reasons a code or request is refused.
var (
	ErrWrongCode      = errors.New("wrong code")
	ErrReplayedCode   = errors.New("replayed code: it was already used, wait for the next one")
	ErrNotEnrolled    = errors.New("two-factor authentication is not enrolled")
	ErrNotConfirmed   = errors.New("two-factor authentication is enrolled but not confirmed")
	ErrAlreadyEnabled = errors.New("two-factor authentication is already enabled")
	ErrNoKey          = errors.New("two-factor authentication needs an encryption key")
)

var opts = totp.ValidateOpts{Period: period, Digits: digits, Algorithm: otp.AlgorithmSHA1}

// hashedCode is a stored recovery code.
type hashedCode struct {
	Salt string `json:"salt"`
	Hash string `json:"hash"`
}

// find returns the customer's record, or ErrNotEnrolled.
func find(app core.App, customer *core.Record) (*core.Record, error) {
	rec, err := app.FindFirstRecordByData(Collection, "customer", customer.Id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotEnrolled
	}
	return rec, err
}

// Enabled reports whether the customer has a confirmed second factor.
func Enabled(app core.App, customer *core.Record) (bool, error) {
	rec, err := find(app, customer)
	if errors.Is(err, ErrNotEnrolled) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return rec.GetBool("enabled"), nil
}

// Enroll creates a new, not yet enabled secret for customer (replacing an
// unconfirmed one) and returns the otpauth:// URL for a QR code and the
// base32 secret for typing in. An enabled factor must be disabled first.
func Enroll(app core.App, box *secrets.Box, customer *core.Record) (url, secret string, err error) {
	if box == nil {
		return "", "", ErrNoKey
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: Issuer, AccountName: customer.Email(),
		Period: period, Digits: digits, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return "", "", err
	}
	sealed, err := box.Seal(map[string]string{"secret": key.Secret()})
	if err != nil {
		return "", "", err
	}
	err = app.RunInTransaction(func(tx core.App) error {
		rec, err := find(tx, customer)
		switch {
		case errors.Is(err, ErrNotEnrolled):
			col, err := tx.FindCollectionByNameOrId(Collection)
			if err != nil {
				return err
			}
			rec = core.NewRecord(col)
			rec.Set("customer", customer.Id)
		case err != nil:
			return err
		case rec.GetBool("enabled"):
			return ErrAlreadyEnabled
		}
		rec.Set("secret", sealed)
		rec.Set("enabled", false)
		rec.Set("recovery_codes", []hashedCode{})
		rec.Set("last_used_step", 0)
		return tx.Save(rec)
	})
	if err != nil {
		return "", "", err
	}
	return key.URL(), key.Secret(), nil
}

// Confirm enables an enrolled secret with a current code from the app and
// returns ten recovery codes, to be shown once.
func Confirm(app core.App, box *secrets.Box, customer *core.Record, code string) ([]string, error) {
	return ConfirmAt(app, box, customer, code, time.Now())
}

// ConfirmAt is Confirm at a given time.
func ConfirmAt(app core.App, box *secrets.Box, customer *core.Record, code string, now time.Time) ([]string, error) {
	if box == nil {
		return nil, ErrNoKey
	}
	var codes []string
	err := app.RunInTransaction(func(tx core.App) error {
		rec, err := find(tx, customer)
		if err != nil {
			return err
		}
		if rec.GetBool("enabled") {
			return ErrAlreadyEnabled
		}
		step, err := checkTOTP(box, rec, code, now)
		if err != nil {
			return err
		}
		plain, hashed, err := newRecoveryCodes()
		if err != nil {
			return err
		}
		rec.Set("enabled", true)
		rec.Set("last_used_step", step)
		rec.Set("recovery_codes", hashed)
		if err := tx.Save(rec); err != nil {
			return err
		}
		codes = plain
		return nil
	})
	return codes, err
}

// Verify checks a second factor at login: a TOTP code of now (±1 step) not
// older than or equal to the last accepted step, or an unused recovery code,
// which is then spent.
func Verify(app core.App, box *secrets.Box, customer *core.Record, code string, now time.Time) error {
	if box == nil {
		return ErrNoKey
	}
	return app.RunInTransaction(func(tx core.App) error {
		rec, err := find(tx, customer)
		if err != nil {
			return err
		}
		if !rec.GetBool("enabled") {
			return ErrNotConfirmed
		}
		if isTOTPShaped(code) {
			step, err := checkTOTP(box, rec, code, now)
			if err != nil {
				return err
			}
			rec.Set("last_used_step", step)
			return tx.Save(rec)
		}
		if !spendRecoveryCode(rec, code) {
			return ErrWrongCode
		}
		return tx.Save(rec)
	})
}

// Disable removes the customer's second factor; it takes a valid code
// (TOTP or recovery) so a stolen session alone cannot turn it off.
func Disable(app core.App, box *secrets.Box, customer *core.Record, code string) error {
	return DisableAt(app, box, customer, code, time.Now())
}

// DisableAt is Disable at a given time.
func DisableAt(app core.App, box *secrets.Box, customer *core.Record, code string, now time.Time) error {
	return app.RunInTransaction(func(tx core.App) error {
		if err := Verify(tx, box, customer, code, now); err != nil {
			return err
		}
		rec, err := find(tx, customer)
		if err != nil {
			return err
		}
		return tx.Delete(rec)
	})
}

func isTOTPShaped(code string) bool {
	code = strings.TrimSpace(code)
	if len(code) != int(digits) {
		return false
	}
	for _, r := range code {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// checkTOTP returns the step the code belongs to, refusing a code of a step
// at or before the last one accepted.
func checkTOTP(box *secrets.Box, rec *core.Record, code string, now time.Time) (int64, error) {
	code = strings.TrimSpace(code)
	if !isTOTPShaped(code) {
		return 0, ErrWrongCode
	}
	values, err := box.Open(rec.GetString("secret"))
	if err != nil {
		return 0, fmt.Errorf("open totp secret: %w", err)
	}
	secret := values["secret"]
	current := now.Unix() / period
	last := int64(rec.GetInt("last_used_step"))
	for step := current - skew; step <= current+skew; step++ {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(step*period, 0), opts)
		if err != nil {
			return 0, err
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			if step <= last {
				return 0, ErrReplayedCode
			}
			return step, nil
		}
	}
	return 0, ErrWrongCode
}

// newRecoveryCodes makes ten codes like "abcde-fghij" and their hashes.
func newRecoveryCodes() (plain []string, hashed []hashedCode, err error) {
	enc := base32.StdEncoding.WithPadding(base32.NoPadding)
	for range recoveryCount {
		raw := make([]byte, 7) // 56 bits, ten base32 characters shown
		salt := make([]byte, 16)
		if _, err := rand.Read(raw); err != nil {
			return nil, nil, err
		}
		if _, err := rand.Read(salt); err != nil {
			return nil, nil, err
		}
		s := strings.ToLower(enc.EncodeToString(raw))[:10]
		plain = append(plain, s[:5]+"-"+s[5:])
		hashed = append(hashed, hashedCode{Salt: hex.EncodeToString(salt), Hash: hashRecovery(salt, s)})
	}
	return plain, hashed, nil
}

func normalizeRecovery(code string) string {
	code = strings.ToLower(code)
	return strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return -1
		}
		return r
	}, code)
}

func hashRecovery(salt []byte, normalized string) string {
	sum := sha256.Sum256(append(append([]byte{}, salt...), normalized...))
	return hex.EncodeToString(sum[:])
}

// spendRecoveryCode removes the matching recovery code from rec.
func spendRecoveryCode(rec *core.Record, code string) bool {
	code = normalizeRecovery(code)
	if code == "" {
		return false
	}
	var stored []hashedCode
	if err := rec.UnmarshalJSONField("recovery_codes", &stored); err != nil {
		return false
	}
	match := -1
	for i, h := range stored {
		salt, err := hex.DecodeString(h.Salt)
		if err != nil {
			continue
		}
		if subtle.ConstantTimeCompare([]byte(hashRecovery(salt, code)), []byte(h.Hash)) == 1 {
			match = i
		}
	}
	if match < 0 {
		return false
	}
	rec.Set("recovery_codes", append(stored[:match:match], stored[match+1:]...))
	return true
}
