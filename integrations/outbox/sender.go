package outbox

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Sender delivers one message on one channel (Mailgun, SMTP, the dev
// printer, Discord). It never touches the outbox: the Deliverer records
// the outcome.
type Sender interface {
	// Send delivers m and returns the provider's id for it, if any.
	Send(ctx context.Context, m *Outgoing) (providerID string, err error)
}

// Confirmer is a Sender that can be asked afterwards whether a message
// went out (Mailgun's events API). A message whose send was interrupted
// is confirmed instead of sent again; one that cannot be asked is left to
// staff, since sending it again might send it twice.
type Confirmer interface {
	Sender
	// Confirm reports whether m was accepted, with the provider's id.
	Confirm(ctx context.Context, m *Outgoing) (providerID string, accepted bool, err error)
}

// Outgoing is a message as it goes out: the row's content with its
// attachments resolved.
type Outgoing struct {
	ID        string // the outbox record id
	Channel   string
	To        string
	Subject   string
	Text      string
	HTML      string
	Severity  string
	Template  string
	Queued    time.Time
	Files     []File
	MessageID string // e.g. <outbox.ID@domain>: the same on every attempt
}

// File is an attachment.
type File struct {
	Name        string
	ContentType string
	Data        []byte
}

// PermanentError is a refusal that sending again will not change: a bad
// address, a deleted webhook, an invoice that no longer exists.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// Permanent marks err as not worth retrying.
func Permanent(err error) error { return &PermanentError{Err: err} }

// ObsoleteError is a Renderer's answer for a message that is no longer
// worth sending (the invoice it announces was paid while it waited): the
// message is cancelled with the reason, not sent or retried.
type ObsoleteError struct{ Reason string }

func (e *ObsoleteError) Error() string { return "no longer sent: " + e.Reason }

// Obsolete cancels the message being composed, for reason.
func Obsolete(reason string) error { return &ObsoleteError{Reason: reason} }

// RateLimitError asks to try again after a delay the provider named
// (Discord's retry_after); it does not count as a failed attempt.
type RateLimitError struct {
	After time.Duration
	Err   error
}

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("%v (retry after %s)", e.Err, e.After)
}
func (e *RateLimitError) Unwrap() error { return e.Err }

// UnknownError is a send whose outcome cannot be told: the connection
// broke or timed out after the request went out. A Confirmer's message is
// then confirmed with the provider before anything is sent again.
type UnknownError struct{ Err error }

func (e *UnknownError) Error() string { return e.Err.Error() }
func (e *UnknownError) Unwrap() error { return e.Err }

// Unknown marks err as an outcome the sender cannot tell.
func Unknown(err error) error { return &UnknownError{Err: err} }

func isPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}

// Misconfigured stands in for a channel whose configuration is wrong (a
// malformed webhook URL): each message fails with the reason, visible to
// staff, who re-send it once the configuration is fixed.
type Misconfigured struct{ Err error }

// Send refuses m.
func (c Misconfigured) Send(context.Context, *Outgoing) (string, error) {
	return "", Permanent(c.Err)
}
