package hooks_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/testutil"
)

func TestAccountMailGoesThroughTheOutbox(t *testing.T) {
	app := testutil.NewApp(t)
	api := testutil.NewAPI(t, app)
	alice := testutil.Customer(t, app, "alice@example.com", "USD")
	alice.SetVerified(false)
	if err := app.Save(alice); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		path, template string
		link           *regexp.Regexp
	}{
		{"/api/collections/customers/request-verification", "account_verification",
			portalLink(app, "/verify/")},
		{"/api/collections/customers/request-password-reset", "account_password_reset",
			portalLink(app, "/reset-password/")},
	}
	for _, tc := range tests {
		t.Run(tc.template, func(t *testing.T) {
			if res := api.Do(http.MethodPost, tc.path, "", map[string]any{"email": "alice@example.com"}); res.Status != http.StatusNoContent {
				t.Fatalf("request: %d %s", res.Status, res.Body)
			}
			// PocketBase sends these in the background (the answer must not
			// reveal whether the address exists), so the message comes shortly.
			var msg *core.Record
			var err error
			for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
				if msg, err = app.FindFirstRecordByFilter("outbox", "template = {:t}", dbx.Params{"t": tc.template}); err == nil {
					break
				}
			}
			if err != nil {
				t.Fatalf("no %s message in the outbox: %v", tc.template, err)
			}
			if msg.GetString("recipient") != "alice@example.com" || msg.GetString("customer") != alice.Id ||
				msg.GetString("status") != "pending" || !strings.Contains(msg.GetString("subject"), "EZSCALE") {
				t.Errorf("message: %v", msg.FieldsData())
			}
			for _, part := range []string{"body_html", "body_text"} {
				if !tc.link.MatchString(msg.GetString(part)) {
					t.Errorf("%s has no portal link: %q", part, msg.GetString(part))
				}
			}
			if strings.Contains(msg.GetString("body_text"), "<") {
				t.Errorf("text part has markup: %q", msg.GetString("body_text"))
			}
		})
	}
	if n := app.TestMailer.TotalSend(); n != 0 {
		t.Errorf("PocketBase's mailer sent %d messages besides the outbox", n)
	}
	// Unknown addresses queue nothing (and the answer does not tell).
	before, _ := app.CountRecords("outbox")
	if res := api.Do(http.MethodPost, "/api/collections/customers/request-password-reset", "", map[string]any{"email": "nobody@example.com"}); res.Status != http.StatusNoContent {
		t.Errorf("unknown address: %d", res.Status)
	}
	time.Sleep(200 * time.Millisecond)
	if after, _ := app.CountRecords("outbox"); after != before {
		t.Error("a reset for an unknown address queued a message")
	}
}

// portalLink matches a link to the portal page path with a token.
func portalLink(app core.App, path string) *regexp.Regexp {
	return regexp.MustCompile(regexp.QuoteMeta(app.Settings().Meta.AppURL+path) + `[\w.-]{20,}`)
}
