package outbox_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/integrations/mailgun"
	"github.com/ezscale/ezscale/integrations/mailgun/mailgunsim"
	"github.com/ezscale/ezscale/integrations/outbox"
	"github.com/ezscale/ezscale/internal/config"
	"github.com/ezscale/ezscale/internal/secrets"
	"github.com/ezscale/ezscale/internal/testutil"
)

const testKey = "0123456789abcdef0123456789abcdef"

// world is an app, a Mailgun simulator and a clock the test moves.
type world struct {
	app core.App
	sim *mailgunsim.Simulator
	mg  *mailgun.Sender
	now time.Time
	box *secrets.Box
}

func newWorld(t *testing.T) *world {
	t.Helper()
	sim := mailgunsim.New("mg.example.com", "key-test")
	t.Cleanup(sim.Close)
	mg, err := mailgun.New(config.Mailgun{Domain: "mg.example.com", APIKey: "key-test", APIBase: sim.APIBase(), From: "EZSCALE <billing@mg.example.com>"})
	if err != nil {
		t.Fatal(err)
	}
	box, _ := secrets.New([]byte(testKey))
	return &world{app: testutil.NewApp(t), sim: sim, mg: mg, now: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC), box: box}
}

// deliverer sends email through email (Mailgun by default) on the test's clock.
func (w *world) deliverer(email outbox.Sender) *outbox.Deliverer {
	if email == nil {
		email = w.mg
	}
	return &outbox.Deliverer{App: w.app, Email: email, Box: w.box, MessageID: w.mg.MessageID,
		MaxAttempts: 4, Settle: -1, Now: func() time.Time { return w.now }}
}

func (w *world) queue(t *testing.T, m outbox.Message) *core.Record {
	t.Helper()
	if m.Channel == "" {
		m.Channel = "email"
	}
	if m.Template == "" {
		m.Template = "test_notice"
	}
	if m.BodyText == "" {
		m.BodyText = "Body of " + m.Subject
	}
	rec, err := outbox.Queue(context.Background(), w.app, m)
	if err != nil {
		t.Fatal(err)
	}
	// Due at the test clock's time.
	rec.Set("next_attempt_at", w.now)
	if err := w.app.Save(rec); err != nil {
		t.Fatal(err)
	}
	return rec
}

func (w *world) reload(t *testing.T, id string) *core.Record {
	t.Helper()
	rec, err := w.app.FindRecordById(outbox.Collection, id)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// drain runs passes of a channel until nothing is claimed.
func drain(t *testing.T, d *outbox.Deliverer, channel string) {
	t.Helper()
	for i := 0; i < 50; i++ {
		n, err := d.Pass(context.Background(), channel)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
	t.Fatal("the queue never emptied")
}

func TestMailgunDeliversOnce(t *testing.T) {
	w := newWorld(t)
	var ids []string
	for _, to := range []string{"a@example.com", "b@example.com", "c@example.com"} {
		ids = append(ids, w.queue(t, outbox.Message{Recipient: to, Subject: "Hello " + to, BodyText: "Plain " + to,
			BodyHTML: "<p>Rich " + to + "</p>", Template: "greeting"}).Id)
	}
	d := w.deliverer(nil)
	drain(t, d, "email")
	drain(t, d, "email") // a second run sends nothing more

	got := w.sim.Received()
	if len(got) != 3 {
		t.Fatalf("mailgun received %d messages, want 3", len(got))
	}
	for i, id := range ids {
		rec := w.reload(t, id)
		mid := w.mg.MessageID(id)
		if n := w.sim.Count(mid); n != 1 {
			t.Errorf("%s delivered %d times", id, n)
		}
		if rec.GetString("status") != "sent" || rec.GetString("provider_id") != mid || rec.GetDateTime("sent_at").IsZero() || rec.GetInt("attempts") != 1 {
			t.Errorf("%s: status %s provider %q sent_at %v attempts %d", id, rec.GetString("status"), rec.GetString("provider_id"),
				rec.GetDateTime("sent_at"), rec.GetInt("attempts"))
		}
		m := got[i]
		if m.From != "EZSCALE <billing@mg.example.com>" || m.Text != rec.GetString("body_text") || m.HTML != rec.GetString("body_html") ||
			m.Variables["outbox_id"] != id || len(m.Tags) != 1 || m.Tags[0] != "greeting" {
			t.Errorf("message %d as received: %+v", i, m)
		}
	}
}

func TestRetryWithBackoff(t *testing.T) {
	w := newWorld(t)
	d := w.deliverer(nil)
	rec := w.queue(t, outbox.Message{Recipient: "a@example.com", Subject: "Invoice", BodyText: "Hi"})

	w.sim.FailNext(503, 500)
	for i, wait := range []time.Duration{time.Minute, 2 * time.Minute} {
		if _, err := d.Pass(context.Background(), "email"); err != nil {
			t.Fatal(err)
		}
		got := w.reload(t, rec.Id)
		if got.GetString("status") != "pending" || got.GetInt("attempts") != i+1 ||
			!got.GetDateTime("next_attempt_at").Time().Equal(w.now.Add(wait)) ||
			!strings.Contains(got.GetString("last_error"), rec.Id) || !strings.Contains(got.GetString("last_error"), "mailgun answered 5") {
			t.Fatalf("after failure %d: %s attempts %d next %v error %q", i+1, got.GetString("status"), got.GetInt("attempts"),
				got.GetDateTime("next_attempt_at"), got.GetString("last_error"))
		}
		// Not due yet: nothing is claimed.
		if n, _ := d.Pass(context.Background(), "email"); n != 0 {
			t.Fatalf("claimed %d messages before their time", n)
		}
		w.now = w.now.Add(wait)
	}
	drain(t, d, "email")
	if got := w.reload(t, rec.Id); got.GetString("status") != "sent" || w.sim.Count(w.mg.MessageID(rec.Id)) != 1 {
		t.Fatalf("after the retries: %s, delivered %d times", got.GetString("status"), w.sim.Count(w.mg.MessageID(rec.Id)))
	}

	// A message that keeps failing gives up after MaxAttempts with the cause.
	other := w.queue(t, outbox.Message{Recipient: "b@example.com", Subject: "Again"})
	w.sim.FailNext(503, 503, 503, 503)
	for i := 0; i < 4; i++ {
		if _, err := d.Pass(context.Background(), "email"); err != nil {
			t.Fatal(err)
		}
		w.now = w.now.Add(10 * time.Hour)
	}
	got := w.reload(t, other.Id)
	if got.GetString("status") != "failed" || !strings.Contains(got.GetString("last_error"), "outbox "+other.Id+": gave up after 4 attempts") {
		t.Fatalf("a hopeless message: %s %q", got.GetString("status"), got.GetString("last_error"))
	}

	// A refused message (400) fails at once.
	bad := w.queue(t, outbox.Message{Recipient: "c@example.com", Subject: "Refused"})
	w.sim.FailNext(http.StatusBadRequest)
	drain(t, d, "email")
	if got := w.reload(t, bad.Id); got.GetString("status") != "failed" || got.GetInt("attempts") != 1 {
		t.Fatalf("a refused message: %s after %d attempts", got.GetString("status"), got.GetInt("attempts"))
	}
}

// crashing sends through Mailgun and, at send number n, dies right after
// Mailgun accepted the message: the goroutine ends without recording
// anything, as a killed process would.
type crashing struct {
	next outbox.Sender
	n    int
	mu   sync.Mutex
	sent int
}

func (c *crashing) Send(ctx context.Context, m *outbox.Outgoing) (string, error) {
	id, err := c.next.Send(ctx, m)
	c.mu.Lock()
	c.sent++
	crash := c.sent == c.n
	c.mu.Unlock()
	if crash {
		runtime.Goexit()
	}
	return id, err
}

func (c *crashing) Confirm(ctx context.Context, m *outbox.Outgoing) (string, bool, error) {
	return c.next.(outbox.Confirmer).Confirm(ctx, m)
}

func TestCrashMidBatchThenRestartDeliversEachOnce(t *testing.T) {
	w := newWorld(t)
	var ids []string
	for i := 0; i < 6; i++ {
		ids = append(ids, w.queue(t, outbox.Message{Recipient: "c@example.com", Subject: "Notice", BodyText: "n"}).Id)
	}
	discordRow := w.queue(t, outbox.Message{Channel: "discord", Subject: "Staff notice", Severity: "info"})

	// The first process claims a batch and dies during its third send,
	// after Mailgun accepted it; a Discord send dies mid-flight too.
	first := w.deliverer(&crashing{next: w.mg, n: 3})
	first.Batch = 5
	first.Discord = &crashing{next: outbox.Misconfigured{Err: errors.New("unreachable")}, n: 1}
	for _, ch := range []string{"email", "discord"} {
		done := make(chan struct{})
		go func() {
			defer close(done)
			_, _ = first.Pass(context.Background(), ch)
		}()
		<-done
	}
	sending := 0
	for _, id := range ids {
		if w.reload(t, id).GetString("status") == "sending" {
			sending++
		}
	}
	if sending != 3 || len(w.sim.Received()) != 3 {
		t.Fatalf("after the crash: %d in sending, %d accepted; want 3 and 3", sending, len(w.sim.Received()))
	}

	// The restarted process settles what was left and sends the rest.
	second := w.deliverer(nil)
	second.Discord = outbox.Misconfigured{Err: errors.New("must not be called")}
	drain(t, second, "email")
	drain(t, second, "discord")
	for _, id := range ids {
		if n := w.sim.Count(w.mg.MessageID(id)); n != 1 {
			t.Errorf("%s delivered %d times, want exactly once", id, n)
		}
		if got := w.reload(t, id); got.GetString("status") != "sent" {
			t.Errorf("%s is %s, want sent", id, got.GetString("status"))
		}
	}
	got := w.reload(t, discordRow.Id)
	if got.GetString("status") != "failed" || got.GetString("last_error") != "outbox "+discordRow.Id+": "+outbox.Interrupted {
		t.Errorf("interrupted Discord notice: %s %q", got.GetString("status"), got.GetString("last_error"))
	}
}

func TestShutdownMidBatchReleasesUnsent(t *testing.T) {
	w := newWorld(t)
	a := w.queue(t, outbox.Message{Recipient: "a@example.com", Subject: "One"})
	b := w.queue(t, outbox.Message{Recipient: "b@example.com", Subject: "Two"})
	ctx, cancel := context.WithCancel(context.Background())
	d := w.deliverer(senderFunc(func(c context.Context, m *outbox.Outgoing) (string, error) {
		id, err := w.mg.Send(c, m)
		cancel() // the server stops while this one is out
		return id, err
	}))
	if _, err := d.Pass(ctx, "email"); err != nil {
		t.Fatal(err)
	}
	statuses := map[string]int{}
	for _, rec := range []*core.Record{a, b} {
		got := w.reload(t, rec.Id)
		statuses[got.GetString("status")]++
		if got.GetString("status") == "pending" && got.GetInt("attempts") != 0 {
			t.Errorf("the unsent message kept the claim's attempt: %d", got.GetInt("attempts"))
		}
	}
	if statuses["sent"] != 1 || statuses["pending"] != 1 {
		t.Errorf("after a shutdown mid-batch: %v, want one sent and one pending", statuses)
	}
}

type senderFunc func(context.Context, *outbox.Outgoing) (string, error)

func (f senderFunc) Send(ctx context.Context, m *outbox.Outgoing) (string, error) { return f(ctx, m) }

// An interrupted Mailgun message that Mailgun does not know of yet waits
// for Settle before it is sent again: events can lag.
func TestInterruptedWaitsForSettle(t *testing.T) {
	w := newWorld(t)
	rec := w.queue(t, outbox.Message{Recipient: "a@example.com", Subject: "Lagging"})
	// Left in sending by a crash before the request went out.
	if _, err := w.app.DB().NewQuery("UPDATE outbox SET status = 'sending', attempts = 1, updated = {:t} WHERE id = {:id}").
		Bind(map[string]any{"t": w.now.Format("2006-01-02 15:04:05.000Z"), "id": rec.Id}).Execute(); err != nil {
		t.Fatal(err)
	}
	d := w.deliverer(nil)
	d.Settle = 10 * time.Minute
	drain(t, d, "email")
	if got := w.reload(t, rec.Id); got.GetString("status") != "sending" || len(w.sim.Received()) != 0 {
		t.Fatalf("within the settle time: %s, %d sent", got.GetString("status"), len(w.sim.Received()))
	}
	w.now = w.now.Add(11 * time.Minute)
	drain(t, d, "email")
	if got := w.reload(t, rec.Id); got.GetString("status") != "sent" || w.sim.Count(w.mg.MessageID(rec.Id)) != 1 || got.GetInt("attempts") != 2 {
		t.Fatalf("after the settle time: %s, delivered %d times, %d attempts", got.GetString("status"), w.sim.Count(w.mg.MessageID(rec.Id)), got.GetInt("attempts"))
	}
}

func TestAttachmentsResolvedAtDelivery(t *testing.T) {
	w := newWorld(t)
	customer := testutil.Customer(t, w.app, "alice@example.com", "USD")
	inv := testutil.Create(t, w.app, "invoices", map[string]any{"customer": customer.Id, "currency": "USD", "status": "draft"})
	svc := testutil.Service(t, w.app, customer)
	sealed, err := w.box.Seal(map[string]string{"username": "root", "password": "s3cret-Pa55"})
	if err != nil {
		t.Fatal(err)
	}
	svc.Set("credentials", sealed)
	if err := w.app.Save(svc); err != nil {
		t.Fatal(err)
	}
	optIn(t, w.app, "virtfusion")
	receipt := w.queue(t, outbox.Message{Recipient: customer.Email(), CustomerID: customer.Id, Subject: "Receipt", BodyText: "Thanks",
		Attachments: []map[string]string{{"kind": "invoice_pdf", "invoice": inv.Id}}})
	ready := w.queue(t, outbox.Message{Recipient: customer.Email(), CustomerID: customer.Id, Subject: "Ready", BodyText: "Your server is ready.",
		BodyHTML:    "<html><body><p>Your server is ready.</p></body></html>",
		Attachments: []map[string]string{{"kind": "service_credentials", "service": svc.Id}}})
	missing := w.queue(t, outbox.Message{Recipient: customer.Email(), Subject: "Gone",
		Attachments: []map[string]string{{"kind": "invoice_pdf", "invoice": "nosuchinvoice00"}}})
	unknown := w.queue(t, outbox.Message{Recipient: customer.Email(), Subject: "Odd",
		Attachments: []map[string]string{{"kind": "tarball"}}})
	drain(t, w.deliverer(nil), "email")

	byID := map[string]mailgunsim.Received{}
	for _, m := range w.sim.Received() {
		byID[m.MessageID] = m
	}
	pdf := byID[w.mg.MessageID(receipt.Id)]
	if len(pdf.Attachments) != 1 {
		t.Fatalf("receipt attachments: %v", len(pdf.Attachments))
	}
	for name, data := range pdf.Attachments {
		if !strings.HasSuffix(name, ".pdf") || !bytes.HasPrefix(data, []byte("%PDF")) {
			t.Errorf("attachment %q is not a PDF: %.20q", name, data)
		}
	}
	creds := byID[w.mg.MessageID(ready.Id)]
	if !strings.Contains(creds.Text, "Password: s3cret-Pa55") || !strings.Contains(creds.HTML, "s3cret-Pa55</code>") ||
		!strings.HasSuffix(creds.HTML, "</body></html>") {
		t.Errorf("credentials missing from the sent message: text %q html %q", creds.Text, creds.HTML)
	}
	row := w.reload(t, ready.Id)
	for _, f := range []string{"body_text", "body_html", "attachments", "last_error"} {
		if strings.Contains(row.GetString(f), "s3cret") {
			t.Errorf("the secret is in the outbox row's %s", f)
		}
	}
	for rec, want := range map[*core.Record]string{missing: `invoice "nosuchinvoice00" not found`, unknown: `unknown kind "tarball"`} {
		got := w.reload(t, rec.Id)
		if got.GetString("status") != "failed" || !strings.Contains(got.GetString("last_error"), want) || !strings.Contains(got.GetString("last_error"), rec.Id) {
			t.Errorf("%s: %s %q, want failed with %q", rec.Id, got.GetString("status"), got.GetString("last_error"), want)
		}
	}
}

func TestDevPrinting(t *testing.T) {
	w := newWorld(t)
	customer := testutil.Customer(t, w.app, "alice@example.com", "USD")
	inv := testutil.Create(t, w.app, "invoices", map[string]any{"customer": customer.Id, "currency": "USD", "status": "draft"})
	rec := w.queue(t, outbox.Message{Recipient: "alice@example.com", Subject: "Your receipt", BodyText: "Thank you for paying.",
		Attachments: []map[string]string{{"kind": "invoice_pdf", "invoice": inv.Id}}})
	var out bytes.Buffer
	drain(t, w.deliverer(&outbox.Printer{Out: &out}), "email")
	for _, want := range []string{"To: alice@example.com", "Subject: Your receipt", "Thank you for paying.", "[attachment: ", ".pdf, "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("printed message lacks %q:\n%s", want, out.String())
		}
	}
	if got := w.reload(t, rec.Id); got.GetString("status") != "sent" {
		t.Errorf("a printed message is %s, want sent (kept for inspection)", got.GetString("status"))
	}
	if len(w.sim.Received()) != 0 {
		t.Error("dev printing sent through Mailgun")
	}
}

func TestDiscordWithoutWebhookIsCancelled(t *testing.T) {
	w := newWorld(t)
	rec := w.queue(t, outbox.Message{Channel: "discord", Subject: "Invoice paid", Severity: "success"})
	email := w.queue(t, outbox.Message{Recipient: "a@example.com", Subject: "Still goes"})
	d := w.deliverer(nil)
	drain(t, d, "discord")
	drain(t, d, "email")
	if got := w.reload(t, rec.Id); got.GetString("status") != "cancelled" || got.GetString("last_error") != outbox.NotConfigured {
		t.Errorf("discord without a webhook: %s %q", got.GetString("status"), got.GetString("last_error"))
	}
	if got := w.reload(t, email.Id); got.GetString("status") != "sent" {
		t.Errorf("email is %s", got.GetString("status"))
	}
}
