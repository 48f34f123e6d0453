package support

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/integrations/supportpal"
	"github.com/ezscale/ezscale/internal/htmlsafe"
)

// ListQuery pages a customer's tickets.
type ListQuery struct {
	Page, PerPage int
	Status        string // open (default), closed or all
}

// List is a page of a customer's tickets.
type List struct {
	Page       int      `json:"page"`
	PerPage    int      `json:"perPage"`
	TotalItems int      `json:"totalItems"`
	TotalPages int      `json:"totalPages"`
	Items      []Ticket `json:"items"`
	// Stale: SupportPal could not be reached, the items are the mirror as
	// of the last update.
	Stale bool `json:"stale"`
}

// List refreshes the customer's tickets from SupportPal and answers a page
// of them from the mirror; with SupportPal down it answers the mirror as it
// was, marked stale.
func (d *Desk) List(ctx context.Context, customer *core.Record, q ListQuery) (*List, error) {
	out := &List{Page: max(q.Page, 1), PerPage: q.PerPage, Items: []Ticket{}}
	if out.PerPage < 1 || out.PerPage > 100 {
		out.PerPage = 20
	}
	if err := d.Refresh(ctx, customer); err != nil {
		if !errors.Is(err, ErrUnavailable) {
			return nil, err
		}
		d.app.Logger().Warn("support: showing the mirror, SupportPal unavailable", "customer", customer.Id, "error", err)
		out.Stale = true
	}
	where := dbx.HashExp{"customer": customer.Id}
	filter := dbx.Expression(where)
	switch q.Status {
	case "", "open":
		filter = dbx.And(where, dbx.HashExp{"closed": false})
	case "closed":
		filter = dbx.And(where, dbx.HashExp{"closed": true})
	case "all":
	default:
		return nil, validation.Errors{"status": validation.NewError("validation_invalid_status", "Choose open, closed or all.")}
	}
	total, err := d.app.CountRecords(Collection, filter)
	if err != nil {
		return nil, err
	}
	var rows []*core.Record
	err = d.app.RecordQuery(Collection).AndWhere(filter).
		OrderBy("last_reply_at DESC", "remote_updated_at DESC", "id DESC").
		Limit(int64(out.PerPage)).Offset(int64((out.Page - 1) * out.PerPage)).All(&rows)
	if err != nil {
		return nil, err
	}
	services, err := d.servicesOf(rows)
	if err != nil {
		return nil, err
	}
	for _, row := range rows {
		out.Items = append(out.Items, mirrorView(row, services[row.GetString("service")]))
	}
	out.TotalItems = int(total)
	out.TotalPages = (out.TotalItems + out.PerPage - 1) / out.PerPage
	return out, nil
}

// servicesOf names the related services of mirror rows.
func (d *Desk) servicesOf(rows []*core.Record) (map[string]*ServiceRef, error) {
	var ids []string
	for _, r := range rows {
		if id := r.GetString("service"); id != "" {
			ids = append(ids, id)
		}
	}
	out := map[string]*ServiceRef{}
	if len(ids) == 0 {
		return out, nil
	}
	svcs, err := d.app.FindRecordsByIds(provisioning.ServicesCollection, ids)
	if err != nil {
		return nil, err
	}
	for _, s := range svcs {
		out[s.Id] = serviceRef(provisioning.AsService(s))
	}
	return out, nil
}

// refreshPage is how many tickets one request of a refresh or sync reads.
const refreshPage = 50

// Refresh reads the customer's tickets changed since their newest mirror
// row into the mirror: what opening the tickets pages does, so the list is
// current without waiting for the sync.
func (d *Desk) Refresh(ctx context.Context, customer *core.Record) error {
	ctx, cancel := withTimeout(ctx)
	defer cancel()
	uid, err := d.knownUser(ctx, customer)
	if err != nil || uid == 0 {
		return err
	}
	var newest struct {
		At string `db:"at"`
	}
	err = d.app.DB().Select("COALESCE(MAX(remote_updated_at), '') AS at").From(Collection).
		Where(dbx.HashExp{"customer": customer.Id}).One(&newest)
	if err != nil {
		return err
	}
	filter := supportpal.TicketFilter{User: uid, OrderColumn: "updated_at", OrderDirection: "asc", Limit: refreshPage}
	if at, err := parseDBTime(newest.At); err == nil && !at.IsZero() {
		filter.UpdatedAtMin = at.Unix() // inclusive: the newest row is read again, never a change missed
	}
	since, err := d.cursor()
	if err != nil {
		return err
	}
	_, err = d.pages(ctx, filter, io.Discard, func(t *supportpal.Ticket) error {
		_, err := d.observe(ctx, t, nil, observation{since: since, customer: customer})
		return err
	})
	return err
}

// pages calls fn for every ticket matching f, page by page (start is
// 1-based), printing each page to progress; it answers the pages read.
func (d *Desk) pages(ctx context.Context, f supportpal.TicketFilter, progress io.Writer, fn func(*supportpal.Ticket) error) (int, error) {
	for n, start := 1, 1; ; n, start = n+1, start+f.Limit {
		f.Start = start
		items, count, err := d.api.ListTickets(ctx, f)
		if err != nil {
			return n - 1, fmt.Errorf("list tickets from %d: %w", start, remote(err))
		}
		fmt.Fprintf(progress, "page %d: tickets %d-%d of %d\n", n, start, start+len(items)-1, count)
		for i := range items {
			if err := fn(&items[i]); err != nil {
				return n, err
			}
		}
		if len(items) == 0 || start+f.Limit > count {
			return n, nil
		}
	}
}

// Thread is one of the customer's tickets with its visible messages; a
// ticket that is not theirs is ErrNotFound, exactly like a missing one.
func (d *Desk) Thread(ctx context.Context, customer *core.Record, ticketID int64) (*Thread, error) {
	ctx, cancel := withTimeout(ctx)
	defer cancel()
	t, err := d.ownTicket(ctx, customer, ticketID)
	if err != nil {
		return nil, err
	}
	msgs, err := d.api.Messages(ctx, t.ID)
	if err != nil {
		return nil, fmt.Errorf("read the thread of ticket %d: %w", t.ID, remote(err))
	}
	since, err := d.cursor()
	if err != nil {
		return nil, err
	}
	if _, err := d.observe(ctx, t, msgs, observation{since: since, customer: customer}); err != nil {
		d.app.Logger().Error("support: mirror a viewed ticket", "ticket", t.ID, "error", err)
	}
	service, err := d.mirrorService(t.ID)
	if err != nil {
		return nil, err
	}
	th := threadView(t, msgs, service)
	return &th, nil
}

// mirrorService is the related service the mirror row of a ticket names.
func (d *Desk) mirrorService(ticketID int64) (*ServiceRef, error) {
	row, err := findMirror(d.app, ticketID)
	if err != nil || row == nil || row.GetString("service") == "" {
		return nil, err
	}
	svc, err := provisioning.FindService(d.app, row.GetString("service"))
	if err != nil {
		return nil, nil // the service was deleted; the ticket stands
	}
	return serviceRef(svc), nil
}

// ownTicket reads a ticket and checks it is the customer's.
func (d *Desk) ownTicket(ctx context.Context, customer *core.Record, ticketID int64) (*supportpal.Ticket, error) {
	if ticketID <= 0 {
		return nil, ErrNotFound
	}
	uid, err := d.knownUser(ctx, customer)
	if err != nil {
		return nil, err
	}
	if uid == 0 {
		return nil, ErrNotFound
	}
	t, err := d.api.Ticket(ctx, ticketID)
	if err != nil {
		return nil, fmt.Errorf("read ticket %d: %w", ticketID, remote(err))
	}
	if t.UserID != uid || t.Internal {
		return nil, ErrNotFound
	}
	return t, nil
}

// NewTicket is what a customer fills in to open a ticket.
type NewTicket struct {
	Department int64  `json:"department"`
	Priority   int64  `json:"priority"`
	Subject    string `json:"subject"`
	Message    string `json:"message"` // plain text
	Service    string `json:"service"` // optional: one of their services
	IP         string `json:"-"`
}

// Limits of what a customer types.
const (
	maxSubject = 200
	maxMessage = 20000
)

// Open opens a ticket for the customer in SupportPal and mirrors it. The
// message is plain text, turned into escaped HTML; a related service is
// named in the message, so staff see it in SupportPal too.
func (d *Desk) Open(ctx context.Context, customer *core.Record, in NewTicket) (*Ticket, error) {
	ctx, cancel := withTimeout(ctx)
	defer cancel()
	lookups, err := d.Lookups(ctx)
	if err != nil {
		return nil, err
	}
	in.Subject = strings.TrimSpace(in.Subject)
	in.Message = strings.TrimSpace(in.Message)
	errs := validation.Errors{}
	if _, ok := lookups.department(in.Department); !ok {
		errs["department"] = validation.NewError("validation_invalid_department", "Choose a department.")
	}
	if _, ok := lookups.priority(in.Priority); !ok {
		errs["priority"] = validation.NewError("validation_invalid_priority", "Choose a priority.")
	}
	if in.Subject == "" || utf8.RuneCountInString(in.Subject) > maxSubject {
		errs["subject"] = validation.NewError("validation_invalid_subject", fmt.Sprintf("Enter a subject of up to %d characters.", maxSubject))
	}
	if err := checkMessage(in.Message); err != nil {
		errs["message"] = err
	}
	var svc *provisioning.Service
	if in.Service != "" {
		s, err := provisioning.FindService(d.app, in.Service)
		if err != nil || s.CustomerID() != customer.Id {
			errs["service"] = validation.NewError("validation_invalid_service", "Choose one of your services.")
		}
		svc = s
	}
	if len(errs) > 0 {
		return nil, errs
	}
	uid, err := d.UserFor(ctx, customer)
	if err != nil {
		return nil, err
	}
	text := htmlsafe.FromText(in.Message)
	if svc != nil {
		text += fmt.Sprintf("<p>Service: %s (%s)</p>", html.EscapeString(serviceRef(svc).Name), svc.Id)
	}
	t, err := d.api.CreateTicket(ctx, supportpal.NewTicket{User: uid, Department: in.Department, Status: lookups.openStatus(),
		Priority: in.Priority, Subject: in.Subject, Text: text, UserIPAddress: in.IP})
	if err != nil {
		return nil, fmt.Errorf("open a ticket for customer %s: %w", customer.Id, remote(err))
	}
	// The ticket exists in SupportPal now: a mirror failure is logged, not
	// the customer's problem (the next sync writes the row).
	o := observation{customer: customer, opened: true}
	if svc != nil {
		o.service = svc.Id
	}
	if _, err := d.observe(ctx, t, nil, o); err != nil {
		d.app.Logger().Error("support: mirror a new ticket", "ticket", t.ID, "customer", customer.Id, "error", err)
	}
	view := threadView(t, nil, serviceRef(svc)).Ticket
	view.LastReplyBy = "customer"
	return &view, nil
}

// Reply adds the customer's reply to one of their tickets.
func (d *Desk) Reply(ctx context.Context, customer *core.Record, ticketID int64, message, ip string) (*Message, error) {
	ctx, cancel := withTimeout(ctx)
	defer cancel()
	message = strings.TrimSpace(message)
	if err := checkMessage(message); err != nil {
		return nil, validation.Errors{"message": err}
	}
	t, err := d.ownTicket(ctx, customer, ticketID)
	if err != nil {
		return nil, err
	}
	if t.Locked {
		return nil, ErrLocked
	}
	m, err := d.api.CreateMessage(ctx, supportpal.NewMessage{TicketID: t.ID, UserID: t.UserID,
		Text: htmlsafe.FromText(message), UserIPAddress: ip})
	if err != nil {
		return nil, fmt.Errorf("reply to ticket %d: %w", t.ID, remote(err))
	}
	if fresh, err := d.api.Ticket(ctx, t.ID); err == nil {
		if _, err := d.observe(ctx, fresh, nil, observation{customer: customer}); err != nil {
			d.app.Logger().Error("support: mirror a reply", "ticket", t.ID, "error", err)
		}
	}
	view := messageView(t, m)
	return &view, nil
}

func checkMessage(m string) error {
	if m == "" || utf8.RuneCountInString(m) > maxMessage {
		return validation.NewError("validation_invalid_message", fmt.Sprintf("Write a message of up to %d characters.", maxMessage))
	}
	return nil
}
