package chaos

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Card behaviours: the fake Stripe answers a charge by the card's
// gateway_ref, "pm_<behaviour>_<customer>", so a step changes how a
// customer's charges go by swapping their default card.
const (
	CardOK      = "ok"      // succeeds
	CardDecline = "decline" // insufficient funds
	Card3DS     = "3ds"     // asks for 3-D Secure
	CardPending = "pending" // processing; succeeds later by webhook
	CardTimeout = "timeout" // succeeds, but the caller gets an error
	CardRace    = "race"    // succeeds, and its webhook arrives before the answer
)

var cardBehaviours = []string{CardOK, CardDecline, Card3DS, CardPending, CardTimeout, CardRace}

// stripeCharge is a PaymentIntent the fake holds.
type stripeCharge struct {
	ID, Currency, InvoiceID, CustomerID, Status string
	Amount, Refunded                            int64
	// Answered: the caller was told it succeeded, so the app knows of it
	// even before any webhook.
	Answered bool
}

// stripeEvent is a webhook the fake emitted, not yet delivered.
type stripeEvent struct {
	ID, Type string
	Body     []byte
}

// fakeStripe is a stateful Stripe API (payment intents and refunds, with
// idempotency keys) that the real stripe-go client talks to. stripe-mock
// answers every request alike; the simulation needs charges that exist,
// declines, 3-D Secure, pending, answers lost after success, and the
// webhooks of all of it.
type fakeStripe struct {
	srv *httptest.Server
	// early delivers an event at once, before the API answers (the race
	// of a webhook overtaking its own API response).
	early func(stripeEvent)

	mu         sync.Mutex
	seq        int
	charges    map[string]*stripeCharge
	order      []string // charge ids in creation order
	idempotent map[string]idemAnswer
	outbox     []stripeEvent
	refundRace bool // the next refund's webhook arrives before its answer
}

type idemAnswer struct {
	status int
	body   []byte
}

func newFakeStripe() *fakeStripe {
	f := &fakeStripe{charges: map[string]*stripeCharge{}, idempotent: map[string]idemAnswer{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/payment_intents", f.idem(f.createIntent))
	mux.HandleFunc("GET /v1/payment_intents/{id}", f.getIntent)
	mux.HandleFunc("POST /v1/refunds", f.idem(f.createRefund))
	mux.HandleFunc("POST /v1/customers", f.idem(func(r *http.Request) (int, any, []stripeEvent) {
		return 200, map[string]any{"id": f.newID("cus"), "object": "customer"}, nil
	}))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		f.write(w, 404, apiError("invalid_request_error", "resource_missing", "", "no such route in the chaos fake: "+r.Method+" "+r.URL.Path))
	})
	f.srv = httptest.NewServer(mux)
	return f
}

func (f *fakeStripe) URL() string { return f.srv.URL }
func (f *fakeStripe) Close()      { f.srv.Close() }

func (f *fakeStripe) newID(prefix string) string {
	f.seq++
	return fmt.Sprintf("%s_chaos%06d", prefix, f.seq)
}

// idem replays the stored answer of a repeated idempotency key, as Stripe
// does, and emits a handler's events only the first time.
func (f *fakeStripe) idem(h func(*http.Request) (int, any, []stripeEvent)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Idempotency-Key")
		_ = r.ParseForm()
		f.mu.Lock()
		if a, ok := f.idempotent[key]; ok && key != "" {
			f.mu.Unlock()
			w.Header().Set("Stripe-Should-Retry", "false")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(a.status)
			w.Write(a.body)
			return
		}
		status, body, events := h(r)
		raw, _ := json.Marshal(body)
		if key != "" {
			f.idempotent[key] = idemAnswer{status, raw}
		}
		var early []stripeEvent
		for _, ev := range events {
			if strings.HasPrefix(ev.ID, "early:") {
				ev.ID = strings.TrimPrefix(ev.ID, "early:")
				early = append(early, ev)
				f.outbox = append(f.outbox, ev) // and delivered again later, as Stripe retries
				continue
			}
			f.outbox = append(f.outbox, ev)
		}
		f.mu.Unlock()
		for _, ev := range early {
			if f.early != nil {
				f.early(ev)
			}
		}
		w.Header().Set("Stripe-Should-Retry", "false")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write(raw)
	}
}

func (f *fakeStripe) write(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Stripe-Should-Retry", "false")
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

func apiError(typ, code, declineCode, msg string) map[string]any {
	e := map[string]any{"type": typ, "code": code, "message": msg}
	if declineCode != "" {
		e["decline_code"] = declineCode
	}
	return map[string]any{"error": e}
}

func behaviourOf(pm string) string {
	parts := strings.Split(pm, "_")
	if len(parts) >= 2 {
		return parts[1]
	}
	return CardOK
}

func (f *fakeStripe) createIntent(r *http.Request) (int, any, []stripeEvent) {
	amount, err := strconv.ParseInt(r.PostForm.Get("amount"), 10, 64)
	if err != nil || amount <= 0 {
		return 400, apiError("invalid_request_error", "parameter_invalid_integer", "", "amount must be a positive integer"), nil
	}
	c := &stripeCharge{ID: f.newID("pi"), Currency: r.PostForm.Get("currency"), Amount: amount,
		InvoiceID: r.PostForm.Get("metadata[invoice_id]"), CustomerID: r.PostForm.Get("metadata[customer_id]")}
	f.charges[c.ID] = c
	f.order = append(f.order, c.ID)
	switch behaviourOf(r.PostForm.Get("payment_method")) {
	case CardDecline:
		c.Status = "requires_payment_method"
		body := apiError("card_error", "card_declined", "insufficient_funds", "Your card has insufficient funds.")
		body["error"].(map[string]any)["payment_intent"] = f.intentJSON(c)
		return 402, body, []stripeEvent{f.intentEvent("payment_intent.payment_failed", c)}
	case Card3DS:
		c.Status = "requires_action"
		return 200, f.intentJSON(c), []stripeEvent{f.intentEvent("payment_intent.requires_action", c)}
	case CardPending:
		// Processing now; the bank settles it later and Stripe says so by
		// webhook only.
		c.Status = "succeeded"
		pending := f.intentJSON(c)
		pending["status"] = "processing"
		return 200, pending, []stripeEvent{f.intentEvent("payment_intent.succeeded", c)}
	case CardTimeout:
		c.Status = "succeeded"
		return 500, apiError("api_error", "", "", "the chaos fake lost this answer after charging"),
			[]stripeEvent{f.intentEvent("payment_intent.succeeded", c)}
	case CardRace:
		c.Status, c.Answered = "succeeded", true
		ev := f.intentEvent("payment_intent.succeeded", c)
		ev.ID = "early:" + ev.ID
		return 200, f.intentJSON(c), []stripeEvent{ev}
	}
	c.Status, c.Answered = "succeeded", true
	return 200, f.intentJSON(c), []stripeEvent{f.intentEvent("payment_intent.succeeded", c)}
}

func (f *fakeStripe) getIntent(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	c, ok := f.charges[r.PathValue("id")]
	var body map[string]any
	if ok {
		body = f.intentJSON(c)
	}
	f.mu.Unlock()
	if !ok {
		f.write(w, 404, apiError("invalid_request_error", "resource_missing", "", "No such payment_intent"))
		return
	}
	f.write(w, 200, body)
}

func (f *fakeStripe) createRefund(r *http.Request) (int, any, []stripeEvent) {
	c, ok := f.charges[r.PostForm.Get("payment_intent")]
	amount, err := strconv.ParseInt(r.PostForm.Get("amount"), 10, 64)
	switch {
	case !ok:
		return 404, apiError("invalid_request_error", "resource_missing", "", "No such payment_intent"), nil
	case err != nil || amount <= 0:
		return 400, apiError("invalid_request_error", "parameter_invalid_integer", "", "amount must be a positive integer"), nil
	case c.Status != "succeeded":
		return 400, apiError("invalid_request_error", "charge_not_refundable", "", "This charge has not succeeded"), nil
	case c.Refunded+amount > c.Amount:
		return 400, apiError("invalid_request_error", "charge_already_refunded", "", "Refund amount is greater than unrefunded amount on charge"), nil
	}
	c.Refunded += amount
	id := f.newID("re")
	ev := f.event("charge.refunded", map[string]any{"id": "ch_" + c.ID, "object": "charge", "amount": c.Amount,
		"amount_refunded": c.Refunded, "currency": c.Currency, "payment_intent": c.ID,
		"metadata": map[string]string{"invoice_id": c.InvoiceID, "customer_id": c.CustomerID}})
	if f.refundRace {
		f.refundRace = false
		ev.ID = "early:" + ev.ID
	}
	return 200, map[string]any{"id": id, "object": "refund", "amount": amount, "currency": c.Currency,
		"payment_intent": c.ID, "status": "succeeded"}, []stripeEvent{ev}
}

func (f *fakeStripe) intentJSON(c *stripeCharge) map[string]any {
	out := map[string]any{"id": c.ID, "object": "payment_intent", "amount": c.Amount, "currency": c.Currency,
		"status": c.Status, "metadata": map[string]string{"invoice_id": c.InvoiceID, "customer_id": c.CustomerID}}
	switch c.Status {
	case "succeeded":
		out["amount_received"] = c.Amount
	case "requires_action":
		out["next_action"] = map[string]any{"type": "redirect_to_url",
			"redirect_to_url": map[string]any{"url": "https://stripe.test/3ds/" + c.ID, "return_url": "https://portal.test"}}
	case "requires_payment_method":
		out["last_payment_error"] = map[string]any{"type": "card_error", "code": "card_declined",
			"decline_code": "insufficient_funds", "message": "Your card has insufficient funds."}
	}
	return out
}

func (f *fakeStripe) intentEvent(typ string, c *stripeCharge) stripeEvent {
	return f.event(typ, f.intentJSON(c))
}

func (f *fakeStripe) event(typ string, object map[string]any) stripeEvent {
	id := f.newID("evt")
	body, _ := json.Marshal(map[string]any{"id": id, "object": "event", "type": typ, "api_version": "2026-03-25.dahlia",
		"created": time.Now().Unix(), "data": map[string]any{"object": object}})
	return stripeEvent{ID: id, Type: typ, Body: body}
}

// takeEvents hands over the webhooks emitted since the last call.
func (f *fakeStripe) takeEvents() []stripeEvent {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.outbox
	f.outbox = nil
	return out
}

// succeeded lists the charges that took money, for the oracle.
func (f *fakeStripe) succeeded() []stripeCharge {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []stripeCharge
	for _, id := range f.order {
		if c := f.charges[id]; c.Status == "succeeded" {
			out = append(out, *c)
		}
	}
	return out
}

func (f *fakeStripe) raceNextRefund() {
	f.mu.Lock()
	f.refundRace = true
	f.mu.Unlock()
}
