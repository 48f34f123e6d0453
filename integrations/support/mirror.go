package support

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/integrations/notify"
	"github.com/ezscale/ezscale/integrations/supportpal"
	"github.com/ezscale/ezscale/internal/htmlsafe"
)

// observation is how one ticket reached the mirror.
type observation struct {
	// since is the previous successful sync: a reply or a ticket newer than
	// it is news. Zero (the very first sync) makes nothing news, so turning
	// the sync on never mails years of old replies.
	since time.Time
	// customer owns the ticket when the caller knows (portal requests).
	customer *core.Record
	// service is the related service a ticket was opened about.
	service string
	// opened: the customer just opened it in the portal; staff hear of it.
	opened bool
}

// observe brings one ticket's mirror row up to date and queues what it
// means: the customer hears of a staff reply once (ticket_reply, keyed by
// the message), staff of a new ticket once (ticket_opened, keyed by the
// ticket). msgs is the thread when the caller has read it; else it is read
// only when the ticket's last message changed. It answers whether the row
// was written. Calls to SupportPal happen before the transaction.
func (d *Desk) observe(ctx context.Context, t *supportpal.Ticket, msgs []supportpal.Message, o observation) (bool, error) {
	if t.Internal {
		return false, nil
	}
	customer := o.customer
	if customer == nil {
		c, err := d.customerOf(t)
		if err != nil || c == nil {
			return false, err
		}
		customer = c
	}
	row, err := findMirror(d.app, t.ID)
	if err != nil {
		return false, err
	}
	threadChanged := row == nil || int64(row.GetInt("last_message_id")) != t.LastMessageID
	if msgs == nil && threadChanged {
		if msgs, err = d.api.Messages(ctx, t.ID); err != nil {
			return false, fmt.Errorf("read the thread of ticket %d: %w", t.ID, remote(err))
		}
	}
	if row != nil && msgs == nil && o.service == "" && row.GetDateTime("remote_updated_at").Time().Equal(unix(t.UpdatedAt)) {
		return false, nil
	}
	err = d.app.RunInTransaction(func(tx core.App) error {
		row, err := findMirror(tx, t.ID)
		if err != nil {
			return err
		}
		isNew := row == nil
		if isNew {
			col, err := tx.FindCachedCollectionByNameOrId(Collection)
			if err != nil {
				return err
			}
			row = core.NewRecord(col)
			row.Set("supportpal_id", t.ID)
		}
		row.Set("customer", customer.Id)
		row.Set("number", t.Number)
		row.Set("subject", t.Subject)
		row.Set("status", t.Status.Name)
		row.Set("status_colour", t.Status.Colour)
		row.Set("closed", isClosed(t))
		row.Set("priority", t.Priority.Name)
		row.Set("department", t.Department.Name)
		row.Set("remote_updated_at", unix(t.UpdatedAt))
		if o.service != "" {
			row.Set("service", o.service)
		}
		var reply *supportpal.Message
		if msgs != nil {
			row.Set("last_message_id", t.LastMessageID)
			if last := lastReply(msgs); last != nil {
				row.Set("last_reply_at", unix(last.CreatedAt))
				row.Set("last_reply_by", author(t, last))
			}
			if staff := lastStaffReply(t, msgs); staff != nil && staff.ID > int64(row.GetInt("last_notified_message_id")) {
				if !isNew || isNews(staff.CreatedAt, o.since) {
					reply = staff
				}
				row.Set("last_notified_message_id", staff.ID)
			}
		}
		if err := tx.Save(row); err != nil {
			return fmt.Errorf("mirror ticket %d: %w", t.ID, err)
		}
		if reply != nil {
			if _, err := notify.Customer(ctx, tx, notify.Email{Key: "ticket_reply", Customer: customer,
				Data: notify.Data{
					"Ticket": notify.Data{"Number": t.Number, "Subject": t.Subject},
					"Reply":  htmlsafe.Text(reply.Text),
					"Link":   TicketLink(tx, t.ID),
				},
				DedupeKey: fmt.Sprintf("ticket_reply:%d", reply.ID)}); err != nil {
				return fmt.Errorf("notify the reply to ticket %d: %w", t.ID, err)
			}
		}
		if isNew && (o.opened || isNews(t.CreatedAt, o.since)) {
			if _, err := notify.Staff(ctx, tx, notify.Alert{Key: "ticket_opened", Customer: customer,
				Data: notify.Data{"Ticket": notify.Data{"Number": t.Number, "Subject": t.Subject,
					"Department": t.Department.Name, "Priority": t.Priority.Name}},
				DedupeKey: fmt.Sprintf("ticket_opened:%d", t.ID)}); err != nil {
				return fmt.Errorf("announce ticket %d: %w", t.ID, err)
			}
		}
		return nil
	})
	return err == nil, err
}

// TicketLink is the portal page of a ticket.
func TicketLink(app core.App, ticketID int64) string {
	return fmt.Sprintf("%s/support/%d", notify.PortalURL(app), ticketID)
}

// findMirror is the mirror row of a SupportPal ticket, nil if none.
func findMirror(app core.App, ticketID int64) (*core.Record, error) {
	row, err := app.FindFirstRecordByFilter(Collection, "supportpal_id = {:id}", dbx.Params{"id": ticketID})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return row, err
}

// visible says whether the customer sees a message: replies, not internal
// notes, forwards or drafts.
func visible(m *supportpal.Message) bool {
	return m.Type == supportpal.MessageReply && !m.IsDraft
}

// author says who wrote a message: the ticket's user is the customer,
// anyone else is staff (SupportPal's "by" code is unreliable).
func author(t *supportpal.Ticket, m *supportpal.Message) string {
	if m.UserID == t.UserID {
		return "customer"
	}
	return "staff"
}

// lastReply is the newest visible message.
func lastReply(msgs []supportpal.Message) *supportpal.Message {
	var last *supportpal.Message
	for i := range msgs {
		if m := &msgs[i]; visible(m) && (last == nil || m.ID > last.ID) {
			last = m
		}
	}
	return last
}

// lastStaffReply is the newest visible message by staff.
func lastStaffReply(t *supportpal.Ticket, msgs []supportpal.Message) *supportpal.Message {
	var last *supportpal.Message
	for i := range msgs {
		if m := &msgs[i]; visible(m) && author(t, m) == "staff" && (last == nil || m.ID > last.ID) {
			last = m
		}
	}
	return last
}

// isNews: something at UNIX second at happened after since.
func isNews(at int64, since time.Time) bool {
	return !since.IsZero() && unix(at).After(since)
}

func unix(s int64) time.Time {
	if s <= 0 {
		return time.Time{}
	}
	return time.Unix(s, 0).UTC()
}
