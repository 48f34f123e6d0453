package supportpal

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/ezscale/integrations/supportpal/supportpalsim"
)

const testToken = "f0s4Tp45mC=wsdYqvc"

var testSSOKey = []byte("simpleauth-test-key-0123456789")

// setup serves a fresh simulator and a client for it.
func setup(t *testing.T) (*supportpalsim.Simulator, *Client) {
	t.Helper()
	sim := supportpalsim.New(testToken, testSSOKey)
	base, stop := sim.Start()
	t.Cleanup(stop)
	return sim, newClient(t, base, testToken)
}

func newClient(t *testing.T, base, token string) *Client {
	t.Helper()
	c, err := New(Config{URL: base, Token: token})
	if err != nil {
		t.Fatalf("New(%q): %v", base, err)
	}
	return c
}

// customer creates an active user.
func customer(t *testing.T, c *Client, email string) *User {
	t.Helper()
	u, err := c.CreateUser(context.Background(), NewUser{Email: email, Firstname: "Jane", Lastname: "Doe", Country: "gb",
		EmailVerified: true, Active: true})
	if err != nil {
		t.Fatalf("CreateUser(%s): %v", email, err)
	}
	return u
}

func openTicket(t *testing.T, c *Client, user int64, subject string) *Ticket {
	t.Helper()
	tk, err := c.CreateTicket(context.Background(), NewTicket{User: user, Department: 1, Status: 1, Priority: 2,
		Subject: subject, Text: "<p>" + subject + "</p>", UserIPAddress: "198.51.100.7"})
	if err != nil {
		t.Fatalf("CreateTicket(%q): %v", subject, err)
	}
	return tk
}

func asError(t *testing.T, err error) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *Error", err, err)
	}
	return e
}

// clock is a settable simulator clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestNew(t *testing.T) {
	cases := []struct {
		name, url, token, base, err string
	}{
		{"install at root", "https://help.example.net", "tok", "https://help.example.net", ""},
		{"trailing slash and spaces", " https://help.example.net/ ", " tok ", "https://help.example.net", ""},
		{"install under a path", "http://example.net/support/", "tok", "http://example.net/support", ""},
		{"no scheme", "help.example.net", "tok", "", "invalid install URL"},
		{"ftp", "ftp://help.example.net", "tok", "", "invalid install URL"},
		{"no host", "https://", "tok", "", "invalid install URL"},
		{"query", "https://help.example.net/?x=1", "tok", "", "invalid install URL"},
		{"empty URL", "", "tok", "", "invalid install URL"},
		{"missing token", "https://help.example.net", " ", "", "missing API token"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := New(Config{URL: tc.url, Token: tc.token})
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("New: err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if c.BaseURL() != tc.base {
				t.Errorf("BaseURL %q, want %q", c.BaseURL(), tc.base)
			}
			if c.hc.Timeout != 15*time.Second {
				t.Errorf("default timeout %s, want 15s", c.hc.Timeout)
			}
		})
	}
}

// TestRequestShape checks what goes on the wire: the path under the
// install URL + /api/, Basic token:X, the headers and the JSON bodies.
func TestRequestShape(t *testing.T) {
	type seen struct {
		method, path, query, auth, accept, ctype string
		body                                     map[string]any
	}
	var got seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = seen{method: r.Method, path: r.URL.Path, query: r.URL.RawQuery, auth: r.Header.Get("Authorization"),
			accept: r.Header.Get("Accept"), ctype: r.Header.Get("Content-Type")}
		if r.Body != nil {
			raw, _ := io.ReadAll(r.Body)
			if len(raw) > 0 {
				_ = json.Unmarshal(raw, &got.body)
			}
		}
		data := `{"id":1}`
		if r.Method == http.MethodGet && !strings.Contains(r.URL.Path, "/ticket/ticket/") {
			data = `[]`
		}
		fmt.Fprintf(w, `{"status":"success","message":null,"count":0,"data":%s}`, data)
	}))
	defer srv.Close()
	c := newClient(t, srv.URL+"/support/", "tok")
	ctx := context.Background()
	wantAuth := "Basic " + base64.StdEncoding.EncodeToString([]byte("tok:X"))

	cases := []struct {
		name      string
		call      func() error
		method    string
		path      string
		query     string
		body      map[string]any
		bodyAbsnt []string
	}{
		{"find user", func() error { _, err := c.FindUserByEmail(ctx, "jane+x@acme.example"); return err },
			"GET", "/support/api/user/user", "email=jane%2Bx%40acme.example", nil, nil},
		{"create user", func() error {
			_, err := c.CreateUser(ctx, NewUser{Email: " jane@acme.example ", Firstname: "Jane", Lastname: "Doe", Country: "gb", EmailVerified: true, Active: true})
			return err
		}, "POST", "/support/api/user/user", "", map[string]any{"email": "jane@acme.example", "firstname": "Jane",
			"lastname": "Doe", "country": "GB", "email_verified": true, "active": float64(1), "send_email": false}, nil},
		{"create inactive user without country", func() error {
			_, err := c.CreateUser(ctx, NewUser{Email: "x@acme.example"})
			return err
		}, "POST", "/support/api/user/user", "", map[string]any{"email": "x@acme.example", "active": float64(0),
			"email_verified": false}, []string{"country"}},
		{"list tickets", func() error {
			_, _, err := c.ListTickets(ctx, TicketFilter{User: 42, Status: []int64{1, 3}, UpdatedAtMin: 1717000000,
				Start: 26, Limit: 25, OrderColumn: "updated_at", OrderDirection: "desc"})
			return err
		}, "GET", "/support/api/ticket/ticket",
			"limit=25&order_column=updated_at&order_direction=desc&start=26&status=1%2C3&updated_at_min=1717000000&user=42", nil, nil},
		{"list tickets, empty filter", func() error { _, _, err := c.ListTickets(ctx, TicketFilter{}); return err },
			"GET", "/support/api/ticket/ticket", "", nil, nil},
		{"get ticket", func() error { _, err := c.Ticket(ctx, 1503); return err },
			"GET", "/support/api/ticket/ticket/1503", "", nil, nil},
		{"create ticket", func() error {
			_, err := c.CreateTicket(ctx, NewTicket{User: 42, Department: 1, Status: 1, Priority: 2, Subject: "Down",
				Text: "<p>502</p>", UserIPAddress: "198.51.100.7"})
			return err
		}, "POST", "/support/api/ticket/ticket", "", map[string]any{"user": float64(42), "department": float64(1),
			"status": float64(1), "priority": float64(2), "subject": "Down", "text": "<p>502</p>",
			"user_ip_address": "198.51.100.7", "send_user_email": float64(1), "send_operators_email": float64(1)},
			[]string{"created_at"}},
		{"create ticket quietly, back-dated", func() error {
			_, err := c.CreateTicket(ctx, NewTicket{User: 42, Department: 1, Status: 2, Priority: 2, Subject: "Old",
				Text: "<p>old</p>", Quiet: true, CreatedAt: 1600000000})
			return err
		}, "POST", "/support/api/ticket/ticket", "", map[string]any{"send_user_email": float64(0),
			"send_operators_email": float64(0), "created_at": float64(1600000000)}, []string{"user_ip_address"}},
		{"set ticket status", func() error { _, err := c.SetTicketStatus(ctx, 1503, 2); return err },
			"PUT", "/support/api/ticket/ticket/1503", "", map[string]any{"status": float64(2)}, nil},
		{"messages", func() error { _, err := c.Messages(ctx, 1503); return err },
			"GET", "/support/api/ticket/message", "limit=50&order_column=id&order_direction=asc&start=1&ticket_id=1503", nil, nil},
		{"create message", func() error {
			_, err := c.CreateMessage(ctx, NewMessage{TicketID: 1503, UserID: 42, Text: "<p>Still down</p>"})
			return err
		}, "POST", "/support/api/ticket/message", "", map[string]any{"ticket_id": float64(1503), "user_id": float64(42),
			"text": "<p>Still down</p>", "message_type": float64(0)},
			[]string{"user_ip_address", "send_user_email", "send_operators_email", "created_at"}},
		{"create message quietly", func() error {
			_, err := c.CreateMessage(ctx, NewMessage{TicketID: 1503, UserID: 42, Text: "<p>old</p>", Quiet: true})
			return err
		}, "POST", "/support/api/ticket/message", "", map[string]any{"send_user_email": false,
			"send_operators_email": false}, []string{"created_at"}},
		{"departments", func() error { _, err := c.Departments(ctx); return err },
			"GET", "/support/api/ticket/department", "limit=50&start=1", nil, nil},
		{"priorities", func() error { _, err := c.Priorities(ctx); return err },
			"GET", "/support/api/ticket/priority", "limit=50&start=1", nil, nil},
		{"statuses", func() error { _, err := c.Statuses(ctx); return err },
			"GET", "/support/api/ticket/status", "limit=50&start=1", nil, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got = seen{}
			if err := tc.call(); err != nil {
				t.Fatalf("call: %v", err)
			}
			if got.method != tc.method || got.path != tc.path || got.query != tc.query {
				t.Errorf("request %s %s?%s, want %s %s?%s", got.method, got.path, got.query, tc.method, tc.path, tc.query)
			}
			if got.auth != wantAuth {
				t.Errorf("Authorization %q, want %q", got.auth, wantAuth)
			}
			if got.accept != "application/json" {
				t.Errorf("Accept %q", got.accept)
			}
			if tc.method == "POST" && got.ctype != "application/json" {
				t.Errorf("Content-Type %q", got.ctype)
			}
			for k, want := range tc.body {
				if got.body[k] != want {
					t.Errorf("body[%s] = %#v, want %#v (body %v)", k, got.body[k], want, got.body)
				}
			}
			for _, k := range tc.bodyAbsnt {
				if _, ok := got.body[k]; ok {
					t.Errorf("body has %s: %v", k, got.body)
				}
			}
		})
	}
}

// TestDecodeContractFixtures decodes the contract's example objects, with
// flags as 0/1 and as JSON booleans or strings.
func TestDecodeContractFixtures(t *testing.T) {
	ticket := `{"id":1503,"number":"6151997","department_id":1,"department_email_id":1,"brand_id":1,"channel_id":1,
	"user_id":42,"status_id":1,"priority_id":2,"sla_plan_id":null,"subject":"Website acme.example is down",
	"due_time":null,"resolved_time":null,"cc":[],"locked":%s,"merged":0,"internal":%s,"messages_count":1,"notes_count":0,
	"has_attachments":0,"last_reply_time":1717003000,"last_message_time":1717003100,"last_reply_id":9001,
	"last_message_id":9002,"created_at":1717002000,"updated_at":1717003100,"deleted_at":null,
	"token":"e0f5cc66dfdbccb13f6930b8085ee65a26265a11","frontend_url":"https://help.example.net/en/tickets/view/6151997",
	"operator_url":"https://help.example.net/admin/ticket/view/1503","department":{"id":1,"name":"Support"},
	"status":{"id":1,"name":"Open","colour":"#35a600","auto_close":%s,"order":1},
	"priority":{"id":2,"name":"Medium","colour":"#e67e22","order":2},
	"user":{"id":42,"firstname":"Jane","lastname":"Doe","email":"jane@acme.example","formatted_name":"Jane Doe","active":%s},
	"tags":[],"assigned":[],"watching":[],"customfields":[]}`
	cases := []struct {
		name                      string
		locked, internal, ac, ac2 string
		want                      bool
	}{
		{"0/1 integers", "1", "1", "1", "1", true},
		{"JSON booleans", "true", "true", "true", "true", true},
		{"strings", `"1"`, `"true"`, `"1"`, `"1"`, true},
		{"zeros", "0", "false", `"0"`, "null", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := fmt.Sprintf(`{"status":"success","message":null,"data":`+ticket+`}`, tc.locked, tc.internal, tc.ac, tc.ac2)
			c := stubClient(t, http.StatusOK, body)
			tk, err := c.Ticket(context.Background(), 1503)
			if err != nil {
				t.Fatalf("Ticket: %v", err)
			}
			want := Ticket{ID: 1503, Number: "6151997", DepartmentID: 1, UserID: 42, StatusID: 1, PriorityID: 2,
				Subject: "Website acme.example is down", Locked: tc.want, Internal: tc.want, MessagesCount: 1,
				LastReplyTime: 1717003000, LastMessageTime: 1717003100, LastReplyID: 9001, LastMessageID: 9002,
				CreatedAt: 1717002000, UpdatedAt: 1717003100, FrontendURL: "https://help.example.net/en/tickets/view/6151997",
				Department: Named{1, "Support"}, Status: Status{ID: 1, Name: "Open", Colour: "#35a600", AutoClose: tc.want, Order: 1},
				Priority: Named{2, "Medium"},
				User:     User{ID: 42, Email: "jane@acme.example", Firstname: "Jane", Lastname: "Doe", FormattedName: "Jane Doe", Active: tc.want}}
			if *tk != want {
				t.Errorf("ticket\n got %+v\nwant %+v", *tk, want)
			}
		})
	}

	t.Run("message and user", func(t *testing.T) {
		msg := `{"status":"success","message":null,"count":1,"data":[{"id":9001,"ticket_id":1503,"channel_id":1,"user_id":42,
		"user_name":"Jane Doe","user_ip_address":"198.51.100.7","by":1,"type":0,"excerpt":"Getting a 502 since 10:00.",
		"text":"<p>Getting a 502 since 10:00.</p>","purified_text":"<p>Getting a 502 since 10:00.</p>","is_draft":0,
		"social_id":null,"extra":{"to_address":["support@example.net"],"cc_address":[],"bcc_address":[]},
		"created_at":1717003000,"updated_at":1717003000,"attachments":[]}]}`
		ms, err := stubClient(t, http.StatusOK, msg).Messages(context.Background(), 1503)
		if err != nil || len(ms) != 1 {
			t.Fatalf("Messages: %v %v", ms, err)
		}
		want := Message{ID: 9001, TicketID: 1503, UserID: 42, UserName: "Jane Doe", By: 1, Type: 0,
			Excerpt: "Getting a 502 since 10:00.", Text: "<p>Getting a 502 since 10:00.</p>",
			PurifiedText: "<p>Getting a 502 since 10:00.</p>", CreatedAt: 1717003000, UpdatedAt: 1717003000}
		if ms[0] != want {
			t.Errorf("message\n got %+v\nwant %+v", ms[0], want)
		}
		user := `{"status":"success","message":null,"count":1,"data":[{"id":42,"brand_id":1,"role":1,"firstname":"Jane",
		"lastname":"Doe","email":"jane@acme.example","email_verified":1,"active":1,"organisation_id":null,
		"country":"GB","last_active_at":1717000000,"created_at":1716500000,"updated_at":1716500001,"formatted_name":"Jane Doe"}]}`
		u, err := stubClient(t, http.StatusOK, user).FindUserByEmail(context.Background(), "JANE@acme.example")
		if err != nil || u == nil {
			t.Fatalf("FindUserByEmail: %v %v", u, err)
		}
		wantU := User{ID: 42, Email: "jane@acme.example", Firstname: "Jane", Lastname: "Doe", FormattedName: "Jane Doe",
			Active: true, CreatedAt: 1716500000, UpdatedAt: 1716500001}
		if *u != wantU {
			t.Errorf("user\n got %+v\nwant %+v", *u, wantU)
		}
	})

	t.Run("a bad flag is a decoding failure", func(t *testing.T) {
		body := fmt.Sprintf(`{"status":"success","message":null,"data":`+ticket+`}`, `"maybe"`, "0", "0", "0")
		_, err := stubClient(t, http.StatusOK, body).Ticket(context.Background(), 1503)
		if e := asError(t, err); e.Status != 0 || !IsUnavailable(err) || !strings.Contains(e.Message, "decode") {
			t.Errorf("err %v, want an undecodable answer", err)
		}
	})
}

// stubClient is a client for a server answering every request with body.
func stubClient(t *testing.T, status int, body string) *Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return newClient(t, srv.URL, "tok")
}

func TestUsers(t *testing.T) {
	sim, c := setup(t)
	ctx := context.Background()

	if u, err := c.FindUserByEmail(ctx, "jane@acme.example"); u != nil || err != nil {
		t.Fatalf("FindUserByEmail before create: %v %v, want nil, nil", u, err)
	}
	created := customer(t, c, "jane@acme.example")
	if created.ID == 0 || !created.Active || created.FormattedName != "Jane Doe" || created.CreatedAt == 0 {
		t.Errorf("created %+v", created)
	}
	found, err := c.FindUserByEmail(ctx, " Jane@ACME.example ")
	if err != nil || found == nil || *found != *created {
		t.Fatalf("FindUserByEmail: %+v %v, want %+v", found, err, created)
	}
	if got := sim.Users(); len(got) != 1 || User(got[0]) != *created {
		t.Errorf("sim.Users() = %+v", got)
	}
	inactive, err := c.CreateUser(ctx, NewUser{Email: "off@acme.example"})
	if err != nil || inactive.Active {
		t.Fatalf("inactive user: %+v %v", inactive, err)
	}

	cases := []struct {
		name    string
		user    NewUser
		message string
	}{
		{"duplicate email, other case", NewUser{Email: "JANE@acme.example", Active: true}, "The email has already been taken."},
		{"missing email", NewUser{Firstname: "X"}, "The email field is required."},
		{"invalid email", NewUser{Email: "not-an-email"}, "The email must be a valid email address."},
		{"bad country", NewUser{Email: "a@acme.example", Country: "GBR"}, "The country must be 2 characters."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.CreateUser(ctx, tc.user)
			e := asError(t, err)
			if !IsInvalid(err) || e.Status != 400 || e.Message != tc.message || IsUnavailable(err) {
				t.Errorf("err %v, want 400 %q", err, tc.message)
			}
			if !strings.Contains(err.Error(), "create user") {
				t.Errorf("error %q does not name the operation", err)
			}
		})
	}
	t.Run("empty email is refused before asking", func(t *testing.T) {
		before := sim.Requests()
		if _, err := c.FindUserByEmail(ctx, "  "); !IsInvalid(err) {
			t.Errorf("err %v, want invalid", err)
		}
		if sim.Requests() != before {
			t.Error("an empty e-mail reached SupportPal")
		}
	})
}

func TestTickets(t *testing.T) {
	sim, c := setup(t)
	ctx := context.Background()
	clk := &clock{time.Unix(1717000000, 0)}
	sim.SetNow(clk.now)
	jane := customer(t, c, "jane@acme.example")
	bob := customer(t, c, "bob@acme.example")

	tk := openTicket(t, c, jane.ID, "Website acme.example is down")
	if len(tk.Number) != 7 || tk.Number[0] == '0' || tk.StatusID != 1 || tk.Status.Name != "Open" || tk.Department.Name != "Support" ||
		tk.Priority.Name != "Medium" || tk.User.ID != jane.ID || tk.User.Email != "jane@acme.example" || tk.MessagesCount != 1 ||
		tk.CreatedAt != 1717000000 || tk.LastReplyTime != 1717000000 || tk.LastReplyID == 0 || tk.LastMessageID != tk.LastReplyID {
		t.Errorf("created ticket %+v", tk)
	}
	if want := c.BaseURL() + "/en/tickets/view/" + tk.Number; tk.FrontendURL != want {
		t.Errorf("frontend_url %q, want %q", tk.FrontendURL, want)
	}
	got, err := c.Ticket(ctx, tk.ID)
	if err != nil || *got != *tk {
		t.Fatalf("Ticket: %+v %v, want %+v", got, err, tk)
	}
	if _, err := c.Ticket(ctx, 999999); !IsNotFound(err) || IsUnavailable(err) || !strings.Contains(err.Error(), "get ticket 999999") {
		t.Errorf("unknown ticket: %v, want a 404 naming the ticket", err)
	}

	// Seven more for jane, one a minute, and one for bob.
	for i := range 7 {
		clk.t = clk.t.Add(time.Minute)
		openTicket(t, c, jane.ID, fmt.Sprintf("Question %d", i+1))
	}
	clk.t = clk.t.Add(time.Minute)
	bobs := openTicket(t, c, bob.ID, "Bob's ticket")
	sim.SetStatus(tk.ID, 2)
	if all := sim.Tickets(); len(all) != 9 || all[0].StatusID != 2 || all[0].UpdatedAt != clk.t.Unix() {
		t.Fatalf("sim.Tickets() = %d tickets, first %+v", len(all), all[0])
	}

	t.Run("paging", func(t *testing.T) {
		var subjects []string
		start, pages := 1, 0
		for {
			items, count, err := c.ListTickets(ctx, TicketFilter{User: jane.ID, Start: start, Limit: 3})
			if err != nil {
				t.Fatalf("ListTickets start %d: %v", start, err)
			}
			if count != 8 {
				t.Fatalf("count %d, want 8", count)
			}
			for _, it := range items {
				if it.UserID != jane.ID {
					t.Errorf("ticket %d of user %d in jane's list", it.ID, it.UserID)
				}
				subjects = append(subjects, it.Subject)
			}
			pages++
			start += len(items)
			if len(items) == 0 || start > count {
				break
			}
		}
		if pages != 3 || len(subjects) != 8 || subjects[0] != "Website acme.example is down" || subjects[7] != "Question 7" {
			t.Errorf("%d pages: %v", pages, subjects)
		}
	})

	cases := []struct {
		name     string
		filter   TicketFilter
		count    int
		firstSub string
	}{
		{"everyone's", TicketFilter{}, 9, "Website acme.example is down"},
		{"bob's", TicketFilter{User: bob.ID}, 1, "Bob's ticket"},
		{"closed", TicketFilter{User: jane.ID, Status: []int64{2}}, 1, "Website acme.example is down"},
		{"open or in progress", TicketFilter{User: jane.ID, Status: []int64{1, 3}}, 7, "Question 1"},
		{"newest updated first", TicketFilter{OrderColumn: "updated_at", OrderDirection: "desc"}, 9, "Website acme.example is down"},
		{"newest created first", TicketFilter{OrderColumn: "created_at", OrderDirection: "desc", Limit: 1}, 9, "Bob's ticket"},
		{"updated since", TicketFilter{UpdatedAtMin: bobs.UpdatedAt}, 2, "Website acme.example is down"},
		{"past the end", TicketFilter{Start: 50}, 9, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			items, count, err := c.ListTickets(ctx, tc.filter)
			if err != nil {
				t.Fatalf("ListTickets: %v", err)
			}
			first := ""
			if len(items) > 0 {
				first = items[0].Subject
			}
			if count != tc.count || first != tc.firstSub {
				t.Errorf("count %d first %q, want %d %q", count, first, tc.count, tc.firstSub)
			}
		})
	}

	invalidCases := []struct {
		name    string
		ticket  NewTicket
		message string
	}{
		{"no user", NewTicket{Department: 1, Status: 1, Priority: 1, Subject: "s", Text: "t"}, "The user field is required."},
		{"unknown user", NewTicket{User: 5, Department: 1, Status: 1, Priority: 1, Subject: "s", Text: "t"}, "The selected user is invalid."},
		{"unknown department", NewTicket{User: jane.ID, Department: 9, Status: 1, Priority: 1, Subject: "s", Text: "t"}, "The selected department is invalid."},
		{"no status", NewTicket{User: jane.ID, Department: 1, Priority: 1, Subject: "s", Text: "t"}, "The status field is required."},
		{"unknown priority", NewTicket{User: jane.ID, Department: 1, Status: 1, Priority: 7, Subject: "s", Text: "t"}, "The selected priority is invalid."},
		{"blank subject", NewTicket{User: jane.ID, Department: 1, Status: 1, Priority: 1, Subject: "  ", Text: "t"}, "The subject field is required."},
		{"long subject", NewTicket{User: jane.ID, Department: 1, Status: 1, Priority: 1, Subject: strings.Repeat("x", 256), Text: "t"}, "The subject may not be greater than 255 characters."},
		{"no text", NewTicket{User: jane.ID, Department: 1, Status: 1, Priority: 1, Subject: "s"}, "The text field is required."},
	}
	for _, tc := range invalidCases {
		t.Run("create: "+tc.name, func(t *testing.T) {
			_, err := c.CreateTicket(ctx, tc.ticket)
			if e := asError(t, err); !IsInvalid(err) || e.Message != tc.message {
				t.Errorf("err %v, want 400 %q", err, tc.message)
			}
		})
	}
	if n := len(sim.Tickets()); n != 9 {
		t.Errorf("%d tickets after refused creates, want 9", n)
	}

	clk.t = clk.t.Add(time.Minute)
	statusCases := []struct {
		name           string
		ticket, status int64
		want           string // the status name after, or the error
	}{
		{"in progress", bobs.ID, 3, "In Progress"},
		{"closed", bobs.ID, 2, "Closed"},
		{"unknown status", bobs.ID, 99, "The selected status is invalid."},
		{"unknown ticket", 999999, 2, "Ticket not found."},
	}
	for _, tc := range statusCases {
		t.Run("set status: "+tc.name, func(t *testing.T) {
			got, err := c.SetTicketStatus(ctx, tc.ticket, tc.status)
			if err != nil {
				if e := asError(t, err); e.Message != tc.want {
					t.Errorf("err %v, want %q", err, tc.want)
				}
				return
			}
			if got.ID != tc.ticket || got.Status.Name != tc.want || got.UpdatedAt != clk.t.Unix() {
				t.Errorf("ticket %+v, want status %q updated now", got, tc.want)
			}
		})
	}
}

func TestMessages(t *testing.T) {
	sim, c := setup(t)
	ctx := context.Background()
	clk := &clock{time.Unix(1717000000, 0)}
	sim.SetNow(clk.now)
	jane := customer(t, c, "jane@acme.example")
	tk := openTicket(t, c, jane.ID, "Down")
	tick := func() int64 { clk.t = clk.t.Add(time.Minute); return clk.t.Unix() }

	staffAt := tick()
	staff := sim.AddStaffReply(tk.ID, "<p>Looking into it.</p>")
	noteAt := tick()
	note := sim.AddInternalNote(tk.ID, "<p>Customer is on the old cluster.</p>")
	after, _ := c.Ticket(ctx, tk.ID)
	if after.LastReplyID != staff.ID || after.LastReplyTime != staffAt || after.LastMessageID != note.ID ||
		after.LastMessageTime != noteAt || after.UpdatedAt != noteAt || after.MessagesCount != 2 {
		t.Errorf("after reply and note: %+v", after)
	}
	if staff.UserID != 1 || staff.UserName != "Sam Support" || staff.By != 0 || staff.Type != MessageReply ||
		note.Type != MessageInternalNote || staff.Excerpt != "Looking into it." {
		t.Errorf("staff reply %+v, note %+v", staff, note)
	}

	// A customer reply on a closed ticket reopens it.
	sim.SetStatus(tk.ID, 2)
	replyAt := tick()
	reply, err := c.CreateMessage(ctx, NewMessage{TicketID: tk.ID, UserID: jane.ID, Text: "<p>Still down &amp; slow</p>", UserIPAddress: "198.51.100.7"})
	if err != nil {
		t.Fatalf("CreateMessage: %v", err)
	}
	if reply.UserID != jane.ID || reply.By != 1 || reply.Type != 0 || reply.UserName != "Jane Doe" ||
		reply.CreatedAt != replyAt || reply.Excerpt != "Still down & slow" || reply.Text != "<p>Still down &amp; slow</p>" {
		t.Errorf("reply %+v", reply)
	}
	reopened, _ := c.Ticket(ctx, tk.ID)
	if reopened.StatusID != 1 || reopened.LastReplyID != reply.ID || reopened.UpdatedAt != replyAt {
		t.Errorf("after the customer's reply: %+v", reopened)
	}

	// 60 more staff replies: Messages pages through them (50 a page).
	for i := range 60 {
		sim.AddStaffReply(tk.ID, fmt.Sprintf("<p>Update %d</p>", i+1))
	}
	before := sim.Requests()
	all, err := c.Messages(ctx, tk.ID)
	if err != nil {
		t.Fatalf("Messages: %v", err)
	}
	if len(all) != 64 || sim.Requests()-before != 2 {
		t.Fatalf("%d messages in %d requests, want 64 in 2", len(all), sim.Requests()-before)
	}
	if all[0].Text != "<p>Down</p>" || all[1].ID != staff.ID || all[2].ID != note.ID || all[3].ID != reply.ID ||
		all[63].Text != "<p>Update 60</p>" {
		t.Errorf("order: first %+v, last %+v", all[0], all[63])
	}
	for i := 1; i < len(all); i++ {
		if all[i].CreatedAt < all[i-1].CreatedAt {
			t.Fatalf("message %d older than %d", all[i].ID, all[i-1].ID)
		}
	}

	invalidCases := []struct {
		name    string
		msg     NewMessage
		message string
	}{
		{"unknown ticket", NewMessage{TicketID: 42, UserID: jane.ID, Text: "x"}, "The selected ticket id is invalid."},
		{"no ticket", NewMessage{UserID: jane.ID, Text: "x"}, "The ticket id field is required."},
		{"unknown user", NewMessage{TicketID: tk.ID, UserID: 7, Text: "x"}, "The selected user id is invalid."},
		{"blank text", NewMessage{TicketID: tk.ID, UserID: jane.ID, Text: " "}, "The text field is required."},
	}
	for _, tc := range invalidCases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.CreateMessage(ctx, tc.msg)
			if e := asError(t, err); !IsInvalid(err) || e.Message != tc.message {
				t.Errorf("err %v, want 400 %q", err, tc.message)
			}
		})
	}
	t.Run("locked ticket", func(t *testing.T) {
		sim.SetLocked(tk.ID, true)
		defer sim.SetLocked(tk.ID, false)
		if _, err := c.CreateMessage(ctx, NewMessage{TicketID: tk.ID, UserID: jane.ID, Text: "x"}); !IsInvalid(err) {
			t.Errorf("reply on a locked ticket: %v, want refused", err)
		}
		if tk, _ := c.Ticket(ctx, tk.ID); !tk.Locked {
			t.Error("ticket not reported locked")
		}
	})
	t.Run("messages of an unknown ticket", func(t *testing.T) {
		if _, err := c.Messages(ctx, 4242); !IsNotFound(err) {
			t.Errorf("err %v, want 404", err)
		}
	})
}

func TestLookups(t *testing.T) {
	_, c := setup(t)
	ctx := context.Background()
	deps, err := c.Departments(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := c.PublicDepartments(ctx)
	if err != nil {
		t.Fatal(err)
	}
	prios, err := c.Priorities(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sts, err := c.Statuses(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name      string
		got, want any
	}{
		{"departments", deps, []Named{{1, "Support"}, {2, "Billing"}, {3, "Abuse (internal)"}}},
		{"public departments", pub, []Named{{1, "Support"}, {2, "Billing"}}},
		{"priorities", prios, []Named{{1, "Low"}, {2, "Medium"}, {3, "High"}}},
		{"statuses", sts, []Status{{1, "Open", "#35a600", true, 1}, {2, "Closed", "#7f8c8d", false, 2}, {3, "In Progress", "#e67e22", true, 3}}},
	}
	for _, tc := range cases {
		if fmt.Sprint(tc.got) != fmt.Sprint(tc.want) {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}

// TestFailures checks how each kind of failure is classified.
func TestFailures(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name                           string
		prepare                        func(sim *supportpalsim.Simulator) *Client
		call                           func(c *Client) error
		status                         int
		unavailable, notFound, invalid bool
		message                        string
	}{
		{"wrong token", func(sim *supportpalsim.Simulator) *Client { return newClient(t, sim.URL(), "wrong") },
			func(c *Client) error { _, err := c.Departments(ctx); return err }, 401, false, false, false, "Unauthenticated."},
		{"server error", func(sim *supportpalsim.Simulator) *Client { sim.FailNext(1, 500, 0); return nil },
			func(c *Client) error { _, err := c.Ticket(ctx, 1); return err }, 500, true, false, false, "injected failure 500"},
		{"maintenance", func(sim *supportpalsim.Simulator) *Client { sim.FailNext(1, 503, time.Second); return nil },
			func(c *Client) error { _, _, err := c.ListTickets(ctx, TicketFilter{}); return err }, 503, true, false, false, ""},
		{"rate limited", func(sim *supportpalsim.Simulator) *Client { sim.FailNext(1, 429, time.Second); return nil },
			func(c *Client) error { _, err := c.Statuses(ctx); return err }, 429, true, false, false, "Too Many Attempts."},
		{"lost answer", func(sim *supportpalsim.Simulator) *Client { sim.DropNextResponse(); return nil },
			func(c *Client) error {
				_, err := c.CreateUser(ctx, NewUser{Email: "lost@acme.example", Active: true})
				return err
			}, 0, true, false, false, ""},
		{"timeout", func(sim *supportpalsim.Simulator) *Client {
			sim.SetLatency(300 * time.Millisecond)
			c, err := New(Config{URL: sim.URL(), Token: testToken, HTTPClient: &http.Client{Timeout: 50 * time.Millisecond}})
			if err != nil {
				t.Fatal(err)
			}
			return c
		}, func(c *Client) error { _, err := c.Priorities(ctx); return err }, 0, true, false, false, ""},
		{"unknown user id", nil, func(c *Client) error {
			_, err := c.CreateMessage(ctx, NewMessage{TicketID: 1, UserID: 1, Text: "x"})
			return err
		}, 400, false, false, true, "The selected ticket id is invalid."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sim, c := setup(t)
			if tc.prepare != nil {
				if alt := tc.prepare(sim); alt != nil {
					c = alt
				}
			}
			err := tc.call(c)
			e := asError(t, err)
			if e.Status != tc.status || IsUnavailable(err) != tc.unavailable || IsNotFound(err) != tc.notFound || IsInvalid(err) != tc.invalid {
				t.Errorf("err %v: status %d unavailable %v notfound %v invalid %v", err, e.Status, IsUnavailable(err), IsNotFound(err), IsInvalid(err))
			}
			if tc.message != "" && e.Message != tc.message {
				t.Errorf("message %q, want %q", e.Message, tc.message)
			}
			if !strings.HasPrefix(err.Error(), "supportpal: ") {
				t.Errorf("error %q", err)
			}
		})
	}

	t.Run("lost answer still created the user", func(t *testing.T) {
		sim, c := setup(t)
		sim.DropNextResponse()
		if _, err := c.CreateUser(ctx, NewUser{Email: "lost@acme.example", Active: true}); !IsUnavailable(err) {
			t.Fatalf("err %v", err)
		}
		if u, err := c.FindUserByEmail(ctx, "lost@acme.example"); err != nil || u == nil {
			t.Errorf("user after a lost answer: %v %v", u, err)
		}
	})

	t.Run("cancelled context", func(t *testing.T) {
		sim, c := setup(t)
		sim.SetLatency(time.Second)
		cctx, cancel := context.WithCancel(ctx)
		time.AfterFunc(20*time.Millisecond, cancel)
		_, err := c.Departments(cctx)
		if !errors.Is(err, context.Canceled) || !IsUnavailable(err) {
			t.Errorf("err %v, want context.Canceled", err)
		}
	})

	stubCases := []struct {
		name                string
		status              int
		body                string
		wantStatus          int
		unavailable, notFnd bool
		message             string
	}{
		{"proxy error page", 502, "<html><body>Bad Gateway</body></html>", 0, true, false, "HTTP 502, not a JSON answer"},
		{"HTML on 200", 200, "<html>maintenance</html>", 0, true, false, "not a JSON answer"},
		{"empty 200", 200, "", 0, true, false, "(empty body)"},
		{"error status on 200", 200, `{"status":"error","message":"Something broke.","data":[]}`, 200, false, false, "Something broke."},
		{"missing status on 200", 200, `{"data":{"id":1}}`, 200, false, false, "OK"},
		{"404 envelope", 404, `{"status":"error","message":"Ticket not found.","data":[]}`, 404, false, true, "Ticket not found."},
		{"403 without message", 403, `{"status":"error","message":null,"data":[]}`, 403, false, false, "Forbidden"},
		{"422 with structured message", 422, `{"status":"error","message":{"subject":["required"]},"data":[]}`, 422, false, false, `{"subject":["required"]}`},
	}
	for _, tc := range stubCases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := stubClient(t, tc.status, tc.body).Ticket(ctx, 1)
			e := asError(t, err)
			if e.Status != tc.wantStatus || IsUnavailable(err) != tc.unavailable || IsNotFound(err) != tc.notFnd ||
				!strings.Contains(e.Message, tc.message) || !strings.Contains(err.Error(), "get ticket 1") {
				t.Errorf("err %v (status %d), want status %d containing %q", err, e.Status, tc.wantStatus, tc.message)
			}
		})
	}
	if IsNotFound(errors.New("plain")) || IsUnavailable(nil) || IsInvalid(context.Canceled) {
		t.Error("helpers accept errors that are not *Error")
	}
}
