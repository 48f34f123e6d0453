package migrations_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"testing"

	"github.com/ezscale/ezscale/internal/testutil"
)

// liveTopics are the customer-scoped topics the portal subscribes to.
var liveTopics = []string{"live/services", "live/invoices", "live/payments", "live/subscriptions", "live/credit_entries"}

// TestLiveTopicsDeliverOnlyOwnRecords connects every actor over a real SSE
// connection to the live topics, changes A's and B's records, and checks
// that each customer hears of their own records only, exactly as the
// record API shows them (no hidden field, no draft invoice); a guest and
// staff (the live topics are the customers') hear nothing; and once A's
// account is closed, A hears nothing more while B still does.
func TestLiveTopicsDeliverOnlyOwnRecords(t *testing.T) {
	f := newFixture(t)
	srv := httptest.NewServer(f.api.Handler())
	t.Cleanup(srv.Close)
	a, b := f.id("customers", "A"), f.id("customers", "B")

	clients := map[actor]*sseClient{}
	for _, who := range actors {
		clients[who] = subscribe(t, srv, f.tokens[who], liveTopics)
	}
	// A second connection of A, subscribed with SDK options on the topic.
	withOptions := subscribe(t, srv, f.tokens[customerA], []string{`live/services?options={"query":{"x":"1"}}`})

	credit := func(key, customer string) func(t *testing.T) (string, string, string) {
		return func(t *testing.T) (string, string, string) {
			rec := testutil.Create(t, f.app, "credit_entries", map[string]any{"customer": customer, "currency": "USD", "amount": 100, "reason": "manual", "description": "Goodwill " + key})
			return "credit_entries", rec.Id, "create"
		}
	}
	changes := []struct {
		name  string
		owner actor // "" = nobody hears of it
		do    func(t *testing.T) (collection, id, action string)
	}{
		{"staff edit A's service, hidden fields too", customerA, f.editService("A")},
		{"staff edit B's service, hidden fields too", customerB, f.editService("B")},
		{"a new service for A", customerA, f.createService("A")},
		{"a new service for B", customerB, f.createService("B")},
		{"A's new service deleted", customerA, f.deleteNewService("A")},
		{"B's new service deleted", customerB, f.deleteNewService("B")},
		{"credit for A", customerA, credit("A", a)},
		{"credit for B", customerB, credit("B", b)},
		{"a draft invoice for A", "", func(t *testing.T) (string, string, string) {
			rec := testutil.Create(t, f.app, "invoices", map[string]any{"customer": a, "status": "draft", "currency": "USD"})
			return "invoices", rec.Id, "create"
		}},
	}
	want := map[actor][]event{}
	for _, c := range changes {
		t.Run("change/"+c.name, func(t *testing.T) {
			collection, id, action := c.do(t)
			if c.owner != "" {
				want[c.owner] = append(want[c.owner], event{"live/" + collection, action, id})
			}
		})
	}

	received := map[actor][]message{}
	for _, who := range actors {
		t.Run("received/"+string(who), func(t *testing.T) {
			msgs := clients[who].collect(t, len(want[who]))
			received[who] = msgs
			var got []event
			for _, m := range msgs {
				got = append(got, m.event)
				f.checkRealtimeMessage(t, who, m)
			}
			if !slices.Equal(sortedEvents(got), sortedEvents(want[who])) {
				t.Errorf("got events\n%v\nwant\n%v", sortedEvents(got), sortedEvents(want[who]))
			}
		})
	}
	t.Run("received/A's connection with options", func(t *testing.T) {
		var got []string
		for _, m := range withOptions.collect(t, 3) {
			got = append(got, m.action+" "+m.id)
		}
		wantServices := []string{"update " + f.id("services", "A"), "create " + f.id("services", "newA"), "delete " + f.id("services", "newA")}
		if !slices.Equal(got, wantServices) {
			t.Errorf("got %v, want %v", got, wantServices)
		}
	})

	t.Run("a message is the record as the record API gives it", func(t *testing.T) {
		id := f.id("services", "A")
		res := f.api.Do(http.MethodGet, "/api/collections/services/records/"+id, f.tokens[customerA], nil)
		expectStatus(t, res, http.StatusOK)
		var viaAPI map[string]any
		if err := json.Unmarshal(res.Body, &viaAPI); err != nil {
			t.Fatal(err)
		}
		for _, m := range received[customerA] {
			if m.id == id && m.action == "update" && !reflect.DeepEqual(m.record, viaAPI) {
				t.Errorf("realtime record\n%v\nrecord API\n%v", m.record, viaAPI)
			}
		}
	})

	t.Run("a closed account hears nothing more", func(t *testing.T) {
		customer := f.record(t, "customers", a)
		customer.Set("status", "closed")
		f.save(t, customer)
		f.editService("A")(t)
		f.editService("B")(t)
		if msgs := clients[customerA].collect(t, 0); len(msgs) > 0 {
			t.Errorf("the closed account got %d messages: %s", len(msgs), msgs[0].raw)
		}
		if msgs := clients[customerB].collect(t, 1); len(msgs) != 1 || msgs[0].id != f.id("services", "B") {
			t.Errorf("B got %d messages after A was closed", len(msgs))
		}
	})
}
