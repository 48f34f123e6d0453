package migrations_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/testutil"
)

// TestRealtimeDeliversOnlyOwnRecords connects every actor to the realtime
// API over a real SSE connection, subscribes each to the same topics
// (services, one another's service and customer record, the audit trail),
// changes A's and B's records, hidden fields included, and checks who got
// which message: a customer gets the events about their own records only,
// a guest nothing, staff everything; and no message to a guest or customer
// carries a hidden field or value, expanded relations included.
func TestRealtimeDeliversOnlyOwnRecords(t *testing.T) {
	f := newFixture(t)
	srv := httptest.NewServer(f.api.Handler())
	t.Cleanup(srv.Close)

	a, b := f.id("customers", "A"), f.id("customers", "B")
	expand := "services/*?options=" + url.QueryEscape(`{"query":{"expand":"customer,plan,subscription.plan_price"}}`)
	topics := []string{
		"services", "services/*", expand, "services/" + f.id("services", "A"), "services/" + f.id("services", "B"),
		"customers/" + a, "customers/" + b, "audit_logs/*",
	}
	clients := map[actor]*sseClient{}
	for _, who := range actors {
		clients[who] = subscribe(t, srv, f.tokens[who], topics)
	}

	changes := []struct {
		name  string
		owner actor
		do    func(t *testing.T) (collection, id, action string)
	}{
		{"staff edit A's service, hidden fields too", customerA, f.editService("A")},
		{"staff edit B's service, hidden fields too", customerB, f.editService("B")},
		{"A edits their profile", customerA, func(t *testing.T) (string, string, string) {
			res := f.api.Do(http.MethodPatch, "/api/collections/customers/records/"+a, f.tokens[customerA],
				map[string]any{"company": "A Corp"})
			expectStatus(t, res, http.StatusOK)
			return "customers", a, "update"
		}},
		{"staff set A's notes and gateway ids", customerA, f.editCustomerSecrets("A")},
		{"staff set B's notes and gateway ids", customerB, f.editCustomerSecrets("B")},
		{"a new service for A", customerA, f.createService("A")},
		{"a new service for B", customerB, f.createService("B")},
		{"A's new service deleted", customerA, f.deleteNewService("A")},
		{"B's new service deleted", customerB, f.deleteNewService("B")},
	}
	// Each change is for its owner and staff, on every topic it matches.
	want := map[actor][]event{}
	for _, c := range changes {
		t.Run("change/"+c.name, func(t *testing.T) {
			collection, id, action := c.do(t)
			for _, who := range []actor{c.owner, superuser} {
				for _, topic := range topics {
					switch base, _, _ := strings.Cut(topic, "?"); base {
					case collection, collection + "/*", collection + "/" + id:
						want[who] = append(want[who], event{topic, action, id})
					}
				}
			}
		})
	}

	for _, who := range actors {
		t.Run("received/"+string(who), func(t *testing.T) {
			msgs := clients[who].collect(t, len(want[who]))
			var got []event
			audited := map[string]int{}
			for _, m := range msgs {
				if m.collection == "audit_logs" {
					audited[m.customer]++
				} else {
					got = append(got, m.event)
				}
				f.checkRealtimeMessage(t, who, m)
			}
			if !slices.Equal(sortedEvents(got), sortedEvents(want[who])) {
				t.Errorf("got events\n%v\nwant\n%v", sortedEvents(got), sortedEvents(want[who]))
			}
			checkAuditEvents(t, who, audited, map[actor]string{customerA: a, customerB: b})
		})
	}
}

// checkRealtimeMessage checks one message's record: no hidden field or
// value for a guest or customer; for staff, the hidden values are there,
// which shows the check above would see them.
func (f *fixture) checkRealtimeMessage(t *testing.T, who actor, m message) {
	t.Helper()
	col, err := f.app.FindCachedCollectionByNameOrId(m.collection)
	if err != nil {
		t.Fatal(err)
	}
	if who != superuser {
		if bytes.Contains(m.raw, []byte(secret)) {
			t.Errorf("%s got a hidden value on %s: %s", who, m.topic, m.raw)
		}
		f.noHiddenFields(t, m.record, col)
		if who != anonymous && strings.Contains(m.topic, "expand") && m.action != "delete" {
			if exp, _ := m.record["expand"].(map[string]any); exp["customer"] == nil {
				t.Errorf("%s's message on the expand topic has no expanded customer: %s", who, m.raw)
			}
		}
		return
	}
	if m.collection == "services" && m.action == "update" && !bytes.Contains(m.raw, []byte(`"credentials":"`+secret)) {
		t.Errorf("staff did not get the credentials: %s", m.raw)
	}
}

// checkAuditEvents: each customer hears of audit entries about themselves
// only, guests of none, staff of both customers'.
func checkAuditEvents(t *testing.T, who actor, byCustomer map[string]int, ids map[actor]string) {
	t.Helper()
	switch who {
	case anonymous:
		if len(byCustomer) > 0 {
			t.Errorf("a guest got audit entries: %v", byCustomer)
		}
	case superuser:
		for _, c := range []actor{customerA, customerB} {
			if byCustomer[ids[c]] == 0 {
				t.Errorf("staff got no audit entry about %s", c)
			}
		}
	default:
		for customer, n := range byCustomer {
			if customer != ids[who] {
				t.Errorf("%s got %d audit entries about customer %q", who, n, customer)
			}
		}
		if byCustomer[ids[who]] == 0 {
			t.Errorf("%s got no audit entry about their own changes", who)
		}
	}
}

// ---------------------------------------------------------------------------
// Changes made while the clients listen

func (f *fixture) editService(key string) func(t *testing.T) (string, string, string) {
	return func(t *testing.T) (string, string, string) {
		svc := f.record(t, "services", f.id("services", key))
		svc.Set("label", "Edited "+key)
		svc.Set("power_state", "offline")
		svc.Set("credentials", hidden("new-credentials", key))
		svc.Set("staff_notes", hidden("new-staff-notes", key))
		svc.Set("platform_service_id", hidden("new-platform-service", key))
		f.save(t, svc)
		return "services", svc.Id, "update"
	}
}

func (f *fixture) editCustomerSecrets(key string) func(t *testing.T) (string, string, string) {
	return func(t *testing.T) (string, string, string) {
		c := f.record(t, "customers", f.id("customers", key))
		c.Set("notes", hidden("new-notes", key))
		c.Set("stripe_customer_id", hidden("new-stripe-customer", key))
		c.Set("paypal_payer_id", hidden("new-paypal-payer", key))
		f.save(t, c)
		return "customers", c.Id, "update"
	}
}

func (f *fixture) createService(key string) func(t *testing.T) (string, string, string) {
	return func(t *testing.T) (string, string, string) {
		data := like(key, map[string]any{"label": "New " + key, "platform_service_id": hidden("added", key)})(f, "services", "")
		svc := testutil.Create(t, f.app, "services", data)
		f.remember("services", "new"+key, svc.Id)
		return "services", svc.Id, "create"
	}
}

func (f *fixture) deleteNewService(key string) func(t *testing.T) (string, string, string) {
	return func(t *testing.T) (string, string, string) {
		svc := f.record(t, "services", f.id("services", "new"+key))
		if err := f.app.Delete(svc); err != nil {
			t.Fatal(err)
		}
		return "services", svc.Id, "delete"
	}
}

func (f *fixture) save(t *testing.T, rec *core.Record) {
	t.Helper()
	if err := f.app.Save(rec); err != nil {
		t.Fatalf("save %s/%s: %v", rec.Collection().Name, rec.Id, err)
	}
}

// ---------------------------------------------------------------------------
// An SSE client of /api/realtime

type event struct{ topic, action, id string }

func (e event) String() string { return e.action + " " + e.id + " on " + e.topic }

func sortedEvents(events []event) []string {
	out := make([]string, 0, len(events))
	for _, e := range events {
		out = append(out, e.String())
	}
	slices.Sort(out)
	return out
}

// message is one received record event.
type message struct {
	event
	collection, customer string
	record               map[string]any
	raw                  []byte
}

type sseClient struct {
	messages chan message
}

// subscribe connects to the realtime API as a browser does (the SSE
// stream, then the subscriptions POST with the client id and the token)
// and returns the client, which reads the stream until the test ends.
func subscribe(t *testing.T, srv *httptest.Server, token string, topics []string) *sseClient {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api/realtime", nil)
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		res.Body.Close()
	})

	raw := make(chan [2]string, 100) // event name, data
	go func() {
		defer close(raw)
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 1<<16), 1<<22)
		var name, data string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event:"):
				name = strings.TrimPrefix(line, "event:")
			case strings.HasPrefix(line, "data:"):
				data = strings.TrimPrefix(line, "data:")
			case line == "" && name != "":
				raw <- [2]string{name, data}
				name, data = "", ""
			}
		}
	}()

	var connect struct {
		ClientID string `json:"clientId"`
	}
	select {
	case first := <-raw:
		if first[0] != "PB_CONNECT" || json.Unmarshal([]byte(first[1]), &connect) != nil {
			t.Fatalf("first realtime message: %v", first)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no PB_CONNECT")
	}

	body, _ := json.Marshal(map[string]any{"clientId": connect.ClientID, "subscriptions": topics})
	post, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/realtime", bytes.NewReader(body))
	post.Header.Set("Content-Type", "application/json")
	if token != "" {
		post.Header.Set("Authorization", token)
	}
	subRes, err := srv.Client().Do(post)
	if err != nil {
		t.Fatal(err)
	}
	subRes.Body.Close()
	if subRes.StatusCode != http.StatusNoContent {
		t.Fatalf("subscribe: status %d", subRes.StatusCode)
	}

	c := &sseClient{messages: make(chan message, 1000)}
	go func() {
		defer close(c.messages)
		for r := range raw {
			c.messages <- decodeMessage(r[0], r[1])
		}
	}()
	return c
}

func decodeMessage(topic, data string) message {
	var payload struct {
		Action string         `json:"action"`
		Record map[string]any `json:"record"`
	}
	_ = json.Unmarshal([]byte(data), &payload)
	m := message{record: payload.Record, raw: []byte(data)}
	m.topic, m.action = topic, payload.Action
	m.id, _ = payload.Record["id"].(string)
	m.collection, _ = payload.Record["collectionName"].(string)
	m.customer, _ = payload.Record["customer"].(string)
	return m
}

// collect returns the messages received: at least want record events
// (audit entries not counted) or whatever came within 5s, then whatever
// else arrives in a short grace period, which catches a message that
// should not have been sent at all.
func (c *sseClient) collect(t *testing.T, want int) []message {
	t.Helper()
	var msgs []message
	records := 0
	deadline := time.After(5 * time.Second)
	for records < want {
		select {
		case m, ok := <-c.messages:
			if !ok {
				t.Fatal("the realtime stream closed")
			}
			msgs = append(msgs, m)
			if m.collection != "audit_logs" {
				records++
			}
		case <-deadline:
			t.Errorf("got %d of %d expected record events within 5s", records, want)
			return msgs
		}
	}
	grace := time.After(300 * time.Millisecond)
	for {
		select {
		case m := <-c.messages:
			msgs = append(msgs, m)
		case <-grace:
			return msgs
		}
	}
}
