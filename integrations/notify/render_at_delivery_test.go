package notify_test

import (
	"context"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/integrations/notify"
	"github.com/ezscale/ezscale/integrations/outbox"
	"github.com/ezscale/ezscale/internal/testutil"
)

// captured keeps what a channel sent, by outbox id.
type captured map[string]*outbox.Outgoing

func (c captured) Send(_ context.Context, m *outbox.Outgoing) (string, error) {
	c[m.ID] = m
	return "sent-" + m.ID, nil
}

// deliverAll sends every due message of both channels to sent.
func deliverAll(t *testing.T, app core.App, sent captured) {
	t.Helper()
	d := &outbox.Deliverer{App: app, Email: sent, Discord: sent}
	for _, ch := range []string{outbox.ChannelEmail, outbox.ChannelDiscord} {
		for {
			n, err := d.Pass(context.Background(), ch)
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				break
			}
		}
	}
}

// A notice rendered at delivery goes out exactly as it reads when rendered
// in the transaction: every email and staff notice, with sample facts of
// every kind (amounts, dates, counts, lists, nested facts), and the sent
// row keeps the text that went out.
func TestRenderAtDeliverySendsTheSameNotice(t *testing.T) {
	app := hostileApp(t)
	customer := testutil.Customer(t, app, "carol@example.com", "EUR")
	type pair struct{ now, later *core.Record }
	var pairs []pair
	for _, key := range notify.EmailKeys() {
		queue := func(later bool) *core.Record {
			rec, err := notify.Customer(context.Background(), app, notify.Email{Key: key, Customer: customer, Data: hostile(key),
				DedupeKey: "test:" + key + ":" + map[bool]string{false: "now", true: "later"}[later], RenderAtDelivery: later})
			if err != nil {
				t.Fatalf("%s: %v", key, err)
			}
			return rec
		}
		pairs = append(pairs, pair{queue(false), queue(true)})
	}
	for _, key := range notify.StaffKeys() {
		queue := func(later bool) *core.Record {
			rec, err := notify.Staff(context.Background(), app, notify.Alert{Key: key, Customer: customer, Data: notify.StaffSample(key),
				DedupeKey: "test:" + key + ":" + map[bool]string{false: "now", true: "later"}[later], RenderAtDelivery: later})
			if err != nil {
				t.Fatalf("%s: %v", key, err)
			}
			return rec
		}
		pairs = append(pairs, pair{queue(false), queue(true)})
	}
	for _, p := range pairs {
		if p.later.GetString("subject") != "" || p.later.GetString("body_text") != "" || p.later.GetString("body_html") != "" {
			t.Fatalf("%s was rendered when queued", p.later.GetString("template"))
		}
	}
	sent := captured{}
	deliverAll(t, app, sent)
	for _, p := range pairs {
		key := p.now.GetString("template")
		now, later := sent[p.now.Id], sent[p.later.Id]
		if now == nil || later == nil {
			t.Errorf("%s: not sent (%v, %v)", key, now != nil, later != nil)
			continue
		}
		if now.Subject == "" || now.Subject != later.Subject || now.Text != later.Text || now.HTML != later.HTML || now.To != later.To {
			t.Errorf("%s differs at delivery:\nsubject %q / %q\ntext %q\n/ %q", key, now.Subject, later.Subject, now.Text, later.Text)
		}
		row, err := app.FindRecordById(outbox.Collection, p.later.Id)
		if err != nil {
			t.Fatal(err)
		}
		if row.GetString("status") != outbox.StatusSent || row.GetString("subject") != later.Subject ||
			row.GetString("body_text") != later.Text || row.GetString("body_html") != later.HTML {
			t.Errorf("%s: the sent row does not keep what went out: %v", key, row.FieldsData())
		}
	}
}

// A fact that cannot be stored with its type is refused in the caller's
// transaction, and nothing is queued.
func TestRenderAtDeliveryRefusesAnUnstorableFact(t *testing.T) {
	app := testutil.NewApp(t)
	customer := testutil.Customer(t, app, "dave@example.com", "EUR")
	data := hostile("payment_received")
	data["Amount"] = struct{ Minor int64 }{100}
	_, err := notify.Customer(context.Background(), app, notify.Email{Key: "payment_received", Customer: customer, Data: data,
		DedupeKey: "test:unstorable", RenderAtDelivery: true})
	if err == nil || !strings.Contains(err.Error(), "Amount") {
		t.Fatalf("queued, or the error does not name the fact: %v", err)
	}
	if _, err := notify.Customer(context.Background(), app, notify.Email{Key: "nope", Customer: customer, RenderAtDelivery: true}); err == nil {
		t.Error("an unknown notice was queued")
	}
	if n, _ := app.CountRecords(outbox.Collection, dbx.HashExp{"customer": customer.Id}); n != 0 {
		t.Errorf("%d messages queued", n)
	}
}

// A message whose facts no longer render (a fact the template needs is
// missing) fails for staff to see instead of going out half-written.
func TestRenderAtDeliveryFailsAMessageThatDoesNotRender(t *testing.T) {
	app := testutil.NewApp(t)
	customer := testutil.Customer(t, app, "erin@example.com", "EUR")
	rec, err := notify.Customer(context.Background(), app, notify.Email{Key: "payment_received", Customer: customer,
		Data: notify.Data{"Link": "https://x"}, DedupeKey: "test:missing", RenderAtDelivery: true})
	if err != nil {
		t.Fatal(err)
	}
	sent := captured{}
	deliverAll(t, app, sent)
	row, err := app.FindRecordById(outbox.Collection, rec.Id)
	if err != nil {
		t.Fatal(err)
	}
	if len(sent) != 0 || row.GetString("status") != outbox.StatusFailed || !strings.Contains(row.GetString("last_error"), "Invoice") {
		t.Errorf("sent %d, row %v", len(sent), row.FieldsData())
	}
}
