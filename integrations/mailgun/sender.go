// Package mailgun sends the outbox's emails through Mailgun's HTTP API
// (mailgun-go v4). Every message carries a Message-Id made from its outbox
// id, so after a crash Mailgun's events tell whether it was accepted.
package mailgun

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	mg "github.com/mailgun/mailgun-go/v4"

	"github.com/ezscale/ezscale/integrations/outbox"
	"github.com/ezscale/ezscale/internal/config"
)

// Sender is an outbox.Confirmer for one Mailgun sending domain.
type Sender struct {
	client *mg.MailgunImpl
	domain string
	from   string
}

// New makes a Sender from the configuration: the region picks the API
// host (us or eu), APIBase overrides it (a test server, ending in /v3).
func New(cfg config.Mailgun) (*Sender, error) {
	if cfg.Domain == "" || cfg.APIKey == "" {
		return nil, errors.New("mailgun: MAILGUN_DOMAIN and MAILGUN_API_KEY are required")
	}
	c := mg.NewMailgun(cfg.Domain, cfg.APIKey)
	c.SetClient(&http.Client{Timeout: 45 * time.Second})
	switch {
	case cfg.APIBase != "":
		c.SetAPIBase(strings.TrimRight(cfg.APIBase, "/"))
	case cfg.Region == "eu":
		c.SetAPIBase(mg.APIBaseEU)
	default:
		c.SetAPIBase(mg.APIBaseUS)
	}
	from := cfg.From
	if from == "" {
		from = "EZSCALE <noreply@" + cfg.Domain + ">"
	}
	return &Sender{client: c, domain: cfg.Domain, from: from}, nil
}

// MessageID is the Message-Id header of an outbox message: the same on
// every attempt, and under the sending domain.
func (s *Sender) MessageID(outboxID string) string {
	return "<outbox." + outboxID + "@" + s.domain + ">"
}

// Send posts m to /messages with its text and HTML parts, attachments, the
// Message-Id header, the template as a tag and the outbox id as a variable.
func (s *Sender) Send(ctx context.Context, m *outbox.Outgoing) (string, error) {
	msg := mg.NewMessage(s.from, m.Subject, m.Text, m.To)
	if m.HTML != "" {
		msg.SetHTML(m.HTML)
	}
	if m.MessageID != "" {
		msg.AddHeader("Message-Id", m.MessageID)
	}
	if m.Template != "" {
		_ = msg.AddTag(m.Template) // one tag, far below the limit
	}
	if err := msg.AddVariable("outbox_id", m.ID); err != nil {
		return "", err
	}
	for _, f := range m.Files {
		msg.AddBufferAttachment(f.Name, f.Data)
	}
	_, id, err := s.client.Send(ctx, msg)
	if err != nil {
		return "", classify(err)
	}
	return id, nil
}

// Confirm asks Mailgun's events API whether a message with m's Message-Id
// was accepted.
func (s *Sender) Confirm(ctx context.Context, m *outbox.Outgoing) (string, bool, error) {
	opts := &mg.ListEventOptions{
		Filter:         map[string]string{"message-id": strings.Trim(m.MessageID, "<>"), "event": "accepted"},
		Limit:          1,
		ForceAscending: true,
		Begin:          m.Queued.Add(-time.Hour),
	}
	if m.Queued.IsZero() {
		opts.Begin = time.Now().Add(-30 * 24 * time.Hour)
	}
	it := s.client.ListEvents(opts)
	var evs []mg.Event
	if !it.Next(ctx, &evs) && it.Err() != nil {
		return "", false, fmt.Errorf("mailgun events for %s: %w", m.MessageID, it.Err())
	}
	if len(evs) == 0 {
		return "", false, nil
	}
	return m.MessageID, true, nil
}

// classify says what an error means for the next attempt: a refused
// message (400, 413) is permanent; a status is an answer, retried with
// backoff (401/404 too: a key or domain staff can fix); no status at all
// (a timeout, a broken connection) leaves the outcome unknown.
func classify(err error) error {
	var re *mg.UnexpectedResponseError
	if errors.As(err, &re) {
		reason := fmt.Errorf("mailgun answered %d: %s", re.Actual, strings.TrimSpace(string(re.Data)))
		if re.Actual == http.StatusBadRequest || re.Actual == http.StatusRequestEntityTooLarge {
			return outbox.Permanent(reason)
		}
		return reason
	}
	if errors.Is(err, mg.ErrInvalidMessage) {
		return outbox.Permanent(fmt.Errorf("mailgun: %w", err))
	}
	return outbox.Unknown(fmt.Errorf("mailgun: %w", err))
}
