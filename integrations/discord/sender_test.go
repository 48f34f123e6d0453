package discord_test

import (
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

	"github.com/bwmarrin/discordgo"

	"github.com/ezscale/ezscale/integrations/discord"
	"github.com/ezscale/ezscale/integrations/outbox"
	"github.com/ezscale/ezscale/internal/testutil"
)

const (
	hookID    = "1199887766554433221"
	hookToken = "tok-SECRET-abc123"
)

// fakeDiscord answers webhook executions from a script of statuses and
// keeps the bodies it was sent.
type fakeDiscord struct {
	mu      sync.Mutex
	script  []int
	bodies  []map[string]any
	queries []string
}

func (f *fakeDiscord) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if r.Method != http.MethodPost || r.URL.Path != "/api/v9/webhooks/"+hookID+"/"+hookToken {
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"message": "Unknown Webhook", "code": 10015}`)
		return
	}
	status := http.StatusOK
	if len(f.script) > 0 {
		status, f.script = f.script[0], f.script[1:]
	}
	var body map[string]any
	_ = json.NewDecoder(r.Body).Decode(&body)
	f.bodies = append(f.bodies, body)
	f.queries = append(f.queries, r.URL.RawQuery)
	w.WriteHeader(status)
	switch status {
	case http.StatusOK:
		_, _ = io.WriteString(w, `{"id": "1245678901234567890", "type": 0, "channel_id": "1122334455667788990", "webhook_id": "`+hookID+`"}`)
	case http.StatusTooManyRequests:
		_, _ = io.WriteString(w, `{"message": "You are being rate limited.", "retry_after": 2.5, "global": false}`)
	case http.StatusUnauthorized:
		_, _ = io.WriteString(w, `{"message": "Invalid Webhook Token", "code": 50027}`)
	case http.StatusNotFound:
		_, _ = io.WriteString(w, `{"message": "Unknown Webhook", "code": 10015}`)
	default:
		_, _ = io.WriteString(w, `{"message": "Internal Server Error", "code": 0}`)
	}
}

// fake points discordgo at a fake Discord for the test.
func fake(t *testing.T, script ...int) (*fakeDiscord, *discord.Sender) {
	t.Helper()
	f := &fakeDiscord{script: script}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	saved := discordgo.EndpointWebhooks
	discordgo.EndpointWebhooks = srv.URL + "/api/v9/webhooks/"
	t.Cleanup(func() { discordgo.EndpointWebhooks = saved })
	s, err := discord.New("https://discord.com/api/webhooks/" + hookID + "/" + hookToken)
	if err != nil {
		t.Fatal(err)
	}
	return f, s
}

func TestParseWebhookURL(t *testing.T) {
	for raw, ok := range map[string]bool{
		"https://discord.com/api/webhooks/" + hookID + "/" + hookToken:           true,
		"https://discord.com/api/v10/webhooks/" + hookID + "/" + hookToken:       true,
		"https://canary.discordapp.com/api/webhooks/" + hookID + "/" + hookToken: true,
		"https://discord.com/api/webhooks/" + hookID:                             false,
		"https://discord.com/api/webhooks/not-a-number/" + hookToken:             false,
		"discord.com/api/webhooks/" + hookID + "/" + hookToken:                   false,
		"": false,
	} {
		id, token, err := discord.ParseWebhookURL(raw)
		if ok != (err == nil) || (ok && (id != hookID || token != hookToken)) {
			t.Errorf("%q: %q %q %v", raw, id, token, err)
		}
		if err != nil && strings.Contains(err.Error(), hookToken) {
			t.Errorf("the error repeats the token: %v", err)
		}
	}
}

func TestSendEmbed(t *testing.T) {
	f, s := fake(t)
	queued := time.Date(2026, 3, 1, 10, 15, 30, 0, time.UTC)
	id, err := s.Send(context.Background(), &outbox.Outgoing{ID: "out123", Subject: "Invoice INV-1 paid", Text: "alice paid **$12.00**",
		Severity: "success", Queued: queued})
	if err != nil || id != "1245678901234567890" {
		t.Fatalf("send: %q %v", id, err)
	}
	if f.queries[0] != "wait=true" {
		t.Errorf("query %q, want wait=true", f.queries[0])
	}
	embed := f.bodies[0]["embeds"].([]any)[0].(map[string]any)
	if embed["title"] != "Invoice INV-1 paid" || embed["description"] != "alice paid **$12.00**" || embed["color"] != float64(0x2ECC71) ||
		embed["timestamp"] != "2026-03-01T10:15:30Z" || embed["footer"].(map[string]any)["text"] != "outbox out123" {
		t.Errorf("embed: %v", embed)
	}
	if parse := f.bodies[0]["allowed_mentions"].(map[string]any)["parse"]; parse == nil || len(parse.([]any)) != 0 {
		t.Errorf("mentions are not suppressed: %v", f.bodies[0]["allowed_mentions"])
	}
}

func TestSendErrors(t *testing.T) {
	for _, tc := range []struct {
		status    int
		permanent bool
		after     time.Duration
		reason    string
	}{
		{http.StatusTooManyRequests, false, 2500 * time.Millisecond, "rate limit"},
		{http.StatusNotFound, true, 0, "Unknown Webhook (code 10015)"},
		{http.StatusUnauthorized, true, 0, "Invalid Webhook Token"},
		{http.StatusInternalServerError, false, 0, "HTTP 500"},
	} {
		_, s := fake(t, tc.status)
		_, err := s.Send(context.Background(), &outbox.Outgoing{ID: "x", Subject: "s", Text: "t"})
		var perm *outbox.PermanentError
		var rl *outbox.RateLimitError
		if err == nil || errors.As(err, &perm) != tc.permanent || !strings.Contains(err.Error(), tc.reason) {
			t.Errorf("%d: %v (permanent %v)", tc.status, err, errors.As(err, &perm))
			continue
		}
		if tc.after > 0 && (!errors.As(err, &rl) || rl.After != tc.after) {
			t.Errorf("%d: %v, want a retry after %v", tc.status, err, tc.after)
		}
		if strings.Contains(err.Error(), hookToken) {
			t.Errorf("%d: the error shows the token: %v", tc.status, err)
		}
	}
}

// Through the outbox: a 429 sets the next attempt after retry_after
// (without counting an attempt), then the notice goes out; a deleted
// webhook fails the notice with the reason.
func TestOutboxDiscord(t *testing.T) {
	app := testutil.NewApp(t)
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	f, s := fake(t, http.StatusTooManyRequests)
	d := &outbox.Deliverer{App: app, Discord: s, Now: func() time.Time { return now }}
	rec, err := outbox.Queue(context.Background(), app, outbox.Message{Channel: "discord", Template: "invoice_paid", Severity: "success",
		Subject: "Invoice paid", BodyText: "alice paid"})
	if err != nil {
		t.Fatal(err)
	}
	rec.Set("next_attempt_at", now)
	if err := app.Save(rec); err != nil {
		t.Fatal(err)
	}
	reload := func() map[string]any {
		got, err := app.FindRecordById("outbox", rec.Id)
		if err != nil {
			t.Fatal(err)
		}
		return map[string]any{"status": got.GetString("status"), "attempts": got.GetInt("attempts"),
			"next": got.GetDateTime("next_attempt_at").Time(), "error": got.GetString("last_error"), "provider": got.GetString("provider_id")}
	}
	if _, err := d.Pass(context.Background(), "discord"); err != nil {
		t.Fatal(err)
	}
	if got := reload(); got["status"] != "pending" || got["attempts"] != 0 || !got["next"].(time.Time).Equal(now.Add(2500*time.Millisecond)) {
		t.Fatalf("after a 429: %v", got)
	}
	now = now.Add(3 * time.Second)
	if _, err := d.Pass(context.Background(), "discord"); err != nil {
		t.Fatal(err)
	}
	if got := reload(); got["status"] != "sent" || got["provider"] != "1245678901234567890" || got["attempts"] != 1 || len(f.bodies) != 2 {
		t.Fatalf("after the rate limit passed: %v (%d requests)", got, len(f.bodies))
	}

	_, bad := fake(t, http.StatusNotFound)
	d.Discord = bad
	rec2, _ := outbox.Queue(context.Background(), app, outbox.Message{Channel: "discord", Template: "t", Subject: "Second", BodyText: "b"})
	rec2.Set("next_attempt_at", now)
	_ = app.Save(rec2)
	rec = rec2
	if _, err := d.Pass(context.Background(), "discord"); err != nil {
		t.Fatal(err)
	}
	got := reload()
	if got["status"] != "failed" || !strings.Contains(got["error"].(string), "Unknown Webhook") || !strings.Contains(got["error"].(string), rec2.Id) ||
		strings.Contains(got["error"].(string), hookToken) {
		t.Fatalf("a deleted webhook: %v", got)
	}
}
