package whmcs_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/integrations/whmcs"
	"github.com/ezscale/ezscale/internal/testutil"
)

type archived struct {
	Author    string `json:"author"`
	Name      string `json:"name"`
	HTML      string `json:"html"`
	CreatedAt string `json:"created_at"`
}

func archiveRow(t *testing.T, app core.App, whmcsID string) (*core.Record, []archived) {
	t.Helper()
	r, err := app.FindFirstRecordByFilter("ticket_archive", "whmcs_id = {:id}", dbx.Params{"id": whmcsID})
	if err != nil {
		t.Fatalf("ticket %s not archived: %v", whmcsID, err)
	}
	var msgs []archived
	if err := json.Unmarshal([]byte(r.GetString("messages")), &msgs); err != nil {
		t.Fatalf("ticket %s messages: %v", whmcsID, err)
	}
	return r, msgs
}

// TestTicketArchive checks the archived tickets field by field against
// rows of the sample, and that a second run changes nothing.
func TestTicketArchive(t *testing.T) {
	e := readExpected(t)
	app := testutil.NewApp(t)
	rep := runImport(t, app, whmcs.Options{Only: []string{"customers", "tickets"}})

	tc, rc := count(rep, "tickets"), count(rep, "ticket_replies")
	archivedTickets := e.RowCounts["tbltickets"] - e.GuestTickets - e.Orphans["tickets_missing_client"].Count
	if tc.Read != e.RowCounts["tbltickets"] || tc.Created != archivedTickets || tc.Skipped != tc.Read-archivedTickets {
		t.Errorf("tickets %+v, want %d archived", tc, archivedTickets)
	}
	if rc.Read != e.RowCounts["tblticketreplies"] || rc.Created+rc.Skipped != rc.Read || rc.Skipped == 0 {
		t.Errorf("ticket replies %+v", rc)
	}
	for _, id := range e.Orphans["tickets_missing_client"].IDs {
		if !listed(rep.NotImported, "tickets", id) {
			t.Errorf("ticket %d of a deleted client is not listed", id)
		}
	}
	if c := count(rep, "supportpal_tickets"); c != (whmcs.Count{}) {
		t.Errorf("no help desk, yet %+v", c)
	}

	cases := []struct {
		whmcsID                               string
		number, subject, department, status   string
		priority, opened, lastReply, clientID string
		authors                               []string
		names                                 []string
		htmlHas                               []string // one per message
	}{
		{"8", "961571", "Can't log in to the panel", "General Support", "On Hold", "High", "2025-01-29 19:00:14.000Z",
			"2025-02-01 15:08:14.000Z", "7", []string{"customer", "staff", "customer"}, []string{"", "Riley Examplar", ""},
			[]string{"<p>Bonjour,</p><p>I can&#39;t find the invoice", "tonight&#39;s maintenance window 🚀", "<p>I can&#39;t find"}},
		{"5", "WLQ-583009", "Need rDNS for my IP", "Billing & Accounts", "Closed", "Low", "2023-01-24 07:19:44.000Z",
			"2023-01-27 07:57:44.000Z", "19", []string{"customer", "staff", "customer"}, []string{"", "Riley Examplar", ""},
			[]string{"<p>Hi there 👋</p>", "<p>**Update:** the issue is fixed 👍</p>", "Elliot"}},
		{"11", "294881", "Server not responding", "General Support", "Closed", "Medium", "2018-08-09 04:21:18.000Z",
			"2018-08-12 23:34:18.000Z", "17", []string{"customer", "staff", "customer", "staff", "customer", "staff"}, nil,
			[]string{"charged twice – please", "", "🔥🔥", "", "reverse DNS", ""}},
	}
	for _, c := range cases {
		t.Run("ticket "+c.whmcsID, func(t *testing.T) {
			r, msgs := archiveRow(t, app, c.whmcsID)
			customer, err := app.FindFirstRecordByFilter("customers", "whmcs_id = {:id}", dbx.Params{"id": c.clientID})
			if err != nil {
				t.Fatal(err)
			}
			got := []string{r.GetString("number"), r.GetString("subject"), r.GetString("department"), r.GetString("status"),
				r.GetString("priority"), r.GetDateTime("opened_at").String(), r.GetDateTime("last_reply_at").String(), r.GetString("customer")}
			want := []string{c.number, c.subject, c.department, c.status, c.priority, c.opened, c.lastReply, customer.Id}
			if strings.Join(got, "|") != strings.Join(want, "|") {
				t.Errorf("row\n %q\nwant\n %q", got, want)
			}
			if len(msgs) != len(c.authors) {
				t.Fatalf("%d messages, want %d: %+v", len(msgs), len(c.authors), msgs)
			}
			for i, m := range msgs {
				name := customer.GetString("name")
				if c.names != nil && c.names[i] != "" {
					name = c.names[i]
				}
				if m.Author != c.authors[i] || (c.names != nil && m.Name != name) || !strings.Contains(m.HTML, c.htmlHas[i]) ||
					m.CreatedAt == "" || strings.Contains(m.HTML, "&amp;#") {
					t.Errorf("message %d: %+v, want %s by %q with %q", i, m, c.authors[i], name, c.htmlHas[i])
				}
			}
			if msgs[0].CreatedAt != c.opened {
				t.Errorf("first message at %s, want the ticket's date %s", msgs[0].CreatedAt, c.opened)
			}
		})
	}

	t.Run("related service", func(t *testing.T) {
		r, _ := archiveRow(t, app, "8") // service S32
		svc, err := app.FindFirstRecordByFilter("services", "whmcs_id = '32'")
		switch {
		case err == nil && r.GetString("service") != svc.Id:
			t.Errorf("service %q, want %s", r.GetString("service"), svc.Id)
		case err != nil && (r.GetString("service") != "" || !listed(rep.Notes, "tickets", 8)):
			t.Errorf("service S32 not imported: relation %q, noted %v", r.GetString("service"), listed(rep.Notes, "tickets", 8))
		}
	})

	t.Run("the customer reads their archive", func(t *testing.T) {
		r, _ := archiveRow(t, app, "8")
		owner, err := app.FindRecordById("customers", r.GetString("customer"))
		if err != nil {
			t.Fatal(err)
		}
		res := testutil.NewAPI(t, app).Do(http.MethodGet, "/api/collections/ticket_archive/records", testutil.Token(t, owner), nil)
		items := res.Items(t)
		if res.Status != http.StatusOK || len(items) == 0 {
			t.Fatalf("%d %s", res.Status, res.Body)
		}
		for _, it := range items {
			if it["customer"] != owner.Id {
				t.Errorf("customer sees another's ticket %v", it["id"])
			}
		}
	})

	again := runImport(t, app, whmcs.Options{Only: []string{"customers", "tickets"}})
	if c := count(again, "tickets"); c.Unchanged != archivedTickets || c.Created+c.Updated != 0 {
		t.Errorf("second run: tickets %+v", c)
	}
	if c := count(again, "ticket_replies"); c.Unchanged != rc.Created || c.Created+c.Updated != 0 {
		t.Errorf("second run: replies %+v", c)
	}
}

// TestTicketsToSupportPal carries the tickets over into a help desk: once,
// quietly, resumed after an outage; those of customers who have not
// verified their address stay in the archive only (SupportPal knows users
// by address).
func TestTicketsToSupportPal(t *testing.T) {
	app := testutil.NewApp(t)
	hd := testutil.HelpDesk(t, app, nil)
	opts := whmcs.Options{Only: []string{"customers", "tickets"}, Desk: hd.Desk}

	dry := opts
	dry.DryRun = true
	rep := runImport(t, app, dry)
	if c := count(rep, "supportpal_tickets"); c.Created != count(rep, "tickets").Created || c.Created == 0 || len(hd.Sim.Tickets()) != 0 {
		t.Errorf("dry run: %+v, %d tickets in SupportPal", c, len(hd.Sim.Tickets()))
	}

	hd.Sim.FailNext(1, http.StatusServiceUnavailable, 0)
	rep = runImport(t, app, opts)
	archivedTickets := count(rep, "tickets").Created
	if c := count(rep, "supportpal_tickets"); c.Failed != archivedTickets || c.Created != 0 || len(hd.Sim.Tickets()) != 0 {
		t.Errorf("help desk down: %+v, %d tickets in SupportPal", c, len(hd.Sim.Tickets()))
	}
	if n := countWhere(t, app, "ticket_archive", "supportpal_id = 0"); n != archivedTickets {
		t.Errorf("%d archived without SupportPal id, want all %d (the archive does not wait for the help desk)", n, archivedTickets)
	}

	verifiedTickets := countWhere(t, app, "ticket_archive", "customer IN (SELECT id FROM customers WHERE verified = TRUE)")
	if verifiedTickets == 0 || verifiedTickets == archivedTickets {
		t.Fatalf("%d of %d tickets are verified customers': the sample should have both kinds", verifiedTickets, archivedTickets)
	}
	rep = runImport(t, app, opts)
	if c := count(rep, "supportpal_tickets"); c.Created != verifiedTickets || c.Skipped != archivedTickets-verifiedTickets || c.Failed != 0 ||
		len(hd.Sim.Tickets()) != verifiedTickets {
		t.Errorf("after the outage: %+v, %d tickets in SupportPal, want %d", c, len(hd.Sim.Tickets()), verifiedTickets)
	}
	for _, p := range rep.NotImported {
		if p.Entity == "supportpal_tickets" && !strings.Contains(p.Reason, "not verified their email address") {
			t.Errorf("ticket %s not sent: %s", p.ID, p.Reason)
		}
	}
	for _, u := range hd.Sim.Users() {
		if c, err := app.FindFirstRecordByData("customers", "email", u.Email); err != nil || !c.Verified() {
			t.Errorf("SupportPal user %s is no verified customer's (%v)", u.Email, err)
		}
	}
	r, msgs := archiveRow(t, app, "11")
	tk, err := hd.API.Ticket(t.Context(), int64(r.GetInt("supportpal_id")))
	if err != nil {
		t.Fatal(err)
	}
	thread, err := hd.API.Messages(t.Context(), tk.ID)
	if err != nil || len(thread) != len(msgs) || r.GetInt("supportpal_messages") != len(msgs) {
		t.Fatalf("ticket 11: %d messages in SupportPal (%v), %d remembered, %d archived", len(thread), err, r.GetInt("supportpal_messages"), len(msgs))
	}
	if tk.Subject != "Server not responding" || tk.Status.Name != "Closed" || !strings.Contains(thread[1].Text, "[Staff: Jo Placeholder]") {
		t.Errorf("ticket 11 in SupportPal: %+v, second message %q", tk, thread[1].Text)
	}

	rep = runImport(t, app, opts)
	if c := count(rep, "supportpal_tickets"); c.Unchanged != verifiedTickets || len(hd.Sim.Tickets()) != verifiedTickets {
		t.Errorf("third run: %+v, %d tickets in SupportPal", c, len(hd.Sim.Tickets()))
	}
	if n, _ := app.CountRecords("outbox"); n != 0 {
		t.Errorf("the import queued %d messages", n)
	}
}
