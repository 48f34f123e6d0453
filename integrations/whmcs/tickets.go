package whmcs

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/ezscale/ezscale/integrations/support"
	"github.com/ezscale/ezscale/internal/htmlsafe"
)

// archiveColumns are written from WHMCS on every run; the SupportPal
// progress is carried over from the stored row unless this run moved it.
var archiveColumns = []string{"customer", "service", "number", "subject", "department", "status", "priority",
	"opened_at", "last_reply_at", "messages", "supportpal_id", "supportpal_messages"}

// maxThread is the archive's messages field limit (its MaxSize).
const maxThread = 5 << 20

// archivedMessage is one message of a ticket_archive row.
type archivedMessage struct {
	Author    string `json:"author"` // customer or staff
	Name      string `json:"name"`
	HTML      string `json:"html"`
	CreatedAt string `json:"created_at"`
}

// ticketReply is a tblticketreplies row.
type ticketReply struct {
	id, ticketID, userID int64
	name, admin, message string
	date                 sql.NullTime
}

// importTickets archives every client's tickets with their replies in
// ticket_archive, readable by the customer, and, when a help desk is
// configured, carries each over into SupportPal once (see sendToDesk).
// Guest tickets and tickets of deleted clients have nobody to belong to:
// they are listed.
//
// Tickets and replies are read as two streams ordered by ticket id and
// merged, so a large help desk never sits in memory. A ticket staff merged
// into another (merged_ticket_id, WHMCS 8) is no ticket of its own: its
// message and replies are in the thread of the ticket it was merged into,
// in date order, and it is listed.
func (im *importer) importTickets(ctx context.Context) error {
	if err := im.loadClients(ctx); err != nil {
		return err
	}
	merged, err := im.mergedTickets(ctx)
	if err != nil {
		return err
	}
	c := im.report.count("tickets")
	rc := im.report.count("ticket_replies")
	t, err := im.table("ticket_archive", c, archiveColumns)
	if err != nil {
		return err
	}
	services, err := im.table("services", &Count{}, nil)
	if err != nil {
		return err
	}
	var total int
	if err := im.src.QueryRowContext(ctx, "SELECT COUNT(*) FROM tbltickets").Scan(&total); err != nil {
		return fmt.Errorf("read WHMCS: %w", err)
	}
	replyRows, err := im.rows(ctx, `SELECT id, tid, userid, name, admin, message, date FROM tblticketreplies ORDER BY tid, date, id`)
	if err != nil {
		return err
	}
	defer replyRows.Close()
	replies := &replyStream{rows: replyRows}
	if err := replies.advance(); err != nil {
		return err
	}
	orphanReplies := func(below int64, all bool) error {
		for replies.ok && (all || replies.cur.ticketID < below) {
			rc.Read++
			im.report.skip(rc, replies.cur.id, "reply to ticket %d, which does not exist", replies.cur.ticketID)
			if err := replies.advance(); err != nil {
				return err
			}
		}
		return nil
	}

	rows, err := im.rows(ctx, `SELECT t.id, COALESCE(t.tid, ''), t.userid, t.name, t.title, t.message, t.status, t.urgency,
		t.date, t.lastreply, t.service, COALESCE(d.name, ''), COALESCE(TRIM(CONCAT(cl.firstname, ' ', cl.lastname)), '')
		FROM tbltickets t LEFT JOIN tblticketdepartments d ON d.id = t.did LEFT JOIN tblclients cl ON cl.id = t.userid
		ORDER BY t.id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	d := &deskRun{desk: im.opts.Desk}
	n := 0
	for rows.Next() {
		var id, clientID int64
		var tid, guestName, title, message, status, urgency, service, department, clientName string
		var opened, lastReply sql.NullTime
		if err := rows.Scan(&id, &tid, &clientID, &guestName, &title, &message, &status, &urgency, &opened, &lastReply,
			&service, &department, &clientName); err != nil {
			return err
		}
		c.Read++
		n++
		im.progress("tickets", n, total)
		if err := orphanReplies(id, false); err != nil {
			return err
		}
		var thread []ticketReply
		for replies.ok && replies.cur.ticketID == id {
			thread = append(thread, replies.cur)
			if err := replies.advance(); err != nil {
				return err
			}
		}
		rc.Read += len(thread)

		if into, ok := merged.into[id]; ok {
			// Its replies are read with the ticket it went into.
			rc.Read -= len(thread)
			im.report.skip(c, id, "merged into ticket %d: its messages are in that ticket's thread", into)
			continue
		}
		if extra := merged.threads[id]; len(extra) > 0 {
			thread = append(thread, extra...)
			sort.SliceStable(thread, func(i, j int) bool { return date(thread[i].date).Before(date(thread[j].date)) })
			rc.Read += len(extra)
		}

		cl := im.clients[clientID]
		reason := ""
		switch {
		case clientID == 0:
			reason = "guest ticket (no client account to attach it to)"
		case cl == nil:
			reason = fmt.Sprintf("client %d no longer exists", clientID)
		case cl.record == "":
			reason = fmt.Sprintf("client %d was not imported", clientID)
		}
		if reason != "" {
			im.report.skip(c, id, "%s", reason)
			rc.Skipped += len(thread) // listed with their ticket
			continue
		}

		customerName := text(clientName)
		msgs := make([]archivedMessage, 0, 1+len(thread))
		msgs = append(msgs, archivedMessage{Author: "customer", Name: firstOf(text(guestName), customerName),
			HTML: htmlsafe.FromText(text(message)), CreatedAt: jsonDate(date(opened))})
		for _, r := range thread {
			m := archivedMessage{Author: "customer", Name: firstOf(text(r.name), customerName),
				HTML: htmlsafe.FromText(text(r.message)), CreatedAt: jsonDate(date(r.date))}
			if r.userID == 0 && text(r.admin) != "" {
				m.Author, m.Name = "staff", text(r.admin)
			}
			msgs = append(msgs, m)
		}
		raw, err := threadJSON(msgs)
		if err != nil {
			return err
		}
		if len(raw) > maxThread {
			im.report.fail(c, id, fmt.Errorf("its thread is %d bytes, more than the archive keeps (%d)", len(raw), maxThread))
			rc.Failed += len(thread)
			continue
		}

		whmcsID := strconv.FormatInt(id, 10)
		serviceID := ""
		if s := strings.TrimSpace(service); strings.HasPrefix(s, "S") {
			if serviceID = services.id(s[1:]); serviceID == "" {
				im.report.note("tickets", id, "related service %s was not imported; archived without it", s)
			}
		}
		number := clip(strings.TrimSpace(tid), 40)
		if number == "" {
			number = whmcsID
		}
		values := map[string]any{
			"customer": cl.record, "service": serviceID, "number": number, "subject": clip(text(title), 500),
			"department": clip(text(department), 200), "status": clip(text(status), 100), "priority": clip(text(urgency), 40),
			"opened_at": date(opened), "last_reply_at": date(lastReply), "messages": types.JSONRaw(raw),
		}
		progress := storedProgress(t, whmcsID)
		sent := false
		if d.desk != nil {
			progress, sent = im.sendToDesk(ctx, d, id, cl.record, support.ImportedTicket{Subject: text(title),
				Department: text(department), Priority: text(urgency), Status: text(status), Messages: deskMessages(msgs, opened, thread)},
				progress)
		}
		values["supportpal_id"], values["supportpal_messages"] = progress.TicketID, int64(progress.Messages)

		countReplies(rc, t, whmcsID, msgs)
		t.put(whmcsID, values)
		if sent {
			// The SupportPal ticket exists now: remember it at once, even
			// if the run is being interrupted, so no run creates it again.
			if err := im.flush(context.WithoutCancel(ctx), t); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if err := orphanReplies(0, true); err != nil {
		return err
	}
	return im.flush(ctx, t)
}

// replyStream walks tblticketreplies in ticket order, one row ahead.
type replyStream struct {
	rows *sql.Rows
	cur  ticketReply
	ok   bool
}

func (s *replyStream) advance() error {
	s.ok = s.rows.Next()
	if !s.ok {
		return s.rows.Err()
	}
	r := ticketReply{}
	if err := s.rows.Scan(&r.id, &r.ticketID, &r.userID, &r.name, &r.admin, &r.message, &r.date); err != nil {
		return err
	}
	s.cur = r
	return nil
}

// countReplies tallies a ticket's replies against its archived thread: a
// reply the stored thread lacks is created, one that differs updated.
func countReplies(rc *Count, t *table, whmcsID string, msgs []archivedMessage) {
	var before []archivedMessage
	if s, ok := t.byWHMCS[whmcsID]; ok {
		_ = json.Unmarshal([]byte(s.values["messages"]), &before)
	}
	for i := 1; i < len(msgs); i++ {
		switch {
		case i >= len(before):
			rc.Created++
		case before[i] != msgs[i]:
			rc.Updated++
		default:
			rc.Unchanged++
		}
	}
}

// deskRun is the help-desk side of a run: its tally, and the outage that
// stops further calls (each would wait for a timeout).
type deskRun struct {
	desk *support.Desk
	down error
}

// sendToDesk carries a ticket over into SupportPal, or the messages it got
// since an earlier run did. It answers the progress to remember and
// whether SupportPal was called. A failure lists the ticket as failed;
// the next run retries what is missing.
func (im *importer) sendToDesk(ctx context.Context, d *deskRun, id int64, customerID string, tk support.ImportedTicket,
	done support.ImportProgress) (support.ImportProgress, bool) {
	sp := im.report.count("supportpal_tickets")
	sp.Read++
	switch {
	case done.TicketID > 0 && done.Messages >= len(tk.Messages):
		sp.Unchanged++
		return done, false
	case im.opts.DryRun:
		if done.TicketID == 0 {
			sp.Created++
		} else {
			sp.Updated++
		}
		return done, false
	case d.down != nil:
		im.report.fail(sp, id, fmt.Errorf("not sent, SupportPal is unavailable: %w", d.down))
		return done, false
	}
	customer, err := im.app.FindRecordById("customers", customerID)
	if err != nil {
		im.report.fail(sp, id, fmt.Errorf("customer %s: %w", customerID, err))
		return done, false
	}
	progress, err := d.desk.Import(ctx, customer, tk, done)
	switch {
	case errors.Is(err, support.ErrUnverified):
		// SupportPal knows users by address; an unproven one is linked to
		// nobody's account there. The archive has the ticket; a run after
		// the customer verified their address sends it.
		im.report.skip(sp, id, "customer %s has not verified their email address: kept in the archive, not sent to SupportPal", customerID)
	case err != nil:
		im.report.fail(sp, id, err)
		if errors.Is(err, support.ErrUnavailable) {
			d.down = err
		}
	case done.TicketID == 0:
		sp.Created++
	default:
		sp.Updated++
	}
	return progress, progress != done
}

// storedProgress is how far an earlier run got the ticket into SupportPal.
func storedProgress(t *table, whmcsID string) support.ImportProgress {
	s, ok := t.byWHMCS[whmcsID]
	if !ok {
		return support.ImportProgress{}
	}
	id, _ := strconv.ParseInt(s.values["supportpal_id"], 10, 64)
	n, _ := strconv.Atoi(s.values["supportpal_messages"])
	return support.ImportProgress{TicketID: id, Messages: n}
}

// deskMessages is the archived thread as SupportPal gets it.
func deskMessages(msgs []archivedMessage, opened sql.NullTime, thread []ticketReply) []support.ImportedMessage {
	out := make([]support.ImportedMessage, len(msgs))
	for i, m := range msgs {
		at := date(opened)
		if i > 0 {
			at = date(thread[i-1].date)
		}
		out[i] = support.ImportedMessage{Staff: m.Author == "staff", Name: m.Name, HTML: m.HTML, At: at}
	}
	return out
}

// threadJSON is the messages column: HTML kept readable (no \u003c).
func threadJSON(msgs []archivedMessage) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(msgs); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// jsonDate is a date as PocketBase writes them, "" for none.
func jsonDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	d, _ := types.ParseDateTime(t)
	return d.String()
}

func firstOf(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// mergedSet is what merged tickets (merged_ticket_id) hold: the ticket each
// went into (followed to the end of a chain), and for each such ticket the
// messages it gained.
type mergedSet struct {
	into    map[int64]int64
	threads map[int64][]ticketReply
}

// mergedTickets reads the merged tickets and their replies; none when the
// WHMCS database predates merged_ticket_id. A merge into a ticket that no
// longer exists leaves the ticket a ticket of its own.
func (im *importer) mergedTickets(ctx context.Context) (mergedSet, error) {
	set := mergedSet{into: map[int64]int64{}, threads: map[int64][]ticketReply{}}
	ok, err := im.hasColumn(ctx, "tbltickets", "merged_ticket_id")
	if err != nil || !ok {
		return set, err
	}
	rows, err := im.rows(ctx, `SELECT t.id, t.merged_ticket_id, t.userid, t.name, COALESCE(t.tid, ''), t.title, t.message, t.date
		FROM tbltickets t JOIN tbltickets target ON target.id = t.merged_ticket_id
		WHERE t.merged_ticket_id <> 0 AND t.merged_ticket_id <> t.id ORDER BY t.id`)
	if err != nil {
		return set, err
	}
	defer rows.Close()
	parent := map[int64]int64{}
	var openings []ticketReply
	for rows.Next() {
		var id, into, userID int64
		var name, tid, title, message string
		var at sql.NullTime
		if err := rows.Scan(&id, &into, &userID, &name, &tid, &title, &message, &at); err != nil {
			return set, err
		}
		parent[id] = into
		if strings.TrimSpace(tid) == "" {
			tid = strconv.FormatInt(id, 10)
		}
		// The merged ticket's own message, opened by what it was.
		openings = append(openings, ticketReply{ticketID: id, userID: userID, name: name, date: at,
			message: "[Merged from ticket " + strings.TrimSpace(tid) + ": " + title + "]\n\n" + message})
	}
	if err := rows.Err(); err != nil {
		return set, err
	}
	rows.Close()
	for id := range parent {
		target, hops := parent[id], 0
		for next, ok := parent[target]; ok && hops < len(parent); next, ok = parent[target] {
			target, hops = next, hops+1
		}
		if _, loop := parent[target]; !loop {
			set.into[id] = target
		}
	}
	for _, o := range openings {
		if target, ok := set.into[o.ticketID]; ok {
			set.threads[target] = append(set.threads[target], o)
		}
	}
	replies, err := im.rows(ctx, `SELECT r.id, r.tid, r.userid, r.name, r.admin, r.message, r.date FROM tblticketreplies r
		JOIN tbltickets t ON t.id = r.tid WHERE t.merged_ticket_id <> 0 ORDER BY r.tid, r.date, r.id`)
	if err != nil {
		return set, err
	}
	defer replies.Close()
	for replies.Next() {
		var r ticketReply
		if err := replies.Scan(&r.id, &r.ticketID, &r.userID, &r.name, &r.admin, &r.message, &r.date); err != nil {
			return set, err
		}
		if target, ok := set.into[r.ticketID]; ok {
			set.threads[target] = append(set.threads[target], r)
		}
	}
	return set, replies.Err()
}
