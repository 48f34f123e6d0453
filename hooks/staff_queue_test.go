package hooks_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/pocketbase/dbx"

	"github.com/ezscale/ezscale/integrations/outbox"
	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/internal/audit"
	"github.com/ezscale/ezscale/internal/testutil"
)

func TestStaffQueueRoute(t *testing.T) {
	app := testutil.NewApp(t)
	api := testutil.NewAPI(t, app)
	su := testutil.Superuser(t, app, "staff@example.com")
	staff := testutil.Token(t, su)
	c := testutil.Customer(t, app, "alice@example.com", "USD")
	customer := testutil.Token(t, c)
	svc := testutil.Service(t, app, c)
	job, err := provisioning.Enqueue(context.Background(), app, provisioning.Job{ServiceID: svc.Id, Action: provisioning.ActionCreate})
	if err != nil {
		t.Fatal(err)
	}
	job.Set("status", "failed")
	if err := app.Save(job); err != nil {
		t.Fatal(err)
	}
	msg, err := outbox.Queue(context.Background(), app, outbox.Message{Channel: "email", Recipient: c.Email(), CustomerID: c.Id, Template: "welcome", Subject: "Hi", BodyText: "hi"})
	if err != nil {
		t.Fatal(err)
	}
	msg.Set("status", outbox.StatusFailed)
	if err := app.Save(msg); err != nil {
		t.Fatal(err)
	}
	event := testutil.Create(t, app, "webhook_events", map[string]any{"gateway": "stripe", "event_id": "evt_q", "type": "charge.refunded", "status": "failed"})

	t.Run("reading", func(t *testing.T) {
		cases := []struct {
			name, query, token string
			status             int
			field              string // the parameter a 400 names
		}{
			{"anonymous", "", "", http.StatusUnauthorized, ""},
			{"customer", "", customer, http.StatusForbidden, ""},
			{"staff", "", staff, http.StatusOK, ""},
			{"staff, one kind", "?kind=outbox&page=1&perPage=10", staff, http.StatusOK, ""},
			{"unknown kind", "?kind=everything", staff, http.StatusBadRequest, "kind"},
			{"page zero", "?kind=outbox&page=0", staff, http.StatusBadRequest, "page"},
			{"perPage too big", "?kind=outbox&perPage=1000", staff, http.StatusBadRequest, "perPage"},
			{"negative limit", "?limit=-1", staff, http.StatusBadRequest, "limit"},
			{"days not a number", "?days=soon", staff, http.StatusBadRequest, "days"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				res := api.Do(http.MethodGet, "/api/staff/queue"+tc.query, tc.token, nil)
				if res.Status != tc.status {
					t.Fatalf("%d %s, want %d", res.Status, res.Body, tc.status)
				}
				if tc.field != "" {
					var body struct {
						Data map[string]struct{ Message string } `json:"data"`
					}
					if err := json.Unmarshal(res.Body, &body); err != nil || body.Data[tc.field].Message == "" {
						t.Errorf("400 does not name %s: %s", tc.field, res.Body)
					}
				}
			})
		}
		var q struct {
			Total  int
			Counts map[string]int
			Items  map[string][]struct{ ID, Customer string }
		}
		if err := json.Unmarshal(api.Do(http.MethodGet, "/api/staff/queue", staff, nil).Body, &q); err != nil {
			t.Fatal(err)
		}
		if q.Total != 3 || q.Counts["failed_jobs"] != 1 || q.Counts["outbox"] != 1 || q.Counts["webhooks"] != 1 ||
			len(q.Items["failed_jobs"]) != 1 || q.Items["failed_jobs"][0].ID != job.Id || q.Items["failed_jobs"][0].Customer != c.Id {
			t.Fatalf("queue: %+v", q)
		}
		q.Items = nil
		if err := json.Unmarshal(api.Do(http.MethodGet, "/api/staff/queue?limit=0", staff, nil).Body, &q); err != nil || q.Total != 3 || len(q.Items) != 0 {
			t.Fatalf("counts only: %+v %v", q, err)
		}
	})

	t.Run("actions", func(t *testing.T) {
		cases := []struct {
			name, path, token string
			status            int
		}{
			{"anonymous resend", "/api/staff/outbox/" + msg.Id + "/resend", "", http.StatusUnauthorized},
			{"customer discard", "/api/staff/outbox/" + msg.Id + "/discard", customer, http.StatusForbidden},
			{"customer dismiss", "/api/staff/webhook-events/" + event.Id + "/dismiss", customer, http.StatusForbidden},
			{"unknown message", "/api/staff/outbox/nosuchmessage12/resend", staff, http.StatusNotFound},
			{"resend", "/api/staff/outbox/" + msg.Id + "/resend", staff, http.StatusOK},
			{"discard", "/api/staff/outbox/" + msg.Id + "/discard", staff, http.StatusOK},
			{"discard twice", "/api/staff/outbox/" + msg.Id + "/discard", staff, http.StatusBadRequest},
			{"dismiss", "/api/staff/webhook-events/" + event.Id + "/dismiss", staff, http.StatusOK},
			{"dismiss twice", "/api/staff/webhook-events/" + event.Id + "/dismiss", staff, http.StatusBadRequest},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				res := api.Do(http.MethodPost, tc.path, tc.token, nil)
				if res.Status != tc.status {
					t.Fatalf("%d %s, want %d", res.Status, res.Body, tc.status)
				}
				if tc.status == http.StatusBadRequest && res.Object(t)["message"] == "" {
					t.Errorf("refusal without its reason: %s", res.Body)
				}
			})
		}
		if res := api.Do(http.MethodGet, "/api/staff/queue?limit=0", staff, nil); res.Object(t)["total"] != 1.0 {
			t.Errorf("queue after the actions, the failed job left: %s", res.Body)
		}
		for _, a := range []string{"outbox.resend", "outbox.discard", "webhook.dismiss"} {
			entry, err := app.FindFirstRecordByFilter(audit.Collection, "action = {:a}", dbx.Params{"a": a})
			if err != nil || entry.GetString("actor_id") != su.Id || entry.GetString("ip") == "" {
				t.Errorf("%s not audited with the superuser and their address: %v %v", a, entry, err)
			}
		}
	})
}
