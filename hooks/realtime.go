package hooks

import (
	"encoding/json"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/routine"
	"github.com/pocketbase/pocketbase/tools/subscriptions"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/payments"
	subs "github.com/ezscale/ezscale/billing/subscriptions"
	"github.com/ezscale/ezscale/integrations/provisioning"
)

// liveTopicPrefix starts the customer-scoped realtime topics: a signed-in
// customer subscribes to "live/services" (or invoices, payments,
// subscriptions, credit_entries) and receives the events of their own
// records of that collection, as the record API shows them to them.
//
// PocketBase answers a `services/*` subscription by checking the list rule
// for every subscribed client on every event (one SQL query each), so a
// status sync write cost grew with every open dashboard. A live topic is
// published from the owner's own connections only: one rule check and one
// serialization per event, whoever else is watching.
const liveTopicPrefix = "live/"

// liveCollections are the customer-owned collections the portal watches
// whole; each has a `customer` relation naming its owner.
var liveCollections = []string{
	provisioning.ServicesCollection, subs.Collection, ledger.InvoicesCollection, payments.Collection, ledger.CreditCollection,
}

// liveClientImpersonatedKey marks a realtime client subscribed with a
// staff impersonation token, which keeps working for a closed account.
const liveClientImpersonatedKey = "ezscaleLiveImpersonated"

// liveHub indexes the realtime clients subscribed to live topics by the
// customer they signed in as.
type liveHub struct {
	mu         sync.RWMutex
	byCustomer map[string]map[string]subscriptions.Client // customer id → client id → client
	customerOf map[string]string                          // client id → customer id

	pending sync.Map // delete key → *liveEvent, checked before the delete, sent after its commit
}

// liveEvent is one record event ready for its owner's connections.
type liveEvent struct {
	customer, topic string
	data            []byte
}

func bindRealtime(app core.App) {
	hub := &liveHub{byCustomer: map[string]map[string]subscriptions.Client{}, customerOf: map[string]string{}}

	app.OnRealtimeSubscribeRequest().BindFunc(func(e *core.RealtimeSubscribeRequestEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		e.Client.Set(liveClientImpersonatedKey, impersonated(e.RequestEvent))
		hub.track(e.Client)
		return nil
	})
	app.OnRealtimeConnectRequest().BindFunc(func(e *core.RealtimeConnectRequestEvent) error {
		client := &liveClient{DefaultClient: subscriptions.NewDefaultClient()}
		client.Set(apis.RealtimeClientIPKey, e.Client.Get(apis.RealtimeClientIPKey))
		e.Client = client
		defer hub.forget(client.Id()) // the connection has ended when Next returns
		return e.Next()
	})

	publish := func(action string) func(e *core.RecordEvent) error {
		return func(e *core.RecordEvent) error {
			if ev := hub.event(e.App, action, e.Record); ev != nil {
				hub.send(ev)
			}
			return e.Next()
		}
	}
	app.OnRecordAfterCreateSuccess(liveCollections...).BindFunc(publish("create"))
	app.OnRecordAfterUpdateSuccess(liveCollections...).BindFunc(publish("update"))

	// A deleted record can no longer be checked against the rule, so the
	// event is built before the delete and sent once it is committed.
	app.OnRecordDelete(liveCollections...).BindFunc(func(e *core.RecordEvent) error {
		key := liveDeleteKey(e.Record)
		if ev := hub.event(e.App, "delete", e.Record); ev != nil {
			hub.pending.Store(key, ev)
		}
		return e.Next()
	})
	app.OnRecordAfterDeleteSuccess(liveCollections...).BindFunc(func(e *core.RecordEvent) error {
		if ev, ok := hub.pending.LoadAndDelete(liveDeleteKey(e.Record)); ok {
			hub.send(ev.(*liveEvent))
		}
		return e.Next()
	})
	app.OnRecordAfterDeleteError(liveCollections...).BindFunc(func(e *core.RecordErrorEvent) error {
		hub.pending.Delete(liveDeleteKey(e.Record))
		return e.Next()
	})
}

func liveDeleteKey(r *core.Record) string { return r.Collection().Name + "/" + r.Id }

// track (re)indexes a client after it set its subscriptions: under the
// customer it signed in as when it holds a live topic, else nowhere.
func (h *liveHub) track(client subscriptions.Client) {
	customer := ""
	if auth, _ := client.Get(apis.RealtimeClientAuthKey).(*core.Record); auth != nil &&
		auth.Collection().Name == customers.Collection && len(client.Subscriptions(liveTopicPrefix)) > 0 {
		customer = auth.Id
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.removeLocked(client.Id())
	if customer == "" {
		return
	}
	if h.byCustomer[customer] == nil {
		h.byCustomer[customer] = map[string]subscriptions.Client{}
	}
	h.byCustomer[customer][client.Id()] = client
	h.customerOf[client.Id()] = customer
}

func (h *liveHub) forget(clientID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.removeLocked(clientID)
}

func (h *liveHub) removeLocked(clientID string) {
	customer, ok := h.customerOf[clientID]
	if !ok {
		return
	}
	delete(h.customerOf, clientID)
	delete(h.byCustomer[customer], clientID)
	if len(h.byCustomer[customer]) == 0 {
		delete(h.byCustomer, customer)
	}
}

// listeners are customer's connections subscribed to topic that may still
// hear of their records: still signed in as them (PocketBase drops a
// client's auth when the token key changes, and closing the account drops
// it too), the account allowed to sign in, or staff impersonating it.
func (h *liveHub) listeners(customer, topic string) (clients []subscriptions.Client, auth *core.Record) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for _, client := range h.byCustomer[customer] {
		a, _ := client.Get(apis.RealtimeClientAuthKey).(*core.Record)
		if client.IsDiscarded() || a == nil || a.Id != customer || a.Collection().Name != customers.Collection {
			continue
		}
		if imp, _ := client.Get(liveClientImpersonatedKey).(bool); !imp && !customers.As(a).Status().CanSignIn() {
			continue
		}
		if len(client.Subscriptions(topic+"?")) == 0 {
			continue
		}
		clients, auth = append(clients, client), a
	}
	return clients, auth
}

// event builds the message of one record event for its owner, or nil when
// nobody listens or the collection's list rule does not show it to them
// (an invoice still a draft). The record is serialized once, as the record
// API gives it to the customer: hidden fields left out, enrich hooks run.
func (h *liveHub) event(app core.App, action string, record *core.Record) *liveEvent {
	customer := record.GetString("customer")
	if customer == "" {
		return nil
	}
	topic := liveTopicPrefix + record.Collection().Name
	clients, auth := h.listeners(customer, topic)
	if len(clients) == 0 {
		return nil
	}
	info := &core.RequestInfo{Context: core.RequestInfoContextRealtime, Method: "GET", Auth: auth}
	if ok, _ := app.CanAccessRecord(record, info, record.Collection().ListRule); !ok {
		return nil
	}
	clean := record.Fresh()
	enrich := &core.RecordEnrichEvent{App: app, RequestInfo: info}
	enrich.Record = clean
	if err := app.OnRecordEnrich().Trigger(enrich); err != nil {
		return nil
	}
	data, err := json.Marshal(map[string]any{"action": action, "record": clean})
	if err != nil {
		return nil
	}
	return &liveEvent{customer: customer, topic: topic, data: data}
}

// send delivers ev to the owner's connections as they are now, under each
// subscription's own name (the SDK may append options to the topic).
func (h *liveHub) send(ev *liveEvent) {
	clients, _ := h.listeners(ev.customer, ev.topic)
	for _, client := range clients {
		for sub := range client.Subscriptions(ev.topic + "?") {
			msg := subscriptions.Message{Name: sub, Data: ev.data}
			routine.FireAndForget(func() { client.Send(msg) })
		}
	}
}

// liveClient is PocketBase's realtime client, counting its subscriptions
// to record topics. PocketBase asks every connected client about its
// record topics on every record event; a dashboard holding live topics
// only then answers without a lock, a copy or a string comparison, so open
// dashboards cost a record event next to nothing.
type liveClient struct {
	*subscriptions.DefaultClient
	recordTopics atomic.Int64
}

func (c *liveClient) Subscribe(subs ...string) {
	c.DefaultClient.Subscribe(subs...)
	c.count()
}

func (c *liveClient) Unsubscribe(subs ...string) {
	c.DefaultClient.Unsubscribe(subs...)
	c.count()
}

func (c *liveClient) count() {
	n := int64(0)
	for sub := range c.DefaultClient.Subscriptions() {
		if !strings.HasPrefix(sub, liveTopicPrefix) {
			n++
		}
	}
	c.recordTopics.Store(n)
}

// Subscriptions answers nil at once to a question about record topics
// when the client holds none.
func (c *liveClient) Subscriptions(prefixes ...string) map[string]subscriptions.SubscriptionOptions {
	if len(prefixes) > 0 && c.recordTopics.Load() == 0 {
		live := false
		for _, p := range prefixes {
			live = live || strings.HasPrefix(p, liveTopicPrefix)
		}
		if !live {
			return nil
		}
	}
	return c.DefaultClient.Subscriptions(prefixes...)
}
