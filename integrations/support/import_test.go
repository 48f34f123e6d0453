package support_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ezscale/ezscale/integrations/support"
	"github.com/ezscale/ezscale/integrations/supportpal"
	"github.com/ezscale/ezscale/integrations/supportpal/supportpalsim"
	"github.com/ezscale/ezscale/internal/testutil"
)

// importFront sits before the simulator: it records every ticket and
// message creation's body and can fail the nth message post.
type importFront struct {
	sim *supportpalsim.Simulator

	mu       sync.Mutex
	bodies   []map[string]any
	posts    int // message posts seen
	failPost int // answer 503 to this message post (1-based; 0 never)
}

func (f *importFront) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost && (r.URL.Path == "/api/ticket/ticket" || r.URL.Path == "/api/ticket/message") {
		raw, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(raw))
		var body map[string]any
		_ = json.Unmarshal(raw, &body)
		f.mu.Lock()
		f.bodies = append(f.bodies, body)
		fail := false
		if r.URL.Path == "/api/ticket/message" {
			f.posts++
			fail = f.posts == f.failPost
		}
		f.mu.Unlock()
		if fail {
			http.Error(w, "upstream timed out", http.StatusServiceUnavailable)
			return
		}
	}
	f.sim.ServeHTTP(w, r)
}

func TestImportTicket(t *testing.T) {
	app := testutil.NewApp(t)
	sim := supportpalsim.New("test-supportpal-token", nil)
	front := &importFront{sim: sim}
	srv := httptest.NewServer(front)
	defer srv.Close()
	api, err := supportpal.New(supportpal.Config{URL: srv.URL, Token: "test-supportpal-token"})
	if err != nil {
		t.Fatal(err)
	}
	desk := support.New(app, support.Config{API: api})
	jane := testutil.Customer(t, app, "jane@example.com", "EUR")
	ctx := context.Background()
	at := time.Date(2021, 3, 18, 18, 25, 54, 0, time.UTC)
	msg := func(staff bool, name, text string, after time.Duration) support.ImportedMessage {
		return support.ImportedMessage{Staff: staff, Name: name, HTML: "<p>" + text + "</p>", At: at.Add(after)}
	}
	thread := []support.ImportedMessage{
		msg(false, "Jane", "It is down 🔥", 0),
		msg(true, "Sam Fixturewright", "Restarted &amp; fine", time.Hour),
		msg(false, "Jane", "Thanks!", 2*time.Hour),
	}
	closed := support.ImportedTicket{Subject: "Server down 🚀", Department: "billing", Priority: "High", Status: "Closed", Messages: thread}

	type want struct {
		messages         int
		department, prio string
		status           string
		err              error
	}
	cases := []struct {
		name     string
		ticket   support.ImportedTicket
		done     func(prev support.ImportProgress) support.ImportProgress
		failPost int
		want     want
	}{
		{"a closed thread", closed, func(support.ImportProgress) support.ImportProgress { return support.ImportProgress{} }, 0,
			want{3, "Billing", "High", "Closed", nil}},
		{"run again: nothing to do", closed, func(p support.ImportProgress) support.ImportProgress { return p }, 0,
			want{3, "Billing", "High", "Closed", nil}},
		{"a reply written since", support.ImportedTicket{Subject: closed.Subject, Department: closed.Department, Priority: closed.Priority,
			Status: "Closed", Messages: append(thread[:3:3], msg(false, "Jane", "Down again", 3*time.Hour))},
			func(p support.ImportProgress) support.ImportProgress { return p }, 0, want{4, "Billing", "High", "Closed", nil}},
		{"names SupportPal lacks", support.ImportedTicket{Subject: "", Department: "Sales", Priority: "Urgent", Status: "Answered",
			Messages: thread[:1]}, func(support.ImportProgress) support.ImportProgress { return support.ImportProgress{} }, 0,
			want{1, "Support", "Low", "Open", nil}},
		{"help desk down half-way", closed, func(support.ImportProgress) support.ImportProgress { return support.ImportProgress{} }, 1,
			want{1, "Billing", "High", "Open", support.ErrUnavailable}},
		{"the next run completes it", closed, func(p support.ImportProgress) support.ImportProgress { return p }, 0,
			want{3, "Billing", "High", "Closed", nil}},
	}
	var prev support.ImportProgress
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			front.mu.Lock()
			front.posts, front.failPost, front.bodies = 0, tc.failPost, nil
			front.mu.Unlock()
			tickets := len(sim.Tickets())
			done := tc.done(prev)
			got, err := desk.Import(ctx, jane, tc.ticket, done)
			if !errors.Is(err, tc.want.err) || (tc.want.err == nil) != (err == nil) {
				t.Fatalf("err %v, want %v", err, tc.want.err)
			}
			prev = got
			if got.TicketID == 0 || got.Messages != tc.want.messages {
				t.Fatalf("progress %+v, want %d messages", got, tc.want.messages)
			}
			if done.TicketID == 0 && len(sim.Tickets()) != tickets+1 || done.TicketID != 0 && len(sim.Tickets()) != tickets {
				t.Errorf("%d tickets, had %d (resuming %d)", len(sim.Tickets()), tickets, done.TicketID)
			}
			tk, err := api.Ticket(ctx, got.TicketID)
			if err != nil {
				t.Fatal(err)
			}
			if tk.Department.Name != tc.want.department || tk.Priority.Name != tc.want.prio || tk.Status.Name != tc.want.status ||
				tk.UserID != int64(jane.GetInt("supportpal_user_id")) {
				t.Errorf("ticket %+v, want %s / %s / %s of jane", tk, tc.want.department, tc.want.prio, tc.want.status)
			}
			if tc.ticket.Subject == "" && tk.Subject != "(no subject)" {
				t.Errorf("subject %q", tk.Subject)
			}
			msgs, err := api.Messages(ctx, got.TicketID)
			if err != nil || len(msgs) != tc.want.messages {
				t.Fatalf("%d messages in SupportPal (%v), want %d", len(msgs), err, tc.want.messages)
			}
			for i, m := range msgs {
				if m.UserID != tk.UserID {
					t.Errorf("message %d by user %d, want the customer", i, m.UserID)
				}
				if staff := tc.ticket.Messages[i].Staff; staff != strings.HasPrefix(m.Text, "<p><strong>[Staff: Sam Fixturewright]</strong></p>") {
					t.Errorf("message %d: %q (staff %v)", i, m.Text, staff)
				}
				if !strings.HasSuffix(m.Text, tc.ticket.Messages[i].HTML) {
					t.Errorf("message %d: %q, want it to end with %q", i, m.Text, tc.ticket.Messages[i].HTML)
				}
				if written := "Written " + tc.ticket.Messages[i].At.Format("2006-01-02 15:04") + " UTC"; !strings.Contains(m.Text, written) {
					t.Errorf("message %d: %q, want its date %q", i, m.Text, written)
				}
			}
			front.mu.Lock()
			defer front.mu.Unlock()
			for _, b := range front.bodies {
				quiet := b["send_user_email"] == float64(0) || b["send_user_email"] == false
				_, message := b["ticket_id"]
				if !quiet || (b["created_at"] == nil) != message {
					t.Errorf("a request that e-mails, a ticket not back-dated or a message with created_at: %v", b)
				}
			}
		})
	}

	if _, err := desk.Import(ctx, jane, support.ImportedTicket{Subject: "x"}, support.ImportProgress{}); err == nil {
		t.Error("a ticket without messages was imported")
	}
	sim.FailNext(1, http.StatusBadGateway, 0)
	before := len(sim.Tickets())
	if got, err := desk.Import(ctx, jane, closed, support.ImportProgress{}); !errors.Is(err, support.ErrUnavailable) || got.TicketID != 0 {
		t.Errorf("help desk down: %+v %v, want no progress and ErrUnavailable", got, err)
	}
	if len(sim.Tickets()) != before {
		t.Error("a ticket was created while the help desk was down")
	}
	if users := sim.Users(); len(users) != 1 || users[0].Email != "jane@example.com" {
		t.Errorf("SupportPal users %+v, want jane once", users)
	}
}
