package supportpal

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// rawCall sends one request to the simulator and decodes the envelope.
func rawCall(t *testing.T, method, u, user, ctype, body string) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		req.SetBasicAuth(user, "anything")
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var env map[string]any
	dec := json.NewDecoder(resp.Body)
	dec.UseNumber()
	if err := dec.Decode(&env); err != nil {
		t.Fatalf("%s %s: answer is not JSON: %v", method, u, err)
	}
	return resp.StatusCode, env
}

// TestSimulatorWireFormat checks the raw answers against the contract:
// envelopes, 0/1 flags, integer ids and times, count as the total.
func TestSimulatorWireFormat(t *testing.T) {
	sim, c := setup(t)
	base := c.BaseURL()
	jane := customer(t, c, "jane@acme.example")
	tk := openTicket(t, c, jane.ID, "Down")
	sim.SetLocked(tk.ID, true)

	status, env := rawCall(t, "GET", base+"/api/ticket/ticket/"+itoa(tk.ID), testToken, "", "")
	data, _ := env["data"].(map[string]any)
	if status != 200 || env["status"] != "success" || env["message"] != nil || data == nil {
		t.Fatalf("single envelope: %d %v", status, env)
	}
	for k, want := range map[string]string{"locked": "1", "internal": "0", "messages_count": "1", "user_id": itoa(jane.ID)} {
		if n, ok := data[k].(json.Number); !ok || n.String() != want {
			t.Errorf("ticket %s = %#v, want the number %s", k, data[k], want)
		}
	}
	if n, ok := data["status"].(map[string]any)["auto_close"].(json.Number); !ok || n.String() != "1" {
		t.Errorf("status.auto_close = %#v", data["status"])
	}
	if _, ok := data["number"].(string); !ok {
		t.Errorf("number %#v is not a string", data["number"])
	}

	status, env = rawCall(t, "GET", base+"/api/ticket/department?limit=1&start=2", testToken, "", "")
	list, _ := env["data"].([]any)
	if status != 200 || env["count"] != json.Number("3") || len(list) != 1 {
		t.Fatalf("list envelope: %d %v", status, env)
	}
	if d := list[0].(map[string]any); d["name"] != "Billing" || d["public"] != json.Number("1") {
		t.Errorf("second department %v", d)
	}
	status, env = rawCall(t, "GET", base+"/api/user/user?email="+url.QueryEscape("JANE@acme.example"), testToken, "", "")
	if u := env["data"].([]any)[0].(map[string]any); status != 200 || u["active"] != json.Number("1") || u["email_verified"] != json.Number("1") {
		t.Errorf("user %v", env)
	}
}

func TestSimulatorRefusals(t *testing.T) {
	sim, c := setup(t)
	base := c.BaseURL()
	jane := customer(t, c, "jane@acme.example")
	tk := openTicket(t, c, jane.ID, "Down")
	form := "application/x-www-form-urlencoded"
	cases := []struct {
		name, method, path, user, ctype, body string
		status                                int
		message                               string
	}{
		{"no credentials", "GET", "/api/ticket/ticket", "", "", "", 401, "Unauthenticated."},
		{"wrong token", "GET", "/api/ticket/ticket", "nope", "", "", 401, "Unauthenticated."},
		{"unknown route", "GET", "/api/ticket/widget", testToken, "", "", 404, "Not found."},
		{"unknown ticket", "GET", "/api/ticket/ticket/1", testToken, "", "", 404, "Ticket not found."},
		{"unknown user", "GET", "/api/user/user/1500", testToken, "", "", 404, "User not found."},
		{"unknown status", "GET", "/api/ticket/status/9", testToken, "", "", 404, "Status not found."},
		{"unknown message", "GET", "/api/ticket/message/1", testToken, "", "", 404, "Message not found."},
		{"not an id", "GET", "/api/ticket/ticket/abc", testToken, "", "", 404, "Not found."},
		{"update not served", "PUT", "/api/user/user/" + itoa(jane.ID), testToken, "application/json", "{}", 405, "Method not allowed."},
		{"update without a body", "PUT", "/api/ticket/ticket/" + itoa(tk.ID), testToken, "", "", 400, "The request body is not valid JSON: EOF"},
		{"update an unknown ticket", "PUT", "/api/ticket/ticket/1", testToken, "application/json", `{"status":2}`, 404, "Ticket not found."},
		{"create a lookup", "POST", "/api/ticket/status", testToken, "application/json", "{}", 405, "Method not allowed."},
		{"start 0", "GET", "/api/ticket/ticket?start=0", testToken, "", "", 400, "The start must be at least 1."},
		{"limit not a number", "GET", "/api/ticket/ticket?limit=all", testToken, "", "", 400, "The limit must be an integer."},
		{"bad direction", "GET", "/api/ticket/ticket?order_direction=up", testToken, "", "", 400, "The selected order direction is invalid."},
		{"bad column", "GET", "/api/ticket/ticket?order_column=password", testToken, "", "", 400, "The selected order column is invalid."},
		{"bad status filter", "GET", "/api/ticket/ticket?status=open", testToken, "", "", 400, "The status must be an integer or a comma-separated list of integers."},
		{"messages without ticket", "GET", "/api/ticket/message", testToken, "", "", 400, "The ticket id field is required."},
		{"malformed JSON", "POST", "/api/user/user", testToken, "application/json", "{", 400, "The request body is not valid JSON: unexpected EOF"},
		{"bad active flag", "POST", "/api/user/user", testToken, "application/json", `{"email":"a@b.example","active":"maybe"}`, 400, "The active field must be true or false."},
		{"note by a customer", "POST", "/api/ticket/message", testToken, "application/json",
			`{"ticket_id":` + itoa(tk.ID) + `,"user_id":` + itoa(jane.ID) + `,"text":"x","message_type":1}`, 400, "Only operators can add notes."},
		{"bad message type", "POST", "/api/ticket/message", testToken, form,
			"ticket_id=" + itoa(tk.ID) + "&user_id=1&text=x&message_type=2", 400, "The selected message type is invalid."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, env := rawCall(t, tc.method, base+tc.path, tc.user, tc.ctype, tc.body)
			if status != tc.status || env["status"] != "error" || env["message"] != tc.message {
				t.Errorf("%d %v, want %d %q", status, env, tc.status, tc.message)
			}
			if d, ok := env["data"].([]any); !ok || len(d) != 0 {
				t.Errorf("error data %#v, want []", env["data"])
			}
		})
	}
	if n := len(sim.Users()); n != 1 {
		t.Errorf("%d users after refusals, want 1", n)
	}
}

// TestSimulatorForms checks form-encoded bodies (the docs' PHP example) and
// drafts, which stay out of lists and leave the ticket alone.
func TestSimulatorForms(t *testing.T) {
	sim, c := setup(t)
	base := c.BaseURL()
	status, env := rawCall(t, "POST", base+"/api/user/user", testToken, "application/x-www-form-urlencoded",
		"email=form%40acme.example&firstname=Form&active=0&email_verified=true")
	u, _ := env["data"].(map[string]any)
	if status != 200 || u["active"] != json.Number("0") || u["email_verified"] != json.Number("1") || u["formatted_name"] != "Form" {
		t.Fatalf("form create: %d %v", status, env)
	}
	jane := customer(t, c, "jane@acme.example")
	tk := openTicket(t, c, jane.ID, "Down")
	status, env = rawCall(t, "POST", base+"/api/ticket/message", testToken, "application/json",
		`{"ticket_id":`+itoa(tk.ID)+`,"user_id":1,"text":"<p>draft</p>","is_draft":true}`)
	if status != 200 || env["data"].(map[string]any)["is_draft"] != json.Number("1") {
		t.Fatalf("draft: %d %v", status, env)
	}
	ms, err := c.Messages(context.Background(), tk.ID)
	if err != nil || len(ms) != 1 {
		t.Errorf("messages with a draft: %d %v, want the first message only", len(ms), err)
	}
	_, env = rawCall(t, "GET", base+"/api/ticket/message?include_draft=1&ticket_id="+itoa(tk.ID), testToken, "", "")
	if env["count"] != json.Number("2") {
		t.Errorf("include_draft count %v, want 2", env["count"])
	}
	if after := sim.Tickets()[0]; after.LastMessageID != tk.LastMessageID || after.MessagesCount != 1 {
		t.Errorf("draft changed the ticket: %+v", after)
	}
	note := sim.AddInternalNote(tk.ID, "<p>note</p>")
	_, env = rawCall(t, "GET", base+"/api/ticket/message?type=1&ticket_id="+itoa(tk.ID), testToken, "", "")
	if list := env["data"].([]any); len(list) != 1 || list[0].(map[string]any)["id"] != json.Number(itoa(note.ID)) {
		t.Errorf("type=1 filter: %v", env)
	}
}

func TestSimulatorFrontendAndHelpers(t *testing.T) {
	sim, c := setup(t)
	jane := customer(t, c, "jane@acme.example")
	tk := openTicket(t, c, jane.ID, "Website <down>")
	cases := []struct {
		url    string
		status int
		text   string
	}{
		{tk.FrontendURL, 200, "Website &lt;down&gt;"},
		{c.BaseURL() + "/en/tickets/view/0000000", 404, "No such page."},
		{c.BaseURL() + "/", 200, "SupportPal simulator."},
	}
	for _, tc := range cases {
		resp, err := http.Get(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || !strings.Contains(string(b), tc.text) {
			t.Errorf("GET %s: %d %s", tc.url, resp.StatusCode, b)
		}
	}
	before := sim.Requests()
	_, _ = c.Departments(context.Background())
	if sim.Requests() != before+1 {
		t.Errorf("Requests %d, want %d", sim.Requests(), before+1)
	}
	for name, f := range map[string]func(){
		"AddStaffReply":   func() { sim.AddStaffReply(1, "x") },
		"AddInternalNote": func() { sim.AddInternalNote(1, "x") },
		"SetStatus":       func() { sim.SetStatus(tk.ID, 99) },
		"SetLocked":       func() { sim.SetLocked(1, true) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s with an unknown id did not panic", name)
				}
			}()
			f()
		}()
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
