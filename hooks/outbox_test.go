package hooks_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/ezscale/integrations/outbox"
	"github.com/ezscale/ezscale/internal/testutil"
)

// Staff re-send or cancel a message by editing its status; nothing else
// moves a status by the API, and a sent message's content is frozen.
func TestOutboxStaffEdits(t *testing.T) {
	app := testutil.NewApp(t)
	api := testutil.NewAPI(t, app)
	staff := testutil.Token(t, testutil.Superuser(t, app, "staff@example.com"))
	customer := testutil.Customer(t, app, "alice@example.com", "USD")
	past := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

	for _, tc := range []struct {
		name, from string
		patch      map[string]any
		token      string
		status     int
	}{
		{"re-send a failed message", "failed", map[string]any{"status": "pending"}, staff, 200},
		{"re-send a cancelled message", "cancelled", map[string]any{"status": "pending"}, staff, 200},
		{"cancel a pending message", "pending", map[string]any{"status": "cancelled"}, staff, 200},
		{"cancel a failed message", "failed", map[string]any{"status": "cancelled"}, staff, 200},
		{"fix the address of a failed message", "failed", map[string]any{"recipient": "right@example.com"}, staff, 200},
		{"send a sent message again", "sent", map[string]any{"status": "pending"}, staff, 400},
		{"mark a pending message sent", "pending", map[string]any{"status": "sent"}, staff, 400},
		{"fail a pending message", "pending", map[string]any{"status": "failed"}, staff, 400},
		{"cancel a sent message", "sent", map[string]any{"status": "cancelled"}, staff, 400},
		{"touch a message being sent", "sending", map[string]any{"status": "cancelled"}, staff, 400},
		{"rewrite a sent message", "sent", map[string]any{"body_text": "something else"}, staff, 400},
		{"customer re-sends their own message", "failed", map[string]any{"status": "pending"}, testutil.Token(t, customer), 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := outbox.Queue(context.Background(), app, outbox.Message{Channel: "email", Recipient: "wrong@example.com",
				CustomerID: customer.Id, Template: "t", Subject: "s", BodyText: "b"})
			if err != nil {
				t.Fatal(err)
			}
			rec.Set("status", tc.from)
			rec.Set("attempts", 3)
			rec.Set("last_error", "outbox "+rec.Id+": earlier failure")
			rec.Set("next_attempt_at", past)
			if err := app.Save(rec); err != nil {
				t.Fatal(err)
			}
			res := api.Do(http.MethodPatch, "/api/collections/outbox/records/"+rec.Id, tc.token, tc.patch)
			if res.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", res.Status, tc.status, res.Body)
			}
			got, _ := app.FindRecordById("outbox", rec.Id)
			if tc.status != 200 {
				if got.GetString("status") != tc.from || got.GetString("body_text") != "b" {
					t.Errorf("a refused edit changed the message: %s %q", got.GetString("status"), got.GetString("body_text"))
				}
				if tc.status == 400 && !strings.Contains(string(res.Body), "message") {
					t.Errorf("no reason given: %s", res.Body)
				}
				return
			}
			if tc.patch["status"] == "pending" {
				next := got.GetDateTime("next_attempt_at").Time()
				if got.GetString("status") != "pending" || !next.After(past) || time.Since(next) > time.Minute ||
					got.GetInt("attempts") != 3 || got.GetString("last_error") == "" {
					t.Errorf("re-sent: %s next %v attempts %d error %q", got.GetString("status"), next, got.GetInt("attempts"), got.GetString("last_error"))
				}
			}
		})
	}
}
