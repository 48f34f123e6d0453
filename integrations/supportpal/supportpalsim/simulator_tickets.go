package supportpalsim

import (
	"html"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

func (s *Simulator) ticketJSON(t *simTicket) map[string]any {
	return map[string]any{
		"id": t.ID, "number": t.Number,
		"department_id": t.DepartmentID, "department_email_id": int64(1), "brand_id": int64(1), "channel_id": int64(1),
		"user_id": t.UserID, "status_id": t.StatusID, "priority_id": t.PriorityID, "sla_plan_id": nil,
		"subject": t.Subject, "due_time": nil, "resolved_time": nil, "cc": []any{},
		"locked": bit(t.Locked), "merged": 0, "internal": 0,
		"messages_count": t.MessagesCount, "notes_count": t.NotesCount, "has_attachments": 0,
		"last_reply_time": t.LastReplyTime, "last_message_time": t.LastMessageTime,
		"last_reply_id": t.LastReplyID, "last_message_id": t.LastMessageID,
		"created_at": t.CreatedAt, "updated_at": t.UpdatedAt, "deleted_at": nil,
		"token":        t.Token,
		"frontend_url": s.base + "/en/tickets/view/" + t.Number,
		"operator_url": s.base + "/admin/ticket/view/" + strconv.FormatInt(t.ID, 10),
		"department":   departmentJSON(s.department(t.DepartmentID)),
		"status":       statusJSON(s.status(t.StatusID)),
		"priority":     priorityJSON(s.priority(t.PriorityID)),
		"user":         s.userJSON(s.users[t.UserID]),
		"tags":         []any{}, "assigned": []any{}, "watching": []any{}, "customfields": []any{},
	}
}

// listTickets filters by user, status, department and priority (ids,
// comma-separated lists for the last three) and created/updated_at_min/max.
func (s *Simulator) listTickets(q url.Values) ([]map[string]any, *simErr) {
	user, e := intParam(q, "user", 0)
	if e != nil {
		return nil, e
	}
	sets := map[string]map[int64]bool{}
	for _, name := range []string{"status", "department", "priority"} {
		if sets[name], e = idsParam(q, name); e != nil {
			return nil, e
		}
	}
	bounds := map[string]int64{}
	for _, name := range []string{"created_at_min", "created_at_max", "updated_at_min", "updated_at_max"} {
		if bounds[name], e = intParam(q, name, -1); e != nil {
			return nil, e
		}
	}
	inRange := func(v int64, lo, hi string) bool {
		return (bounds[lo] < 0 || v >= bounds[lo]) && (bounds[hi] < 0 || v <= bounds[hi])
	}
	in := func(set map[int64]bool, id int64) bool { return set == nil || set[id] }
	items := []map[string]any{}
	for _, id := range sortedIDs(s.tickets) {
		t := s.tickets[id]
		if (user != 0 && t.UserID != user) || !in(sets["status"], t.StatusID) || !in(sets["department"], t.DepartmentID) ||
			!in(sets["priority"], t.PriorityID) || !inRange(t.CreatedAt, "created_at_min", "created_at_max") ||
			!inRange(t.UpdatedAt, "updated_at_min", "updated_at_max") {
			continue
		}
		items = append(items, s.ticketJSON(t))
	}
	return items, nil
}

func (s *Simulator) getTicket(id int64) (map[string]any, *simErr) {
	t := s.tickets[id]
	if t == nil {
		return nil, notFound("Ticket")
	}
	return s.ticketJSON(t), nil
}

// createTicket opens a ticket with its first message, validating the
// fields in SupportPal's order and words.
func (s *Simulator) createTicket(b body) (map[string]any, *simErr) {
	user, e := b.requiredID("user", "user", func(id int64) bool { return s.users[id] != nil })
	if e != nil {
		return nil, e
	}
	dept, e := b.requiredID("department", "department", func(id int64) bool { return s.department(id) != nil })
	if e != nil {
		return nil, e
	}
	status, e := b.requiredID("status", "status", func(id int64) bool { return s.status(id) != nil })
	if e != nil {
		return nil, e
	}
	prio, e := b.requiredID("priority", "priority", func(id int64) bool { return s.priority(id) != nil })
	if e != nil {
		return nil, e
	}
	subject := strings.TrimSpace(b.str("subject"))
	switch {
	case subject == "":
		return nil, invalid("The subject field is required.")
	case utf8.RuneCountInString(subject) > 255:
		return nil, invalid("The subject may not be greater than 255 characters.")
	}
	text := b.str("text")
	if strings.TrimSpace(text) == "" {
		return nil, invalid("The text field is required.")
	}
	now := s.now().Unix()
	t := &simTicket{ID: s.nextTicket, Number: s.newTicketNumber(), Token: randomHex(20), DepartmentID: dept, UserID: user,
		StatusID: status, PriorityID: prio, Subject: subject, CreatedAt: now, UpdatedAt: now}
	s.nextTicket++
	s.tickets[t.ID] = t
	s.addMessage(t, user, MessageReply, text, b.str("user_ip_address"), false)
	return s.ticketJSON(t), nil
}

// updateTicket changes a ticket's status, the one field of the contract's
// update the platform sends; other fields are ignored.
func (s *Simulator) updateTicket(id int64, b body) (map[string]any, *simErr) {
	t := s.tickets[id]
	if t == nil {
		return nil, notFound("Ticket")
	}
	if b.has("status") {
		status, e := b.requiredID("status", "status", func(id int64) bool { return s.status(id) != nil })
		if e != nil {
			return nil, e
		}
		t.StatusID, t.UpdatedAt = status, s.now().Unix()
	}
	return s.ticketJSON(t), nil
}

var (
	simTagRE   = regexp.MustCompile(`<[^>]*>`)
	simSpaceRE = regexp.MustCompile(`\s+`)
)

// excerpt is the message's text without tags, shortened.
func excerpt(htmlText string) string {
	s := strings.TrimSpace(simSpaceRE.ReplaceAllString(html.UnescapeString(simTagRE.ReplaceAllString(htmlText, " ")), " "))
	if utf8.RuneCountInString(s) > 100 {
		s = string([]rune(s)[:100]) + "…"
	}
	return s
}

func (s *Simulator) messageJSON(m *simMessage) map[string]any {
	return map[string]any{
		"id": m.ID, "ticket_id": m.TicketID, "channel_id": int64(1), "user_id": m.UserID, "user_name": m.UserName,
		"user_ip_address": nilIfEmpty(m.IP), "by": m.By, "type": m.Type,
		"excerpt": excerpt(m.Text), "text": m.Text, "purified_text": m.Text, "is_draft": bit(m.IsDraft),
		"social_id": nil, "extra": map[string]any{"to_address": []any{}, "cc_address": []any{}, "bcc_address": []any{}},
		"created_at": m.CreatedAt, "updated_at": m.UpdatedAt, "attachments": []any{},
	}
}

// addMessage stores a message and keeps the ticket's counters and times: a
// note moves only last_message_* and updated_at; a customer's reply on a
// closed ticket reopens it. Drafts change nothing on the ticket.
func (s *Simulator) addMessage(t *simTicket, userID int64, typ int, text, ip string, draft bool) *simMessage {
	now := s.now().Unix()
	m := &simMessage{ID: s.nextMessage, TicketID: t.ID, UserID: userID, IP: ip, Type: typ, Text: text, IsDraft: draft,
		CreatedAt: now, UpdatedAt: now}
	s.nextMessage++
	if name, ok := s.operators[userID]; ok {
		m.UserName, m.By = name, byOperator
	} else {
		m.UserName, m.By = s.users[userID].formattedName(), byUser
	}
	s.messages[m.ID] = m
	if draft {
		return m
	}
	t.LastMessageTime, t.LastMessageID, t.UpdatedAt = now, m.ID, now
	if typ == MessageInternalNote {
		t.NotesCount++
		return m
	}
	t.MessagesCount++
	t.LastReplyTime, t.LastReplyID = now, m.ID
	if m.By == byUser && t.StatusID == simStatusClosed {
		t.StatusID = simStatusOpen
	}
	return m
}

// listMessages needs ticket_id (an unknown ticket answers 404) and filters
// by type; drafts only with include_draft=1.
func (s *Simulator) listMessages(q url.Values) ([]map[string]any, *simErr) {
	if strings.TrimSpace(q.Get("ticket_id")) == "" {
		return nil, invalid("The ticket id field is required.")
	}
	tid, e := intParam(q, "ticket_id", 0)
	if e != nil {
		return nil, e
	}
	if s.tickets[tid] == nil {
		return nil, notFound("Ticket")
	}
	typ, e := intParam(q, "type", -1)
	if e != nil {
		return nil, e
	}
	drafts := q.Get("include_draft") == "1" || q.Get("include_draft") == "true"
	items := []map[string]any{}
	for _, id := range sortedIDs(s.messages) {
		m := s.messages[id]
		if m.TicketID != tid || (typ >= 0 && int64(m.Type) != typ) || (m.IsDraft && !drafts) {
			continue
		}
		items = append(items, s.messageJSON(m))
	}
	return items, nil
}

func (s *Simulator) getMessage(id int64) (map[string]any, *simErr) {
	m := s.messages[id]
	if m == nil {
		return nil, notFound("Message")
	}
	return s.messageJSON(m), nil
}

// createMessage posts a reply or note. A locked ticket takes no replies
// from its customer.
func (s *Simulator) createMessage(b body) (map[string]any, *simErr) {
	tid, e := b.requiredID("ticket_id", "ticket id", func(id int64) bool { return s.tickets[id] != nil })
	if e != nil {
		return nil, e
	}
	user, e := b.requiredID("user_id", "user id", s.userExists)
	if e != nil {
		return nil, e
	}
	text := b.str("text")
	if strings.TrimSpace(text) == "" {
		return nil, invalid("The text field is required.")
	}
	typ := int64(MessageReply)
	if b.has("message_type") {
		var ok bool
		if typ, ok = b.int("message_type"); !ok || (typ != MessageReply && typ != MessageInternalNote) {
			return nil, invalid("The selected message type is invalid.")
		}
	}
	draft := false
	if b.has("is_draft") {
		var ok bool
		if draft, ok = b.bool("is_draft"); !ok {
			return nil, invalid("The is draft field must be true or false.")
		}
	}
	t := s.tickets[tid]
	if t.Locked && user == t.UserID {
		return nil, invalid("This ticket is locked and can no longer be replied to.")
	}
	if typ == MessageInternalNote && s.users[user] != nil {
		return nil, invalid("Only operators can add notes.")
	}
	return s.messageJSON(s.addMessage(t, user, int(typ), text, b.str("user_ip_address"), draft)), nil
}
