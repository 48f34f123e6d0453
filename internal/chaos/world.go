package chaos

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/ezscale/ezscale/hooks"
	"github.com/ezscale/ezscale/integrations/gateway"
	"github.com/ezscale/ezscale/integrations/gateways"
	"github.com/ezscale/ezscale/integrations/paypal"
	"github.com/ezscale/ezscale/integrations/paypal/paypalsim"
	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/integrations/stripe"
	"github.com/ezscale/ezscale/internal/clock"
	"github.com/ezscale/ezscale/internal/config"
	"github.com/ezscale/ezscale/internal/secrets"
	"github.com/ezscale/ezscale/internal/settings"
	"github.com/ezscale/ezscale/jobs"
)

const (
	webhookSecret = "whsec_chaos"
	encryptionKey = "0123456789abcdef0123456789abcdef"
	currency      = "USD"
)

// catalog is what customers buy: three VPS plans of one platform, cycle and
// currency, so that every pair is a valid plan change.
var catalog = []struct {
	Name   string
	Amount int64
}{{"VPS Small", 1000}, {"VPS Medium", 2500}, {"VPS Pro", 4999}}

// coupons customers may order with.
var coupons = []string{"", "SAVE20", "FIVEOFF", "LIMITED", "TRIAL7"}

// world is one run's platform: the real app served in process, the fake
// Stripe, the PayPal simulator, a fake platform, a fake clock, and what the
// simulation remembers for its oracle.
type world struct {
	app      core.App
	api      http.Handler
	cleanups []func()
	stripe   *fakeStripe
	paypal   *paypalsim.Simulator
	platform *fakePlatform
	gw       *gateways.Set
	worker   *provisioning.Worker
	clockMu  sync.Mutex
	now      time.Time // the fake clock: the app's (routes, hooks) and the jobs'
	clients  atomic.Uint32

	customers  []string // ids
	tokens     []string
	staffToken string
	prices     []string // by catalog index

	mu          sync.Mutex
	pending     []delivery        // webhooks emitted and not yet delivered
	ppTaken     int               // PayPal simulator events already queued
	reported    map[string]bool   // "gateway:id" of charges the app was told of
	ppOrders    map[string]string // PayPal order id -> the invoice it was created for
	ppCaptures  map[string]ppCapture
	staffCredit map[string]int64 // customer -> credit staff gave
	tally       map[string]int   // "route status" -> answers, for the run's summary
}

// delivery is one webhook on its way.
type delivery struct {
	Gateway, ID, Type string
	Header            http.Header
	Body              []byte
}

// ppCapture is a completed PayPal capture, from its event.
type ppCapture struct {
	ID, OrderID string
	Amount      int64
}

func newWorld(seed uint64, customers int) (*world, error) {
	w := &world{reported: map[string]bool{}, ppOrders: map[string]string{}, ppCaptures: map[string]ppCapture{},
		staffCredit: map[string]int64{}, tally: map[string]int{}, now: time.Now().UTC().Truncate(time.Second)}
	ok := false
	defer func() {
		if !ok {
			w.close()
		}
	}()
	app, cleanup, err := newDataApp()
	if err != nil {
		return nil, err
	}
	w.app = app
	w.cleanups = append(w.cleanups, cleanup)

	w.stripe = newFakeStripe()
	w.stripe.early = func(ev stripeEvent) { w.deliver(delivery{Gateway: "stripe", ID: ev.ID, Type: ev.Type, Body: ev.Body}) }
	w.cleanups = append(w.cleanups, w.stripe.Close)
	w.paypal = paypalsim.New(paypalsim.Options{ClientID: "chaos", ClientSecret: "chaos-secret", WebhookID: "WH-CHAOS"})
	ppBase, stopPP := w.paypal.Start()
	w.cleanups = append(w.cleanups, stopPP)

	cfg, err := config.FromEnv(func(k string) string {
		return map[string]string{"EZ_ENCRYPTION_KEY": encryptionKey, "EZ_RATE_LIMITS": "false",
			"STRIPE_SECRET_KEY": "sk_test_chaos", "STRIPE_PUBLISHABLE_KEY": "pk_test_chaos", "STRIPE_WEBHOOK_SECRET": webhookSecret,
			"STRIPE_API_BASE": w.stripe.URL(), "PAYPAL_CLIENT_ID": "chaos", "PAYPAL_CLIENT_SECRET": "chaos-secret",
			"PAYPAL_WEBHOOK_ID": "WH-CHAOS", "PAYPAL_API_BASE": ppBase, "EZ_PUBLIC_URL": "https://portal.chaos.test"}[k]
	})
	if err != nil {
		return nil, err
	}
	sc, err := stripe.New(stripe.Config{SecretKey: "sk_test_chaos", PublishableKey: "pk_test_chaos", WebhookSecret: webhookSecret,
		APIBase: w.stripe.URL(), HTTPClient: &http.Client{Timeout: 20 * time.Second}})
	if err != nil {
		return nil, err
	}
	pc, err := paypal.New(paypal.Config{ClientID: "chaos", ClientSecret: "chaos-secret", WebhookID: "WH-CHAOS", APIBase: ppBase})
	if err != nil {
		return nil, err
	}
	w.gw = gateways.Of(map[string]gateway.Gateway{"stripe": sc, "paypal": pc})
	w.platform = newFakePlatform(seed)
	drivers := map[string]provisioning.Provisioner{"virtfusion": w.platform}
	hooks.Register(app, cfg, hooks.Deps{Gateways: w.gw, Platforms: drivers})
	if err := hooks.ApplyConfig(app, cfg); err != nil {
		return nil, err
	}
	box, _ := secrets.New(cfg.EncryptionKey)
	w.worker = &provisioning.Worker{App: app, Drivers: drivers, Box: box, Workers: 1, BaseDelay: time.Hour,
		Now: w.clockNow}
	clock.Set(app, w.clockNow)

	router, err := apis.NewRouter(app)
	if err != nil {
		return nil, err
	}
	err = app.OnServe().Trigger(&core.ServeEvent{App: app, Router: router}, func(e *core.ServeEvent) error {
		mux, err := e.Router.BuildMux()
		w.api = mux
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("serve hooks: %w", err)
	}
	if err := w.seed(customers); err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	ok = true
	return w, nil
}

func (w *world) close() {
	for i := len(w.cleanups) - 1; i >= 0; i-- {
		w.cleanups[i]()
	}
}

// seed creates the business: short dunning and void windows (so a run of
// weeks reaches suspensions and terminations), the catalog, coupons, a
// staff login and verified customers with a saved card each.
func (w *world) seed(customers int) error {
	rec, err := settings.Record(w.app)
	if err != nil {
		return err
	}
	rec.Set("dunning_suspend_days", 3)
	rec.Set("dunning_terminate_days", 6)
	rec.Set("upgrade_invoice_void_days", 3)
	if err := w.app.Save(rec); err != nil {
		return err
	}
	var planIDs []string
	for i, p := range catalog {
		plan, err := w.create("plans", map[string]any{"name": p.Name, "slug": fmt.Sprintf("vps-%d", i), "service_type": "vps",
			"platform": "virtfusion", "status": "active", "platform_config": map[string]any{"package_id": i + 1}})
		if err != nil {
			return err
		}
		price, err := w.create("plan_prices", map[string]any{"plan": plan.Id, "currency": currency, "cycle": "monthly",
			"amount": p.Amount, "active": true})
		if err != nil {
			return err
		}
		planIDs = append(planIDs, plan.Id)
		w.prices = append(w.prices, price.Id)
	}
	for _, c := range []map[string]any{
		{"code": "SAVE20", "kind": "percent", "percent_off": 20, "duration": "forever", "active": true},
		{"code": "FIVEOFF", "kind": "fixed", "amounts_off": map[string]int64{currency: 500}, "duration": "repeating",
			"duration_cycles": 2, "active": true, "plans": planIDs[1:]},
		{"code": "LIMITED", "kind": "percent", "percent_off": 50, "duration": "once", "max_uses": 2, "once_per_customer": true, "active": true},
		{"code": "TRIAL7", "kind": "trial", "trial_days": 7, "duration": "once", "active": true},
	} {
		if _, err := w.create("coupons", c); err != nil {
			return err
		}
	}
	suCol, err := w.app.FindCollectionByNameOrId(core.CollectionNameSuperusers)
	if err != nil {
		return err
	}
	su := core.NewRecord(suCol)
	su.SetEmail("staff@chaos.test")
	su.SetPassword("correct horse battery")
	if err := w.app.Save(su); err != nil {
		return err
	}
	if w.staffToken, err = su.NewAuthToken(); err != nil {
		return err
	}
	col, err := w.app.FindCollectionByNameOrId("customers")
	if err != nil {
		return err
	}
	for i := 0; i < customers; i++ {
		c := core.NewRecord(col)
		c.SetEmail(fmt.Sprintf("customer%d@chaos.test", i))
		c.SetPassword("correct horse battery")
		c.SetVerified(true)
		c.Set("name", fmt.Sprintf("Customer %d", i))
		c.Set("currency", currency)
		c.Set("country", "US")
		c.Set("stripe_customer_id", fmt.Sprintf("cus_chaos%d", i))
		if err := w.app.Save(c); err != nil {
			return err
		}
		tok, err := c.NewAuthToken()
		if err != nil {
			return err
		}
		if _, err := w.create("payment_methods", map[string]any{"customer": c.Id, "gateway": "stripe", "kind": "card",
			"gateway_ref": fmt.Sprintf("pm_%s_%d", CardOK, i), "brand": "visa", "last4": "4242", "is_default": true}); err != nil {
			return err
		}
		w.customers = append(w.customers, c.Id)
		w.tokens = append(w.tokens, tok)
	}
	return nil
}

func (w *world) create(collection string, data map[string]any) (*core.Record, error) {
	col, err := w.app.FindCollectionByNameOrId(collection)
	if err != nil {
		return nil, err
	}
	rec := core.NewRecord(col)
	rec.Load(data)
	if err := w.app.Save(rec); err != nil {
		return nil, fmt.Errorf("create %s: %w", collection, err)
	}
	return rec, nil
}

// call sends a request to the app's real routes and decodes a JSON answer.
func (w *world) call(method, path, token string, body any) (int, map[string]any) {
	var reader io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		reader = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, path, reader)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	n := w.clients.Add(1)
	req.RemoteAddr = fmt.Sprintf("10.%d.%d.%d:40000", n>>16&0xff, n>>8&0xff, n&0xff)
	rec := httptest.NewRecorder()
	w.api.ServeHTTP(rec, req)
	w.mu.Lock()
	w.tally[fmt.Sprintf("%s %s %d", method, routeOf(path), rec.Code)]++
	w.mu.Unlock()
	var out map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	return rec.Code, out
}

// deliver posts one webhook to the app's receiver, signed as the gateway
// signs it; a delivered charge success counts as told.
func (w *world) deliver(d delivery) int {
	var req *http.Request
	switch d.Gateway {
	case "stripe":
		req = httptest.NewRequest(http.MethodPost, "/api/webhooks/stripe", bytes.NewReader(d.Body))
		req.Header.Set("Stripe-Signature", stripe.SignPayload(webhookSecret, d.Body, time.Now()))
	default:
		req = httptest.NewRequest(http.MethodPost, "/api/webhooks/paypal", bytes.NewReader(d.Body))
		for k, v := range d.Header {
			req.Header[k] = v
		}
	}
	rec := httptest.NewRecorder()
	w.api.ServeHTTP(rec, req)
	if rec.Code == http.StatusOK {
		w.markDelivered(d)
	}
	return rec.Code
}

// markDelivered records the charge a delivered success event told of.
func (w *world) markDelivered(d delivery) {
	var ev struct {
		Data struct {
			Object struct {
				ID     string `json:"id"`
				Status string `json:"status"`
			} `json:"object"`
		} `json:"data"`
		Resource struct {
			ID string `json:"id"`
		} `json:"resource"`
	}
	_ = json.Unmarshal(d.Body, &ev)
	w.mu.Lock()
	defer w.mu.Unlock()
	switch d.Type {
	case "payment_intent.succeeded":
		w.reported["stripe:"+ev.Data.Object.ID] = true
	case "PAYMENT.CAPTURE.COMPLETED":
		w.reported["paypal:"+ev.Resource.ID] = true
	}
}

// collect moves the webhooks the gateways emitted into the pending queue,
// noting PayPal captures for the oracle.
func (w *world) collect() {
	for _, ev := range w.stripe.takeEvents() {
		w.mu.Lock()
		w.pending = append(w.pending, delivery{Gateway: "stripe", ID: ev.ID, Type: ev.Type, Body: ev.Body})
		w.mu.Unlock()
	}
	events := w.paypal.Events()
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, d := range events[w.ppTaken:] {
		w.pending = append(w.pending, delivery{Gateway: "paypal", ID: d.ID, Type: d.Type, Header: d.Header, Body: d.Body})
		if d.Type == "PAYMENT.CAPTURE.COMPLETED" {
			var ev struct {
				Resource struct {
					ID     string `json:"id"`
					Amount struct {
						Value string `json:"value"`
					} `json:"amount"`
					Supplementary struct {
						Related struct {
							OrderID string `json:"order_id"`
						} `json:"related_ids"`
					} `json:"supplementary_data"`
				} `json:"resource"`
			}
			if json.Unmarshal(d.Body, &ev) == nil {
				w.ppCaptures[ev.Resource.ID] = ppCapture{ID: ev.Resource.ID, OrderID: ev.Resource.Supplementary.Related.OrderID,
					Amount: decimalMinor(ev.Resource.Amount.Value)}
			}
		}
	}
	w.ppTaken = len(events)
}

// decimalMinor reads a two-decimal amount ("12.99") as minor units.
func decimalMinor(v string) int64 {
	var whole, frac int64
	var fracDigits int
	seenDot := false
	for _, r := range v {
		switch {
		case r == '.':
			seenDot = true
		case r >= '0' && r <= '9' && !seenDot:
			whole = whole*10 + int64(r-'0')
		case r >= '0' && r <= '9' && fracDigits < 2:
			frac = frac*10 + int64(r-'0')
			fracDigits++
		}
	}
	for ; fracDigits < 2; fracDigits++ {
		frac *= 10
	}
	return whole*100 + frac
}

// runJobs runs the scheduled work at the fake clock: the billing run
// (renewals, unpaid upgrades voided), dunning, and the provisioning queue.
func (w *world) runJobs() error {
	if _, err := jobs.RunBilling(w.app, w.clockNow(), io.Discard); err != nil {
		return fmt.Errorf("billing run: %w", err)
	}
	if _, err := jobs.RunDunning(w.app, w.gw, "https://portal.chaos.test", w.clockNow(), false, io.Discard); err != nil {
		return fmt.Errorf("dunning run: %w", err)
	}
	return w.work()
}

// work runs every provisioning job due at the fake clock, once each; then
// staff give the jobs that failed for good a fresh set of attempts, as the
// provisioning_failed notice asks them to: a platform failing more often
// than the retries allow is an outage staff work through, not a service
// left running (or never built) for ever.
func (w *world) work() error {
	for i := 0; i < 200; i++ {
		job, err := w.worker.Claim("chaos")
		if err != nil {
			return err
		}
		if job == nil {
			break
		}
		w.worker.Process(context.Background(), job)
	}
	_, err := w.app.DB().NewQuery(`UPDATE provisioning_jobs SET status = 'pending', attempts = 0, run_after = {:now},
		finished_at = '' WHERE status = 'failed'`).Bind(dbx.Params{"now": w.clockNow().Format(types.DefaultDateLayout)}).Execute()
	return err
}

// nth returns the id of the n-th (mod count) record of a customer's
// collection matching filter, oldest first, or "".
func (w *world) nth(collection, customerID, filter string, n int) string {
	recs, err := w.app.FindRecordsByFilter(collection, "customer = {:c}"+filter, "created,id", 0, 0, dbx.Params{"c": customerID})
	if err != nil || len(recs) == 0 {
		return ""
	}
	return recs[n%len(recs)].Id
}

// routeOf is a path with its record ids taken out, for the tally.
func routeOf(path string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if len(p) == 15 && i > 2 {
			parts[i] = "{id}"
		}
	}
	return strings.Join(parts, "/")
}

// clockNow is the simulated time.
func (w *world) clockNow() time.Time {
	w.clockMu.Lock()
	defer w.clockMu.Unlock()
	return w.now
}

// advance moves the simulated time forward.
func (w *world) advance(d time.Duration) {
	w.clockMu.Lock()
	defer w.clockMu.Unlock()
	w.now = w.now.Add(d)
}
