package outbox

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/secrets"
)

// Interrupted is the note on a message whose send was cut short (a crash,
// a shutdown) on a channel that cannot be asked whether it went out.
const Interrupted = "delivery was interrupted; not retried automatically to avoid a duplicate, re-send it if it did not arrive"

// NotConfigured is the note on a Discord message when no webhook is set.
const NotConfigured = "Discord is not configured"

// Channels, each delivered by its own loop.
const (
	ChannelEmail   = "email"
	ChannelDiscord = "discord"
)

// Deliverer sends the outbox. Each channel has its own loop, so a Discord
// outage or rate limit never delays an email. A loop claims due messages
// in small batches (each claim one short statement), sends them outside
// any transaction, and records each outcome. A message is never lost (it
// stays in the outbox whatever happens) and never sent twice by a restart:
// a message left in sending is confirmed with the provider where it can be
// asked (Mailgun), and otherwise handed to staff as failed.
type Deliverer struct {
	App       core.App
	Email     Sender                 // Mailgun, SMTP or the dev printer
	Discord   Sender                 // nil: Discord messages are cancelled as not configured
	Box       *secrets.Box           // opens service credentials; nil sends none
	MessageID func(id string) string // the Message-Id header of an email, the same on every attempt

	Poll        time.Duration // wait between passes when the queue is empty (5s)
	Batch       int           // messages claimed at once by a channel that can confirm (10)
	MaxAttempts int           // attempts before a message fails (10)
	BaseDelay   time.Duration // first retry delay, doubled each attempt (1m)
	MaxDelay    time.Duration // longest retry delay (6h)
	Timeout     time.Duration // for one send (1m)
	// Settle is how long a provider's record of an accepted message may lag
	// (Mailgun's events): an interrupted message it does not know of yet is
	// only sent again once its claim is older than this (10m; negative: at once).
	Settle time.Duration
	Now    func() time.Time
}

func (d *Deliverer) defaults() {
	if d.Poll <= 0 {
		d.Poll = 5 * time.Second
	}
	if d.Batch <= 0 {
		d.Batch = 10
	}
	if d.MaxAttempts <= 0 {
		d.MaxAttempts = 10
	}
	if d.BaseDelay <= 0 {
		d.BaseDelay = time.Minute
	}
	if d.MaxDelay <= 0 {
		d.MaxDelay = 6 * time.Hour
	}
	if d.Timeout <= 0 {
		d.Timeout = time.Minute
	}
	if d.Settle == 0 {
		d.Settle = 10 * time.Minute
	}
	if d.Now == nil {
		d.Now = func() time.Time { return time.Now().UTC() }
	}
	if d.MessageID == nil {
		d.MessageID = func(id string) string { return "<outbox." + id + "@ezscale>" }
	}
}

// Run delivers until ctx ends: one loop per channel.
func (d *Deliverer) Run(ctx context.Context) {
	d.defaults()
	var wg sync.WaitGroup
	for _, ch := range []string{ChannelEmail, ChannelDiscord} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				n, err := d.Pass(ctx, ch)
				if err != nil {
					d.App.Logger().Error("outbox delivery", "channel", ch, "error", err)
				}
				if n > 0 && err == nil {
					continue // more may be due
				}
				select {
				case <-ctx.Done():
				case <-time.After(d.Poll):
				}
			}
		}()
	}
	wg.Wait()
}

// Pass settles the channel's interrupted messages, then claims and sends
// one batch. It returns how many messages it claimed. Passes of the same
// channel must not run at once (Run runs them one after another).
func (d *Deliverer) Pass(ctx context.Context, channel string) (int, error) {
	d.defaults()
	sender := d.sender(channel)
	if err := d.settle(ctx, channel, sender); err != nil {
		return 0, err
	}
	n := 1 // a channel that cannot confirm risks one message per crash, not a batch
	if _, ok := sender.(Confirmer); ok {
		n = d.Batch
	}
	if err := cancelHeld(d.App, channel, d.Now()); err != nil {
		return 0, err
	}
	ids, err := claim(d.App, channel, n, d.Now())
	if err != nil {
		return 0, err
	}
	for i, id := range ids {
		if ctx.Err() != nil {
			d.releaseAll(ids[i:])
			break
		}
		if err := d.deliver(ctx, id, sender); err != nil {
			d.App.Logger().Error("outbox delivery", "message", id, "error", err)
		}
	}
	return len(ids), nil
}

func (d *Deliverer) sender(channel string) Sender {
	if channel == ChannelDiscord {
		return d.Discord
	}
	return d.Email
}

// deliver sends one claimed message and records the outcome.
func (d *Deliverer) deliver(ctx context.Context, id string, sender Sender) error {
	rec, err := d.App.FindRecordById(Collection, id)
	if err != nil {
		return fmt.Errorf("outbox %s: %w", id, err)
	}
	if sender == nil {
		reason := NotConfigured
		if rec.GetString("channel") == ChannelEmail {
			reason = "email is not configured"
		}
		return markCancelled(d.App, id, reason, d.Now())
	}
	m, rendered, err := compose(d.App, d.Box, rec)
	if err == nil {
		m.MessageID = d.MessageID(id)
		sctx, cancel := context.WithTimeout(ctx, d.Timeout)
		var providerID string
		providerID, err = sender.Send(sctx, m)
		cancel()
		if err == nil {
			return markSent(d.App, id, providerID, d.Now(), rendered)
		}
		if ctx.Err() != nil {
			// Shut down mid-send: whether it went out is unknown, so the
			// message stays in sending and is settled on the next start.
			return nil
		}
	}
	return d.failed(rec, sender, err)
}

// failed records a send or composition error: retried with backoff, after
// the provider's delay, left for confirmation, or failed for good.
func (d *Deliverer) failed(rec *core.Record, sender Sender, err error) error {
	now := d.Now()
	var rl *RateLimitError
	var unknown *UnknownError
	var obsolete *ObsoleteError
	_, canConfirm := sender.(Confirmer)
	attempts := rec.GetInt("attempts")
	switch {
	case errors.As(err, &obsolete):
		return markCancelled(d.App, rec.Id, obsolete.Error(), now)
	case errors.As(err, &rl):
		return release(d.App, rec.Id, fmt.Sprintf("outbox %s: %v", rec.Id, err), now.Add(rl.After), now)
	case errors.As(err, &unknown) && canConfirm:
		// Stays in sending: the next pass asks the provider first.
		return update(d.App, rec.Id, now, map[string]any{"last_error": clip(fmt.Sprintf("outbox %s: %v; checking with the provider before any retry", rec.Id, err))})
	case isPermanent(err):
		return markFailed(d.App, rec.Id, fmt.Sprintf("outbox %s: %v", rec.Id, err), now)
	case attempts >= d.MaxAttempts:
		return markFailed(d.App, rec.Id, fmt.Sprintf("outbox %s: gave up after %d attempts: %v", rec.Id, attempts, err), now)
	}
	wait := backoff(attempts, d.BaseDelay, d.MaxDelay)
	return retryAt(d.App, rec.Id, fmt.Sprintf("outbox %s: attempt %d failed: %v", rec.Id, attempts, err), now.Add(wait), now)
}

// settle decides each message left in sending: confirmed with the provider
// where it can be asked (sent if accepted, sent again once Settle has
// passed if not), otherwise failed with the Interrupted note for staff.
func (d *Deliverer) settle(ctx context.Context, channel string, sender Sender) error {
	recs, err := interrupted(d.App, channel)
	if err != nil {
		return fmt.Errorf("list interrupted %s messages: %w", channel, err)
	}
	for _, rec := range recs {
		if ctx.Err() != nil {
			return nil
		}
		now := d.Now()
		conf, ok := sender.(Confirmer)
		if !ok {
			if err := markFailed(d.App, rec.Id, "outbox "+rec.Id+": "+Interrupted, now); err != nil {
				return err
			}
			continue
		}
		m := &Outgoing{ID: rec.Id, Channel: channel, To: rec.GetString("recipient"), Subject: rec.GetString("subject"), MessageID: d.MessageID(rec.Id)}
		providerID, accepted, err := conf.Confirm(ctx, m)
		if err != nil {
			d.App.Logger().Warn("outbox: cannot confirm an interrupted message yet", "message", rec.Id, "error", err)
			continue
		}
		switch {
		case accepted:
			err = markSent(d.App, rec.Id, providerID, now, nil)
		case now.Sub(rec.GetDateTime("updated").Time()) < d.Settle:
			continue // the provider may not show it yet: ask again later
		case rec.GetInt("attempts") >= d.MaxAttempts:
			err = markFailed(d.App, rec.Id, fmt.Sprintf("outbox %s: gave up after %d attempts, the last one interrupted", rec.Id, rec.GetInt("attempts")), now)
		default:
			err = retryAt(d.App, rec.Id, rec.GetString("last_error"), now, now)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// releaseAll gives back claimed messages a shutdown kept from being sent.
func (d *Deliverer) releaseAll(ids []string) {
	now := d.Now()
	for _, id := range ids {
		if err := release(d.App, id, "", now, now); err != nil {
			d.App.Logger().Error("outbox: release a claimed message", "message", id, "error", err)
		}
	}
}
