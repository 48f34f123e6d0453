package supportpal

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Ticket is a SupportPal ticket with its department, status, priority and
// user embedded. Times are UNIX seconds; last_reply_* follow replies only
// (not internal notes), last_message_* every message.
type Ticket struct {
	ID                                         int64
	Number                                     string
	DepartmentID, UserID, StatusID, PriorityID int64
	Subject                                    string
	Locked, Internal                           bool
	MessagesCount                              int
	LastReplyTime, LastMessageTime             int64
	LastReplyID, LastMessageID                 int64
	CreatedAt, UpdatedAt                       int64
	// FrontendURL opens the ticket on the help desk's customer side.
	FrontendURL string
	Department  Named
	Status      Status
	Priority    Named
	User        User
}

type wireTicket struct {
	ID              int64      `json:"id"`
	Number          number     `json:"number"`
	DepartmentID    int64      `json:"department_id"`
	UserID          int64      `json:"user_id"`
	StatusID        int64      `json:"status_id"`
	PriorityID      int64      `json:"priority_id"`
	Subject         string     `json:"subject"`
	Locked          flag       `json:"locked"`
	Internal        flag       `json:"internal"`
	MessagesCount   int        `json:"messages_count"`
	LastReplyTime   int64      `json:"last_reply_time"`
	LastMessageTime int64      `json:"last_message_time"`
	LastReplyID     int64      `json:"last_reply_id"`
	LastMessageID   int64      `json:"last_message_id"`
	CreatedAt       int64      `json:"created_at"`
	UpdatedAt       int64      `json:"updated_at"`
	FrontendURL     string     `json:"frontend_url"`
	Department      wireNamed  `json:"department"`
	Status          wireStatus `json:"status"`
	Priority        wireNamed  `json:"priority"`
	User            wireUser   `json:"user"`
}

func (w wireTicket) ticket() Ticket {
	return Ticket{ID: w.ID, Number: string(w.Number), DepartmentID: w.DepartmentID, UserID: w.UserID, StatusID: w.StatusID,
		PriorityID: w.PriorityID, Subject: w.Subject, Locked: bool(w.Locked), Internal: bool(w.Internal),
		MessagesCount: w.MessagesCount, LastReplyTime: w.LastReplyTime, LastMessageTime: w.LastMessageTime,
		LastReplyID: w.LastReplyID, LastMessageID: w.LastMessageID, CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt,
		FrontendURL: w.FrontendURL, Department: w.Department.named(), Status: w.Status.status(),
		Priority: w.Priority.named(), User: w.User.user()}
}

// TicketFilter selects tickets. Zero fields are not sent: User 0 means every
// user, Start 0 the first record (Start is 1-based), Limit 0 SupportPal's
// default (50). OrderColumn is e.g. "updated_at", OrderDirection "asc" or
// "desc".
type TicketFilter struct {
	User           int64
	Status         []int64
	UpdatedAtMin   int64 // UNIX seconds, inclusive
	Start, Limit   int
	OrderColumn    string
	OrderDirection string
}

func (f TicketFilter) query() url.Values {
	q := url.Values{}
	if f.User != 0 {
		q.Set("user", strconv.FormatInt(f.User, 10))
	}
	if len(f.Status) > 0 {
		ids := make([]string, len(f.Status))
		for i, id := range f.Status {
			ids[i] = strconv.FormatInt(id, 10)
		}
		q.Set("status", strings.Join(ids, ","))
	}
	if f.UpdatedAtMin != 0 {
		q.Set("updated_at_min", strconv.FormatInt(f.UpdatedAtMin, 10))
	}
	if f.Start > 0 {
		q.Set("start", strconv.Itoa(f.Start))
	}
	if f.Limit > 0 {
		q.Set("limit", strconv.Itoa(f.Limit))
	}
	if f.OrderColumn != "" {
		q.Set("order_column", f.OrderColumn)
	}
	if f.OrderDirection != "" {
		q.Set("order_direction", f.OrderDirection)
	}
	return q
}

// ListTickets fetches one page of tickets; count is the number of all
// matching tickets, so the caller pages on with Start += len(items) while
// Start <= count.
func (c *Client) ListTickets(ctx context.Context, f TicketFilter) (items []Ticket, count int, err error) {
	ws, count, err := listPage[wireTicket](ctx, c, "list tickets", "ticket/ticket", f.query())
	if err != nil {
		return nil, 0, err
	}
	items = make([]Ticket, len(ws))
	for i, w := range ws {
		items[i] = w.ticket()
	}
	return items, count, nil
}

// Ticket fetches one ticket; IsNotFound when there is none with this id.
func (c *Client) Ticket(ctx context.Context, id int64) (*Ticket, error) {
	var w wireTicket
	if err := c.get(ctx, "get ticket "+strconv.FormatInt(id, 10), idPath("ticket/ticket", id), nil, &w); err != nil {
		return nil, err
	}
	t := w.ticket()
	return &t, nil
}

// NewTicket is a ticket to open for a user; Text is the first message as
// HTML (sanitise or escape it first), UserIPAddress the customer's address.
type NewTicket struct {
	User, Department, Status, Priority int64
	Subject, Text, UserIPAddress       string
	// Quiet sends no e-mail to the user or the operators: a ticket carried
	// over from another help desk is old news to both.
	Quiet bool
	// CreatedAt (UNIX seconds, 0 = now) back-dates a carried-over ticket.
	CreatedAt int64
}

// createTicketBody leaves out zero ids, so SupportPal says which field is
// missing rather than that id 0 is invalid.
type createTicketBody struct {
	User               int64  `json:"user,omitempty"`
	Department         int64  `json:"department,omitempty"`
	Status             int64  `json:"status,omitempty"`
	Priority           int64  `json:"priority,omitempty"`
	Subject            string `json:"subject"`
	Text               string `json:"text"`
	UserIPAddress      string `json:"user_ip_address,omitempty"`
	SendUserEmail      int    `json:"send_user_email"`
	SendOperatorsEmail int    `json:"send_operators_email"`
	CreatedAt          int64  `json:"created_at,omitempty"`
}

// CreateTicket opens a ticket; unless it is Quiet, the customer gets
// SupportPal's acknowledgement e-mail and the department's operators are
// notified.
func (c *Client) CreateTicket(ctx context.Context, nt NewTicket) (*Ticket, error) {
	body := createTicketBody{User: nt.User, Department: nt.Department, Status: nt.Status, Priority: nt.Priority,
		Subject: nt.Subject, Text: nt.Text, UserIPAddress: nt.UserIPAddress, SendUserEmail: bit(!nt.Quiet),
		SendOperatorsEmail: bit(!nt.Quiet), CreatedAt: nt.CreatedAt}
	var w wireTicket
	if err := c.post(ctx, "create ticket for user "+strconv.FormatInt(nt.User, 10), "ticket/ticket", body, &w); err != nil {
		return nil, err
	}
	t := w.ticket()
	return &t, nil
}

// SetTicketStatus moves a ticket to a status (look the id up by name: ids
// differ between installs) and answers the updated ticket.
func (c *Client) SetTicketStatus(ctx context.Context, id, status int64) (*Ticket, error) {
	op := "set the status of ticket " + strconv.FormatInt(id, 10)
	env, err := c.do(ctx, op, http.MethodPut, idPath("ticket/ticket", id), nil, map[string]int64{"status": status})
	if err != nil {
		return nil, err
	}
	var w wireTicket
	if err := env.decode(op, &w); err != nil {
		return nil, err
	}
	t := w.ticket()
	return &t, nil
}
