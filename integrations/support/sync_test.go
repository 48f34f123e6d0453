package support_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/hooks"
	"github.com/ezscale/ezscale/integrations/support"
	"github.com/ezscale/ezscale/integrations/supportpal"
	"github.com/ezscale/ezscale/integrations/supportpal/supportpalsim"
	"github.com/ezscale/ezscale/internal/testutil"
)

// clock is a settable time shared by the desk and the simulator.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type syncEnv struct {
	app      core.App
	sim      *supportpalsim.Simulator
	api      *supportpal.Client
	desk     *support.Desk
	clock    *clock
	customer *core.Record
}

func newSyncEnv(t testing.TB) *syncEnv {
	t.Helper()
	app := testutil.NewMigratedApp(t)
	c := &clock{t: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	hd := testutil.HelpDesk(t, app, c.now)
	testutil.RegisterHooks(t, app, testutil.Config(), hooks.Deps{Support: hd.Desk})
	return &syncEnv{app: app, sim: hd.Sim, api: hd.API, desk: hd.Desk, clock: c, customer: testutil.Customer(t, app, "jane@example.com", "EUR")}
}

func (e *syncEnv) sync(t testing.TB) support.SyncResult {
	t.Helper()
	res, err := e.desk.Sync(context.Background(), io.Discard)
	if err != nil {
		t.Fatalf("sync: %v", err)
	}
	return res
}

// open opens a ticket as the customer, through the desk like the portal.
func (e *syncEnv) open(t *testing.T, subject string) int64 {
	t.Helper()
	tk, err := e.desk.Open(context.Background(), e.customer, support.NewTicket{Department: 1, Priority: 2, Subject: subject, Message: "help"})
	if err != nil {
		t.Fatalf("open %q: %v", subject, err)
	}
	return tk.ID
}

func (e *syncEnv) outbox(t *testing.T, template string) int {
	t.Helper()
	n, err := e.app.CountRecords("outbox", dbx.HashExp{"template": template})
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func (e *syncEnv) mirror(t *testing.T, ticketID int64) *core.Record {
	t.Helper()
	row, err := e.app.FindFirstRecordByFilter(support.Collection, "supportpal_id = {:id}", dbx.Params{"id": ticketID})
	if err != nil {
		t.Fatalf("mirror of ticket %d: %v", ticketID, err)
	}
	return row
}

func TestStaffReplyReachesTheMirrorAndNotifiesOnce(t *testing.T) {
	e := newSyncEnv(t)
	id := e.open(t, "Disk full")
	e.sync(t)
	if e.outbox(t, "ticket_reply") != 0 {
		t.Fatal("a notice before any staff reply")
	}

	e.clock.add(time.Minute)
	reply := e.sim.AddStaffReply(id, "<p>We <b>grew</b> the disk.</p>")
	e.clock.add(time.Minute)
	if res := e.sync(t); res.Written != 1 {
		t.Errorf("sync after the reply wrote %d rows, want 1", res.Written)
	}
	row := e.mirror(t, id)
	if row.GetString("last_reply_by") != "staff" || !row.GetDateTime("last_reply_at").Time().Equal(time.Unix(reply.CreatedAt, 0)) {
		t.Errorf("mirror: last reply by %q at %s", row.GetString("last_reply_by"), row.GetDateTime("last_reply_at"))
	}
	msg, err := e.app.FindFirstRecordByFilter("outbox", "template = 'ticket_reply'")
	if err != nil {
		t.Fatalf("no reply notice: %v", err)
	}
	if msg.GetString("recipient") != "jane@example.com" || msg.GetString("customer") != e.customer.Id {
		t.Errorf("notice to %q (customer %q)", msg.GetString("recipient"), msg.GetString("customer"))
	}
	for _, want := range []string{"We grew the disk.", "/support/"} {
		if !strings.Contains(msg.GetString("body_text"), want) {
			t.Errorf("notice text lacks %q:\n%s", want, msg.GetString("body_text"))
		}
	}

	// Later syncs, a refresh from the portal and the thread view never notify again.
	e.clock.add(time.Minute)
	e.sync(t)
	if err := e.desk.Refresh(context.Background(), e.customer); err != nil {
		t.Fatal(err)
	}
	if _, err := e.desk.Thread(context.Background(), e.customer, id); err != nil {
		t.Fatal(err)
	}
	e.clock.add(time.Hour)
	e.sync(t)
	if n := e.outbox(t, "ticket_reply"); n != 1 {
		t.Errorf("%d reply notices, want exactly 1", n)
	}

	// An internal note is not a reply; the next staff reply is.
	e.sim.AddInternalNote(id, "<p>note</p>")
	e.clock.add(time.Minute)
	e.sync(t)
	if n := e.outbox(t, "ticket_reply"); n != 1 {
		t.Errorf("an internal note notified the customer (%d notices)", n)
	}
	e.sim.AddStaffReply(id, "<p>Anything else?</p>")
	e.clock.add(time.Minute)
	e.sync(t)
	if n := e.outbox(t, "ticket_reply"); n != 2 {
		t.Errorf("%d reply notices after the second reply, want 2", n)
	}
}

func TestFirstSyncMirrorsHistoryWithoutMail(t *testing.T) {
	e := newSyncEnv(t)
	// Tickets from before the platform: opened by email in SupportPal,
	// already answered, found by the customer's email address.
	api := e.api
	u, err := api.CreateUser(context.Background(), supportpal.NewUser{Email: "JANE@example.com", Firstname: "Jane", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	old, err := api.CreateTicket(context.Background(), supportpal.NewTicket{User: u.ID, Department: 1, Status: 1, Priority: 1, Subject: "Old", Text: "<p>old</p>"})
	if err != nil {
		t.Fatal(err)
	}
	e.sim.AddStaffReply(old.ID, "<p>old answer</p>")
	guest, err := api.CreateUser(context.Background(), supportpal.NewUser{Email: "guest@example.org", Firstname: "Guest", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := api.CreateTicket(context.Background(), supportpal.NewTicket{User: guest.ID, Department: 1, Status: 1, Priority: 1, Subject: "Not a customer", Text: "x"}); err != nil {
		t.Fatal(err)
	}
	e.clock.add(time.Minute)

	res := e.sync(t)
	if res.Seen != 2 || res.Written != 1 {
		t.Errorf("first sync: %+v, want 2 seen, 1 written (the guest's ticket is no customer's)", res)
	}
	if row := e.mirror(t, old.ID); row.GetString("customer") != e.customer.Id || row.GetString("last_reply_by") != "staff" {
		t.Errorf("mirror row: customer %q, last reply by %q", row.GetString("customer"), row.GetString("last_reply_by"))
	}
	if fresh, _ := e.app.FindRecordById("customers", e.customer.Id); fresh.GetInt("supportpal_user_id") != int(u.ID) {
		t.Errorf("SupportPal user not remembered: %d", fresh.GetInt("supportpal_user_id"))
	}
	if e.outbox(t, "ticket_reply")+e.outbox(t, "ticket_opened") != 0 {
		t.Errorf("the first sync mailed history")
	}

	// From then on, a new ticket by email and a new reply are news.
	e.clock.add(time.Minute)
	fresh, err := api.CreateTicket(context.Background(), supportpal.NewTicket{User: u.ID, Department: 2, Status: 1, Priority: 3, Subject: "New by email", Text: "<p>hi</p>"})
	if err != nil {
		t.Fatal(err)
	}
	e.sim.AddStaffReply(old.ID, "<p>one more thing</p>")
	e.clock.add(time.Minute)
	e.sync(t)
	if e.outbox(t, "ticket_opened") != 1 || e.outbox(t, "ticket_reply") != 1 {
		t.Errorf("after new activity: %d opened, %d reply notices; want 1 and 1", e.outbox(t, "ticket_opened"), e.outbox(t, "ticket_reply"))
	}
	if row := e.mirror(t, fresh.ID); row.GetString("department") != "Billing" || row.GetString("priority") != "High" {
		t.Errorf("new ticket mirrored as %q/%q", row.GetString("department"), row.GetString("priority"))
	}
}

func TestSyncReadsOnlyWhatChangedPageByPage(t *testing.T) {
	e := newSyncEnv(t)
	const n = 120
	for i := 0; i < n; i++ {
		e.open(t, "ticket")
	}
	e.clock.add(time.Hour)
	res := e.sync(t)
	if res.Seen != n || res.Pages != 3 {
		t.Errorf("full sync: %+v, want %d tickets in 3 pages of 50", res, n)
	}
	e.clock.add(time.Hour)
	if res := e.sync(t); res.Seen != 0 || res.Written != 0 {
		t.Errorf("sync with nothing changed: %+v", res)
	}
	changed := e.sim.Tickets()[7].ID
	e.sim.SetStatus(changed, 2)
	e.clock.add(time.Minute)
	if res := e.sync(t); res.Seen != 1 || res.Written != 1 {
		t.Errorf("sync after one change: %+v", res)
	}
	if row := e.mirror(t, changed); !row.GetBool("closed") || row.GetString("status") != "Closed" {
		t.Errorf("closed ticket mirrored as %q closed=%v", row.GetString("status"), row.GetBool("closed"))
	}
}

func TestOutageKeepsTheMirrorAndTheNextRunCatchesUp(t *testing.T) {
	e := newSyncEnv(t)
	id := e.open(t, "VPN broken")
	e.sync(t)
	before := e.mirror(t, id)

	e.clock.add(time.Minute)
	e.sim.AddStaffReply(id, "<p>Try again now.</p>")
	e.clock.add(time.Minute)
	for _, fail := range []int{500, 502, 503, 429} {
		e.sim.FailNext(1, fail, 0)
		if _, err := e.desk.Sync(context.Background(), io.Discard); !errors.Is(err, support.ErrUnavailable) {
			t.Errorf("sync against a %d: %v, want ErrUnavailable", fail, err)
		}
	}
	// The listing works but reading the thread fails: the run stops, nothing half-written.
	flaky := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/ticket/message" {
			http.Error(w, "upstream timed out", http.StatusGatewayTimeout)
			return
		}
		e.sim.ServeHTTP(w, r)
	}))
	defer flaky.Close()
	api, err := supportpal.New(supportpal.Config{URL: flaky.URL, Token: "test-supportpal-token"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := support.New(e.app, support.Config{API: api, Now: e.clock.now}).Sync(context.Background(), io.Discard); !errors.Is(err, support.ErrUnavailable) {
		t.Errorf("sync failing to read the thread: %v", err)
	}
	after := e.mirror(t, id)
	if after.GetString("last_reply_by") != before.GetString("last_reply_by") || e.outbox(t, "ticket_reply") != 0 {
		t.Errorf("a failed sync changed the mirror or notified")
	}

	e.clock.add(10 * time.Minute)
	e.sync(t)
	if got := e.mirror(t, id).GetString("last_reply_by"); got != "staff" || e.outbox(t, "ticket_reply") != 1 {
		t.Errorf("after recovery: last reply by %q, %d notices", got, e.outbox(t, "ticket_reply"))
	}
}
