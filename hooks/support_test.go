package hooks_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/hooks"
	"github.com/ezscale/ezscale/integrations/supportpal/supportpalsim"
	"github.com/ezscale/ezscale/internal/testutil"
)

// supportEnv is the platform with a help desk simulator and two customers.
type supportEnv struct {
	app    core.App
	sim    *supportpalsim.Simulator
	api    *testutil.API
	a, b   *core.Record
	ta, tb string
}

func newSupportEnv(t *testing.T) *supportEnv {
	t.Helper()
	app := testutil.NewMigratedApp(t)
	hd := testutil.HelpDesk(t, app, nil)
	testutil.RegisterHooks(t, app, testutil.Config(), hooks.Deps{Support: hd.Desk})
	a := testutil.Customer(t, app, "a@example.com", "EUR")
	b := testutil.Customer(t, app, "b@example.com", "EUR")
	return &supportEnv{app: app, sim: hd.Sim, api: testutil.NewAPI(t, app), a: a, b: b,
		ta: testutil.Token(t, a), tb: testutil.Token(t, b)}
}

// open opens a ticket as customer A and answers its id.
func (s *supportEnv) open(t *testing.T, body map[string]any) int64 {
	t.Helper()
	res := s.api.Do(http.MethodPost, "/api/tickets", s.ta, body)
	if res.Status != http.StatusOK {
		t.Fatalf("open ticket: %d %s", res.Status, res.Body)
	}
	var out struct {
		Ticket struct {
			ID int64 `json:"id"`
		} `json:"ticket"`
	}
	if err := json.Unmarshal(res.Body, &out); err != nil || out.Ticket.ID == 0 {
		t.Fatalf("open ticket answer %s: %v", res.Body, err)
	}
	return out.Ticket.ID
}

func ticketBody(subject, message string) map[string]any {
	return map[string]any{"department": 1, "priority": 2, "subject": subject, "message": message}
}

type threadJSON struct {
	Ticket struct {
		ID          int64  `json:"id"`
		Subject     string `json:"subject"`
		Status      string `json:"status"`
		LastReplyBy string `json:"last_reply_by"`
		Service     *struct {
			ID string `json:"id"`
		} `json:"service"`
	} `json:"ticket"`
	Messages []struct {
		Author string `json:"author"`
		HTML   string `json:"html"`
	} `json:"messages"`
}

func (s *supportEnv) thread(t *testing.T, token string, id int64) (int, threadJSON) {
	t.Helper()
	res := s.api.Do(http.MethodGet, fmt.Sprintf("/api/tickets/%d", id), token, nil)
	var out threadJSON
	if res.Status == http.StatusOK {
		if err := json.Unmarshal(res.Body, &out); err != nil {
			t.Fatalf("thread %s: %v", res.Body, err)
		}
	}
	return res.Status, out
}

type listJSON struct {
	TotalItems int  `json:"totalItems"`
	Stale      bool `json:"stale"`
	Items      []struct {
		ID          int64  `json:"id"`
		Subject     string `json:"subject"`
		LastReplyBy string `json:"last_reply_by"`
	} `json:"items"`
}

func (s *supportEnv) list(t *testing.T, token, query string) listJSON {
	t.Helper()
	res := s.api.Do(http.MethodGet, "/api/tickets"+query, token, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("list tickets: %d %s", res.Status, res.Body)
	}
	var out listJSON
	if err := json.Unmarshal(res.Body, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestCustomerOpensListsAndReplies(t *testing.T) {
	s := newSupportEnv(t)
	svc := testutil.Service(t, s.app, s.a)
	body := ticketBody("Server down", "It stopped at 10:00.\n<script>alert(1)</script>")
	body["service"] = svc.Id
	id := s.open(t, body)

	// SupportPal got the user once, the ticket in HTML with the text escaped.
	if users := s.sim.Users(); len(users) != 1 || users[0].Email != "a@example.com" {
		t.Fatalf("SupportPal users: %+v", users)
	}
	tickets := s.sim.Tickets()
	if len(tickets) != 1 || tickets[0].Subject != "Server down" || tickets[0].DepartmentID != 1 || tickets[0].PriorityID != 2 {
		t.Fatalf("SupportPal tickets: %+v", tickets)
	}
	assertCount(t, s.app, "outbox", "template = 'ticket_opened' && channel = 'discord'", nil, 1)

	list := s.list(t, s.ta, "")
	if list.TotalItems != 1 || list.Items[0].ID != id || list.Items[0].LastReplyBy != "customer" || list.Stale {
		t.Fatalf("list: %+v", list)
	}
	status, th := s.thread(t, s.ta, id)
	if status != http.StatusOK || len(th.Messages) != 1 || th.Ticket.Service == nil || th.Ticket.Service.ID != svc.Id {
		t.Fatalf("thread %d: %+v", status, th)
	}
	if html := th.Messages[0].HTML; strings.Contains(html, "<script") || !strings.Contains(html, "&lt;script&gt;") ||
		!strings.Contains(html, "Service: vps1.example.com") {
		t.Errorf("first message html: %s", html)
	}

	res := s.api.Do(http.MethodPost, fmt.Sprintf("/api/tickets/%d/replies", id), s.ta, map[string]any{"message": "Any news?"})
	if res.Status != http.StatusOK || !strings.Contains(string(res.Body), `"author":"customer"`) {
		t.Fatalf("reply: %d %s", res.Status, res.Body)
	}
	if _, th = s.thread(t, s.ta, id); len(th.Messages) != 2 || th.Messages[1].HTML != "<p>Any news?</p>" {
		t.Fatalf("thread after reply: %+v", th.Messages)
	}
	// Still one user and one Discord notice: neither is repeated.
	if len(s.sim.Users()) != 1 {
		t.Errorf("SupportPal users after reply: %d", len(s.sim.Users()))
	}
	assertCount(t, s.app, "outbox", "template = 'ticket_opened'", nil, 1)
}

func TestAnotherCustomersTicketIsNotFound(t *testing.T) {
	s := newSupportEnv(t)
	id := s.open(t, ticketBody("Private", "A's secret"))
	// B has a SupportPal user too, so the check is ownership, not "no user".
	s.api.Do(http.MethodPost, "/api/tickets", s.tb, ticketBody("B's own", "hello"))
	messagesBefore := s.sim.Tickets()[0].MessagesCount

	if status, _ := s.thread(t, s.tb, id); status != http.StatusNotFound {
		t.Errorf("B reads A's ticket: %d", status)
	}
	res := s.api.Do(http.MethodPost, fmt.Sprintf("/api/tickets/%d/replies", id), s.tb, map[string]any{"message": "mine now"})
	if res.Status != http.StatusNotFound || strings.Contains(string(res.Body), "Private") {
		t.Errorf("B replies to A's ticket: %d %s", res.Status, res.Body)
	}
	if got := s.sim.Tickets()[0].MessagesCount; got != messagesBefore {
		t.Errorf("A's ticket has %d messages after B's attempt, want %d", got, messagesBefore)
	}
	for _, item := range s.list(t, s.tb, "?status=all").Items {
		if item.ID == id {
			t.Errorf("B's list holds A's ticket")
		}
	}
	// B cannot file a ticket about A's service either.
	svc := testutil.Service(t, s.app, s.a)
	body := ticketBody("About A", "x")
	body["service"] = svc.Id
	if res := s.api.Do(http.MethodPost, "/api/tickets", s.tb, body); res.Status != http.StatusBadRequest ||
		!strings.Contains(string(res.Body), `"service"`) {
		t.Errorf("B's ticket on A's service: %d %s", res.Status, res.Body)
	}
	for _, path := range []string{"/api/tickets", fmt.Sprintf("/api/tickets/%d", id), "/api/support/sso", "/api/support/options"} {
		if res := s.api.Do(http.MethodGet, path, "", nil); res.Status != http.StatusUnauthorized {
			t.Errorf("anonymous GET %s: %d", path, res.Status)
		}
	}
	for _, path := range []string{"/api/tickets", fmt.Sprintf("/api/tickets/%d/replies", id)} {
		if res := s.api.Do(http.MethodPost, path, "", ticketBody("Anonymous", "hello")); res.Status != http.StatusUnauthorized {
			t.Errorf("anonymous POST %s: %d", path, res.Status)
		}
	}
	if got := s.sim.Tickets()[0].MessagesCount; got != messagesBefore {
		t.Errorf("anonymous requests changed A's ticket: %d messages", got)
	}
}

func TestTicketInputIsChecked(t *testing.T) {
	s := newSupportEnv(t)
	id := s.open(t, ticketBody("Fine", "fine"))
	cases := []struct {
		name, method, path string
		body               any
		status             int
		field              string
	}{
		{"no subject", http.MethodPost, "/api/tickets", ticketBody("  ", "text"), 400, "subject"},
		{"no message", http.MethodPost, "/api/tickets", ticketBody("Hi", ""), 400, "message"},
		{"internal department", http.MethodPost, "/api/tickets", map[string]any{"department": 3, "priority": 1, "subject": "x", "message": "y"}, 400, "department"},
		{"unknown priority", http.MethodPost, "/api/tickets", map[string]any{"department": 1, "priority": 99, "subject": "x", "message": "y"}, 400, "priority"},
		{"unknown service", http.MethodPost, "/api/tickets", map[string]any{"department": 1, "priority": 1, "subject": "x", "message": "y", "service": "nope"}, 400, "service"},
		{"subject too long", http.MethodPost, "/api/tickets", ticketBody(strings.Repeat("x", 201), "y"), 400, "subject"},
		{"empty reply", http.MethodPost, fmt.Sprintf("/api/tickets/%d/replies", id), map[string]any{"message": " "}, 400, "message"},
		{"ticket id not a number", http.MethodGet, "/api/tickets/abc", nil, 404, ""},
		{"unknown ticket", http.MethodGet, "/api/tickets/999999", nil, 404, ""},
		{"bad status filter", http.MethodGet, "/api/tickets?status=deleted", nil, 400, "status"},
		{"redirect off the help desk", http.MethodGet, "/api/support/sso?redirect=https://evil.example/x", nil, 400, "redirect"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(s.sim.Tickets())
			res := s.api.Do(tc.method, tc.path, s.ta, tc.body)
			if res.Status != tc.status || (tc.field != "" && !strings.Contains(string(res.Body), `"`+tc.field+`"`)) {
				t.Errorf("%d %s, want %d naming %q", res.Status, res.Body, tc.status, tc.field)
			}
			if len(s.sim.Tickets()) != before {
				t.Errorf("a ticket was created")
			}
		})
	}
	t.Run("malformed JSON", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, "/api/tickets", strings.NewReader(`{"subject": `))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", s.ta)
		if res := s.api.Send(req); res.Status != http.StatusBadRequest {
			t.Errorf("%d %s", res.Status, res.Body)
		}
	})
}

func TestStaffMessagesAreSanitisedAndNotesHidden(t *testing.T) {
	s := newSupportEnv(t)
	id := s.open(t, ticketBody("Help", "please"))
	s.sim.AddStaffReply(id, `<p onclick="steal()">Fixed <script>alert(1)</script><a href="javascript:alert(1)">this</a> `+
		`and <a href="https://status.example.com">that</a><img src=x onerror=alert(1)></p>`)
	s.sim.AddInternalNote(id, "<p>Customer is a pain, internal only</p>")
	_, th := s.thread(t, s.ta, id)
	if len(th.Messages) != 2 || th.Messages[1].Author != "staff" || th.Ticket.LastReplyBy != "staff" {
		t.Fatalf("thread: %+v", th)
	}
	html := th.Messages[1].HTML
	for _, bad := range []string{"onclick", "<script", "javascript:", "onerror", "<img"} {
		if strings.Contains(strings.ToLower(html), bad) {
			t.Errorf("staff reply keeps %q: %s", bad, html)
		}
	}
	if !strings.Contains(html, `href="https://status.example.com"`) || !strings.Contains(html, "noopener") {
		t.Errorf("safe link lost or without rel=noopener: %s", html)
	}
	for _, m := range th.Messages {
		if strings.Contains(m.HTML, "internal only") {
			t.Errorf("internal note shown: %s", m.HTML)
		}
	}
}

func TestSupportPalDownLosesNothing(t *testing.T) {
	s := newSupportEnv(t)
	id := s.open(t, ticketBody("Before the outage", "hello"))
	tickets, mirrored := len(s.sim.Tickets()), s.list(t, s.ta, "")

	for _, status := range []int{http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusTooManyRequests} {
		s.sim.FailNext(10, status, 0)
		res := s.api.Do(http.MethodPost, "/api/tickets", s.ta, ticketBody("During the outage", "typed text"))
		if res.Status != http.StatusServiceUnavailable || !strings.Contains(string(res.Body), "Support is unavailable right now") {
			t.Errorf("open while SupportPal answers %d: %d %s", status, res.Status, res.Body)
		}
		res = s.api.Do(http.MethodPost, fmt.Sprintf("/api/tickets/%d/replies", id), s.ta, map[string]any{"message": "typed"})
		if res.Status != http.StatusServiceUnavailable {
			t.Errorf("reply while SupportPal answers %d: %d %s", status, res.Status, res.Body)
		}
		// The list still shows the mirror, marked stale.
		if got := s.list(t, s.ta, ""); !got.Stale || got.TotalItems != mirrored.TotalItems || got.Items[0].ID != id {
			t.Errorf("list while SupportPal answers %d: %+v", status, got)
		}
		s.sim.Recover()
	}
	if len(s.sim.Tickets()) != tickets {
		t.Errorf("tickets created during the outage: %d, had %d", len(s.sim.Tickets()), tickets)
	}
	if got := s.list(t, s.ta, ""); got.Stale || got.TotalItems != 1 {
		t.Errorf("list after the outage: %+v", got)
	}
}

func TestLockedTicketRefusesReplies(t *testing.T) {
	s := newSupportEnv(t)
	id := s.open(t, ticketBody("Old", "old"))
	s.sim.SetLocked(id, true)
	res := s.api.Do(http.MethodPost, fmt.Sprintf("/api/tickets/%d/replies", id), s.ta, map[string]any{"message": "hello?"})
	if res.Status != http.StatusConflict {
		t.Errorf("reply to a locked ticket: %d %s", res.Status, res.Body)
	}
}

func TestHelpDeskLinkIsSingleUseAndExpires(t *testing.T) {
	s := newSupportEnv(t)
	link := func() (string, time.Time) {
		res := s.api.Do(http.MethodGet, "/api/support/sso?redirect=/en/tickets", s.ta, nil)
		if res.Status != http.StatusOK {
			t.Fatalf("sso: %d %s", res.Status, res.Body)
		}
		var out struct {
			URL       string    `json:"url"`
			ExpiresAt time.Time `json:"expires_at"`
		}
		if err := json.Unmarshal(res.Body, &out); err != nil {
			t.Fatal(err)
		}
		return out.URL, out.ExpiresAt
	}
	visit := func(u string) int {
		res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Get(u)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode
	}
	first, expires := link()
	second, _ := link()
	if d := time.Until(expires); d <= 0 || d > time.Minute {
		t.Errorf("link expires in %s, want within a minute", d)
	}
	claims := func(u string) jwt.MapClaims {
		tok := u[strings.Index(u, "token=")+len("token="):]
		tok, _, _ = strings.Cut(tok, "&")
		parsed, err := jwt.Parse(tok, func(*jwt.Token) (any, error) { return testutil.HelpDeskSSOKey, nil },
			jwt.WithValidMethods([]string{"HS256"}))
		if err != nil {
			t.Fatalf("token of %s: %v", u, err)
		}
		return parsed.Claims.(jwt.MapClaims)
	}
	c1, c2 := claims(first), claims(second)
	if c1["jti"] == "" || c1["jti"] == c2["jti"] || c1["email"] != "a@example.com" {
		t.Errorf("claims %v and %v: want a unique jti and A's email", c1, c2)
	}
	if got := visit(first); got >= 400 {
		t.Errorf("first use: %d", got)
	}
	if got := visit(first); got != http.StatusUnauthorized {
		t.Errorf("second use of the same link: %d, want 401", got)
	}
	if logins := s.sim.SSOLogins(); len(logins) != 1 || logins[0] != "a@example.com" {
		t.Errorf("SSO logins: %v", logins)
	}

	// A link older than its minute is refused by the help desk.
	s.sim.SetNow(func() time.Time { return time.Now().Add(2 * time.Minute) })
	if got := visit(second); got != http.StatusUnauthorized {
		t.Errorf("expired link: %d, want 401", got)
	}
}

func TestSupportWithoutHelpDesk(t *testing.T) {
	app := testutil.NewApp(t)
	c := testutil.Customer(t, app, "c@example.com", "EUR")
	res := testutil.NewAPI(t, app).Do(http.MethodGet, "/api/tickets", testutil.Token(t, c), nil)
	if res.Status != http.StatusServiceUnavailable {
		t.Errorf("tickets without a help desk: %d %s", res.Status, res.Body)
	}
	// The dashboard's mirror stays readable by its owner only (access matrix).
	if n, err := app.CountRecords("support_tickets", dbx.HashExp{"customer": c.Id}); err != nil || n != 0 {
		t.Errorf("mirror rows: %d %v", n, err)
	}
}
