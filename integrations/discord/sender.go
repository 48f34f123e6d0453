// Package discord posts the outbox's staff notices to a Discord channel
// through a webhook (discordgo v0.29). The webhook URL holds its token: it
// is a secret, never logged nor written into an error.
package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/ezscale/ezscale/integrations/outbox"
)

// Username is the name the notices are posted under.
const Username = "EZSCALE"

// Colours of an embed by severity.
var colours = map[string]int{
	"info":    0x3498DB, // blue
	"success": 0x2ECC71, // green
	"warning": 0xF39C12, // amber
	"danger":  0xE74C3C, // red
}

// Sender is an outbox.Sender for one webhook.
type Sender struct {
	session   *discordgo.Session
	id, token string
}

// New makes a Sender from a webhook URL as Discord hands it out
// (https://discord.com/api/webhooks/{id}/{token}, optionally versioned).
func New(webhookURL string) (*Sender, error) {
	id, token, err := ParseWebhookURL(webhookURL)
	if err != nil {
		return nil, err
	}
	s, err := discordgo.New("")
	if err != nil {
		return nil, err
	}
	// A 429 comes back as an error, so the outbox schedules the retry
	// instead of the worker sleeping; discordgo's logs would print the URL.
	s.ShouldRetryOnRateLimit = false
	s.LogLevel = -1
	s.Client = &http.Client{Timeout: 20 * time.Second}
	return &Sender{session: s, id: id, token: token}, nil
}

var snowflake = regexp.MustCompile(`^[0-9]{5,25}$`)

// ParseWebhookURL reads the webhook's id and token; the error never
// repeats the URL.
func ParseWebhookURL(raw string) (id, token string, err error) {
	u, perr := url.Parse(strings.TrimSpace(raw))
	if perr != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", "", errors.New("DISCORD_WEBHOOK_URL is not a URL")
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	for i, p := range parts {
		if p == "webhooks" && i+2 < len(parts) {
			id, token = parts[i+1], parts[i+2]
			break
		}
	}
	if !snowflake.MatchString(id) || token == "" {
		return "", "", errors.New("DISCORD_WEBHOOK_URL is not a webhook URL (…/api/webhooks/{id}/{token})")
	}
	return id, token, nil
}

// Send executes the webhook with wait=true: one embed (title = subject,
// description = text, colour by severity, the time it was queued, footer
// "outbox <id>"), no pings. It returns Discord's message id.
func (s *Sender) Send(ctx context.Context, m *outbox.Outgoing) (string, error) {
	at := m.Queued
	if at.IsZero() {
		at = time.Now()
	}
	colour, ok := colours[m.Severity]
	if !ok {
		colour = colours["info"]
	}
	embed := &discordgo.MessageEmbed{
		Title:       cut(first(m.Subject, m.Template), 256),
		Description: cut(m.Text, 4096),
		Color:       colour,
		Timestamp:   at.UTC().Format(time.RFC3339),
		Footer:      &discordgo.MessageEmbedFooter{Text: "outbox " + m.ID},
	}
	params := &discordgo.WebhookParams{
		Username:        Username,
		Embeds:          []*discordgo.MessageEmbed{embed},
		AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}},
	}
	msg, err := s.session.WebhookExecute(s.id, s.token, true, params, discordgo.WithContext(ctx))
	if err != nil {
		return "", s.classify(err)
	}
	if msg == nil {
		return "", nil
	}
	return msg.ID, nil
}

// classify turns discordgo's error into the outbox's terms, without the
// URL: 429 → retry after Discord's retry_after; 401/403/404 (a revoked or
// mistyped webhook) and 400 → failed with the reason; anything else
// (5xx, network) → retried with backoff.
func (s *Sender) classify(err error) error {
	var rl *discordgo.RateLimitError
	if errors.As(err, &rl) && rl.RateLimit != nil && rl.TooManyRequests != nil {
		after := rl.RetryAfter
		if after < time.Second {
			after = time.Second
		}
		return &outbox.RateLimitError{After: after, Err: errors.New("Discord rate limit")}
	}
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil {
		reason := fmt.Sprintf("Discord answered HTTP %d", re.Response.StatusCode)
		if re.Message != nil && re.Message.Message != "" {
			reason += fmt.Sprintf(": %s (code %d)", re.Message.Message, re.Message.Code)
		}
		switch re.Response.StatusCode {
		case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound:
			return outbox.Permanent(errors.New(reason + "; the webhook is wrong or was deleted: check DISCORD_WEBHOOK_URL"))
		case http.StatusBadRequest:
			return outbox.Permanent(errors.New(reason))
		}
		return errors.New(reason)
	}
	return errors.New("Discord: " + s.redact(err.Error()))
}

// redact removes the webhook's token from a message (a network error
// quotes the URL).
func (s *Sender) redact(msg string) string {
	return strings.ReplaceAll(msg, s.token, "***")
}

func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func first(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
