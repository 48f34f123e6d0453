package supportpal

import (
	"context"
	"net/url"
	"sort"
	"strconv"
)

// Message types.
const (
	MessageReply        = 0
	MessageInternalNote = 1 // operators only: never show it to the customer
)

// Message is one message of a ticket. Type is MessageReply or
// MessageInternalNote. By is SupportPal's author kind (0 operator, 1 user
// by a community spec, unverified): to tell the customer's messages from
// staff's, compare UserID with the ticket's UserID instead. PurifiedText is
// SupportPal's cleaned HTML; still sanitise it before display.
type Message struct {
	ID, TicketID, UserID int64
	UserName             string
	By, Type             int
	Excerpt, Text        string
	PurifiedText         string
	IsDraft              bool
	CreatedAt, UpdatedAt int64
}

type wireMessage struct {
	ID           int64  `json:"id"`
	TicketID     int64  `json:"ticket_id"`
	UserID       int64  `json:"user_id"`
	UserName     string `json:"user_name"`
	By           int    `json:"by"`
	Type         int    `json:"type"`
	Excerpt      string `json:"excerpt"`
	Text         string `json:"text"`
	PurifiedText string `json:"purified_text"`
	IsDraft      flag   `json:"is_draft"`
	CreatedAt    int64  `json:"created_at"`
	UpdatedAt    int64  `json:"updated_at"`
}

func (w wireMessage) message() Message {
	return Message{ID: w.ID, TicketID: w.TicketID, UserID: w.UserID, UserName: w.UserName, By: w.By, Type: w.Type,
		Excerpt: w.Excerpt, Text: w.Text, PurifiedText: w.PurifiedText, IsDraft: bool(w.IsDraft),
		CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt}
}

// Messages fetches every message of a ticket (all pages), internal notes
// included, oldest first.
func (c *Client) Messages(ctx context.Context, ticketID int64) ([]Message, error) {
	q := url.Values{"ticket_id": {strconv.FormatInt(ticketID, 10)}, "order_column": {"id"}, "order_direction": {"asc"}}
	ws, err := listAll[wireMessage](ctx, c, "list messages of ticket "+strconv.FormatInt(ticketID, 10), "ticket/message", q)
	if err != nil {
		return nil, err
	}
	out := make([]Message, len(ws))
	for i, w := range ws {
		out[i] = w.message()
	}
	// Paging is by id; order by time as well in case ids and times differ
	// (imported or back-dated messages).
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].CreatedAt != out[j].CreatedAt {
			return out[i].CreatedAt < out[j].CreatedAt
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// NewMessage is a reply to post as UserID (the customer's SupportPal user
// id); Text is HTML (sanitise or escape it first). A message is dated when
// it is posted: SupportPal's official API client sends no created_at for
// messages, so one carried over keeps its date in its text.
type NewMessage struct {
	TicketID, UserID    int64
	Text, UserIPAddress string
	// Quiet sends no e-mail to the user or the operators (a message carried
	// over from another help desk); otherwise SupportPal's settings decide.
	Quiet bool
}

// createMessageBody leaves out zero ids, so SupportPal says which field is
// missing.
type createMessageBody struct {
	TicketID      int64  `json:"ticket_id,omitempty"`
	UserID        int64  `json:"user_id,omitempty"`
	Text          string `json:"text"`
	MessageType   int    `json:"message_type"`
	UserIPAddress string `json:"user_ip_address,omitempty"`
	// The switches are sent only to turn e-mail off.
	SendUserEmail      *bool `json:"send_user_email,omitempty"`
	SendOperatorsEmail *bool `json:"send_operators_email,omitempty"`
}

// CreateMessage posts a reply (never an internal note) to a ticket.
func (c *Client) CreateMessage(ctx context.Context, nm NewMessage) (*Message, error) {
	body := createMessageBody{TicketID: nm.TicketID, UserID: nm.UserID, Text: nm.Text, MessageType: MessageReply,
		UserIPAddress: nm.UserIPAddress}
	if nm.Quiet {
		off := false
		body.SendUserEmail, body.SendOperatorsEmail = &off, &off
	}
	var w wireMessage
	if err := c.post(ctx, "reply to ticket "+strconv.FormatInt(nm.TicketID, 10), "ticket/message", body, &w); err != nil {
		return nil, err
	}
	m := w.message()
	return &m, nil
}
