package supportpalsim

// The simulator's views of its records, for tests to inspect what the
// help desk holds. They have the field names and types of the client's
// supportpal.User, Ticket and Message, so a test compares them with what
// the client decoded through a conversion, but are built from the
// simulator's state: the simulator does not share the client's decoding.

// Message types on the wire (the contract's "type").
const (
	MessageReply        = 0
	MessageInternalNote = 1 // operators only
)

// User is a help-desk user as SupportPal answers it.
type User struct {
	ID                                        int64
	Email, Firstname, Lastname, FormattedName string
	Active                                    bool
	CreatedAt, UpdatedAt                      int64 // UNIX seconds
}

// Named is a department or priority: its id and name.
type Named struct {
	ID   int64
	Name string
}

// Status is a ticket status.
type Status struct {
	ID        int64
	Name      string
	Colour    string
	AutoClose bool
	Order     int
}

// Ticket is a ticket with its department, status, priority and user.
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
	FrontendURL                                string
	Department                                 Named
	Status                                     Status
	Priority                                   Named
	User                                       User
}

// Message is one message of a ticket.
type Message struct {
	ID, TicketID, UserID int64
	UserName             string
	By, Type             int
	Excerpt, Text        string
	PurifiedText         string
	IsDraft              bool
	CreatedAt, UpdatedAt int64
}

func (u *simUser) view() User {
	return User{ID: u.ID, Email: u.Email, Firstname: u.Firstname, Lastname: u.Lastname, FormattedName: u.formattedName(),
		Active: u.Active, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
}

func (s *Simulator) ticketView(t *simTicket) Ticket {
	d, st, p := s.department(t.DepartmentID), s.status(t.StatusID), s.priority(t.PriorityID)
	return Ticket{ID: t.ID, Number: t.Number, DepartmentID: t.DepartmentID, UserID: t.UserID, StatusID: t.StatusID,
		PriorityID: t.PriorityID, Subject: t.Subject, Locked: t.Locked, MessagesCount: t.MessagesCount,
		LastReplyTime: t.LastReplyTime, LastMessageTime: t.LastMessageTime, LastReplyID: t.LastReplyID,
		LastMessageID: t.LastMessageID, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt,
		FrontendURL: s.base + "/en/tickets/view/" + t.Number,
		Department:  Named{ID: d.ID, Name: d.Name},
		Status:      Status{ID: st.ID, Name: st.Name, Colour: st.Colour, AutoClose: st.AutoClose, Order: st.Order},
		Priority:    Named{ID: p.ID, Name: p.Name},
		User:        s.users[t.UserID].view()}
}

func (m *simMessage) view() Message {
	return Message{ID: m.ID, TicketID: m.TicketID, UserID: m.UserID, UserName: m.UserName, By: m.By, Type: m.Type,
		Excerpt: excerpt(m.Text), Text: m.Text, PurifiedText: m.Text, IsDraft: m.IsDraft,
		CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt}
}

// bit is SupportPal's 0/1 form of a boolean.
func bit(b bool) int {
	if b {
		return 1
	}
	return 0
}
