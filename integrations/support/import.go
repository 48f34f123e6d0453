package support

import (
	"context"
	"errors"
	"fmt"
	"html"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/integrations/supportpal"
)

// ImportedTicket is a ticket from the previous help desk (WHMCS) to carry
// over into SupportPal for one customer. Department, priority and status
// are matched by name; what SupportPal does not have falls back to the
// first public department, the first priority and the open status.
type ImportedTicket struct {
	Subject, Department, Priority, Status string
	// Messages are the thread, oldest first: the first opens the ticket.
	Messages []ImportedMessage
}

// ImportedMessage is one message of an ImportedTicket.
type ImportedMessage struct {
	Staff bool
	Name  string // who wrote it
	HTML  string // safe HTML (htmlsafe)
	At    time.Time
}

// ImportProgress is how far a ticket got into SupportPal: the ticket id (0:
// not created) and how many of its messages are there. The caller keeps it,
// so a run that stopped half-way, or a WHMCS ticket answered since, carries
// on where it was instead of creating the ticket twice.
type ImportProgress struct {
	TicketID int64
	Messages int
}

// Import creates the ticket in SupportPal for the customer (their user is
// found or created as UserFor does), or continues one that done says was
// created, posting the messages not there yet. Nothing is e-mailed. The
// ticket keeps its date; SupportPal dates each reply when it is posted (its
// API takes no date for messages), so every message's text says when it
// was written.
//
// Our SupportPal client has no operator lookup, so staff replies are posted
// as the customer's messages, opened by a line naming the staff member.
// Posting a customer message may reopen a ticket, so the status is set once
// the thread is complete.
//
// It answers the progress made, also with an error: a ticket created before
// a later message failed must be remembered, or the next run would create
// it again.
func (d *Desk) Import(ctx context.Context, customer *core.Record, t ImportedTicket, done ImportProgress) (ImportProgress, error) {
	if len(t.Messages) == 0 {
		return done, errors.New("an imported ticket needs at least one message")
	}
	if done.TicketID > 0 && done.Messages >= len(t.Messages) {
		return done, nil
	}
	lookups, err := d.Lookups(ctx)
	if err != nil {
		return done, fmt.Errorf("read SupportPal's departments, priorities and statuses: %w", err)
	}
	if len(lookups.Departments) == 0 || len(lookups.Priorities) == 0 {
		return done, errors.New("SupportPal has no public department or no priority to file imported tickets under")
	}
	uid, err := d.UserFor(ctx, customer)
	if err != nil {
		return done, err
	}
	status := lookups.statusNamed(t.Status)
	progress := done
	if progress.TicketID == 0 {
		first := t.Messages[0]
		// A ticket with replies still to post opens as open: the last
		// reply would otherwise reopen it, or be refused on a closed one.
		opening := status
		if len(t.Messages) > 1 {
			opening = lookups.openStatus()
		}
		created, err := d.api.CreateTicket(ctx, supportpal.NewTicket{User: uid,
			Department: lookups.namedOr(lookups.Departments, t.Department), Priority: lookups.namedOr(lookups.Priorities, t.Priority),
			Status: opening, Subject: importSubject(t.Subject), Text: importText(first), Quiet: true, CreatedAt: unixOf(first.At)})
		if err != nil {
			return progress, fmt.Errorf("create the SupportPal ticket of customer %s: %w", customer.Id, remote(err))
		}
		progress = ImportProgress{TicketID: created.ID, Messages: 1}
		if len(t.Messages) == 1 {
			return progress, nil
		}
	}
	for _, m := range t.Messages[progress.Messages:] {
		_, err := d.api.CreateMessage(ctx, supportpal.NewMessage{TicketID: progress.TicketID, UserID: uid,
			Text: importText(m), Quiet: true})
		if err != nil {
			return progress, fmt.Errorf("add message %d to SupportPal ticket %d: %w", progress.Messages+1, progress.TicketID, remote(err))
		}
		progress.Messages++
	}
	if _, err := d.api.SetTicketStatus(ctx, progress.TicketID, status); err != nil {
		// The thread is complete; only the status is off. Reported, and
		// set again by the next run's messages, if any.
		return progress, fmt.Errorf("set the status of SupportPal ticket %d: %w", progress.TicketID, remote(err))
	}
	return progress, nil
}

// importText is a message as SupportPal gets it: a staff reply opens with
// the staff member's name, since it is posted as the customer's, then comes
// the date it was written; an empty message gets a placeholder (SupportPal
// requires text).
func importText(m ImportedMessage) string {
	text := m.HTML
	if strings.TrimSpace(text) == "" {
		text = "<p>(no text)</p>"
	}
	if !m.At.IsZero() {
		text = "<p><em>" + html.EscapeString("Written "+m.At.UTC().Format("2006-01-02 15:04 MST")) + "</em></p>" + text
	}
	if m.Staff {
		by := "[Staff]"
		if name := strings.TrimSpace(m.Name); name != "" {
			by = "[Staff: " + name + "]"
		}
		text = "<p><strong>" + html.EscapeString(by) + "</strong></p>" + text
	}
	return text
}

// importSubject is a subject SupportPal accepts: required, 255 characters.
func importSubject(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return "(no subject)"
	}
	if utf8.RuneCountInString(s) > 255 {
		s = string([]rune(s)[:255])
	}
	return s
}

func unixOf(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// namedOr is the id of the entry of list called name (any case), else the
// first entry's.
func (l *Lookups) namedOr(list []supportpal.Named, name string) int64 {
	for _, n := range list {
		if strings.EqualFold(strings.TrimSpace(n.Name), strings.TrimSpace(name)) {
			return n.ID
		}
	}
	return list[0].ID
}

// statusNamed is the id of the status called name (any case), else the
// open status: WHMCS's "Answered" or "Customer-Reply" are open tickets.
func (l *Lookups) statusNamed(name string) int64 {
	for _, s := range l.Statuses {
		if strings.EqualFold(strings.TrimSpace(s.Name), strings.TrimSpace(name)) {
			return s.ID
		}
	}
	return l.openStatus()
}
