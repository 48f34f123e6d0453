package paypalsim

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/integrations/simfault"
)

// Options configure a Simulator. The credentials are what the client
// must present; WebhookID is the webhook registration that
// verify-webhook-signature accepts.
type Options struct {
	ClientID, ClientSecret, WebhookID string
	// WebhookURL, when set, receives every event the simulator emits as a
	// PayPal delivery (a few attempts, in the background), so that dev mode
	// sees subscription payments; tests read Events instead.
	WebhookURL string
}

// Simulator is an in-memory PayPal REST API (OAuth, catalog products,
// billing plans and subscriptions, Orders v2, captures, sales, refunds and
// webhook verification) speaking the wire format of the contract, so that
// tests and dev mode exercise the real client over real HTTP. It also serves
// the buyer's approval pages, so that an approve link works in a browser.
// All state is in memory behind one mutex.
type Simulator struct {
	opts    Options
	mux     *http.ServeMux
	signKey []byte
	ctx     context.Context // ends background webhook deliveries
	cancel  context.CancelFunc

	mu         sync.Mutex
	base       string // scheme and host for links, learnt from Start or the first request
	tokens     map[string]time.Time
	products   map[string]*simProduct
	plans      map[string]*simPlan
	subs       map[string]*simSub
	orders     map[string]*simOrder
	captures   map[string]*simCapture
	sales      map[string]*simSale
	refunds    map[string]*simRefund
	idempotent map[string]*idemEntry
	events     []Delivery
	signed     map[string]signedEvent
	seq        int // creation order, for lists

	// Faults: FailNext, SetLatency and DropNextResponse. Token and buyer
	// (browser) requests are exempt, so a fault lands on the API call under test.
	simfault.Faults
}

// Stats counts what the simulator holds, so that a test can assert that
// a retry created nothing twice.
type Stats struct {
	Tokens, Products, Plans, Subscriptions, Orders, Captures, Sales, Refunds int
}

// tokenTTL is what PayPal grants: nine hours.
const tokenTTL = 32400 * time.Second

// New returns a simulator that accepts the given credentials.
func New(opts Options) *Simulator {
	ctx, cancel := context.WithCancel(context.Background())
	s := &Simulator{
		opts:       opts,
		mux:        http.NewServeMux(),
		signKey:    []byte(rand.Text()),
		ctx:        ctx,
		cancel:     cancel,
		tokens:     map[string]time.Time{},
		products:   map[string]*simProduct{},
		plans:      map[string]*simPlan{},
		subs:       map[string]*simSub{},
		orders:     map[string]*simOrder{},
		captures:   map[string]*simCapture{},
		sales:      map[string]*simSale{},
		refunds:    map[string]*simRefund{},
		idempotent: map[string]*idemEntry{},
		signed:     map[string]signedEvent{},
	}
	s.routeOrders()
	s.routeBilling()
	s.routeWebhooks()
	s.route("/", func(*http.Request) (int, any, *simError) {
		return 0, nil, notFound("")
	})
	return s
}

// Start serves the simulator on a loopback port and returns its base URL
// (the client's APIBase) and a function that shuts it down.
func (s *Simulator) Start() (url string, stop func()) {
	srv := httptest.NewServer(s)
	s.mu.Lock()
	s.base = srv.URL
	s.mu.Unlock()
	return srv.URL, func() {
		s.cancel()
		srv.Close()
	}
}

// ForgetRequestIDs drops every remembered PayPal-Request-Id, as PayPal does
// after its retention window (hours to weeks), so that a later retry meets
// the object's state instead of the original answer.
func (s *Simulator) ForgetRequestIDs() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.idempotent)
}

// Stats returns how many objects of each kind exist.
func (s *Simulator) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Stats{
		Tokens: len(s.tokens), Products: len(s.products), Plans: len(s.plans),
		Subscriptions: len(s.subs), Orders: len(s.orders), Captures: len(s.captures),
		Sales: len(s.sales), Refunds: len(s.refunds),
	}
}

// Approve does what the buyer does on PayPal's approval page: approve an
// order, approve (and so activate) a subscription, or consent to a
// subscription's pending revision.
func (s *Simulator) Approve(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if strings.HasPrefix(id, "I-") {
		_, err := s.approveSubscription(id)
		return err
	}
	_, err := s.approveOrder(id)
	return err
}

// ServeHTTP answers one request: latency, injected faults, authentication,
// idempotent replay and dropped responses wrap the API routes.
func (s *Simulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if s.base == "" {
		s.base = "http://" + r.Host
	}
	s.mu.Unlock()
	if !s.Wait(r) {
		return
	}

	switch {
	case r.URL.Path == "/v1/oauth2/token":
		s.issueToken(w, r)
		return
	case strings.HasPrefix(r.URL.Path, "/checkoutnow"), strings.HasPrefix(r.URL.Path, "/webapps/"):
		s.serveBuyer(w, r) // the buyer's browser carries no token
		return
	}
	fail, drop := s.Take(r)
	if fail != nil {
		writeFault(w, *fail)
		return
	}
	if !s.authorized(r) {
		(&simError{status: http.StatusUnauthorized, name: "AUTHENTICATION_FAILURE",
			message: "Authentication failed due to invalid authentication credentials or a missing Authorization header."}).write(w)
		return
	}

	rec := httptest.NewRecorder()
	s.serveIdempotent(rec, r)
	if drop {
		simfault.Lose(w) // the work is done; the answer is lost
		return
	}
	maps.Copy(w.Header(), rec.Header())
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

func (s *Simulator) issueToken(w http.ResponseWriter, r *http.Request) {
	oauthError := func(status int, code, description string) {
		writeJSON(w, status, obj{"error": code, "error_description": description})
	}
	id, secret, ok := r.BasicAuth()
	if r.Method != http.MethodPost || !ok || id != s.opts.ClientID || secret != s.opts.ClientSecret {
		oauthError(http.StatusUnauthorized, "invalid_client", "Client Authentication failed")
		return
	}
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") == "" {
		oauthError(http.StatusBadRequest, "unsupported_grant_type", "Grant Type is NULL")
		return
	}
	if r.PostForm.Get("grant_type") != "client_credentials" {
		oauthError(http.StatusBadRequest, "unsupported_grant_type", "Grant Type is not supported")
		return
	}
	token := "A21AA" + randomString(tokenAlphabet, 90)
	now := time.Now()
	s.mu.Lock()
	s.tokens[token] = now.Add(tokenTTL)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, obj{
		"scope":        "https://uri.paypal.com/services/subscriptions https://uri.paypal.com/services/payments/payment https://uri.paypal.com/services/payments/refund",
		"access_token": token,
		"token_type":   "Bearer",
		"app_id":       "APP-80W284485P519543T",
		"expires_in":   int(tokenTTL / time.Second),
		"nonce":        timestamp(now) + randomString(tokenAlphabet, 40),
	})
}

func (s *Simulator) authorized(r *http.Request) bool {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	defer s.mu.Unlock()
	expiry, known := s.tokens[token]
	return ok && known && time.Now().Before(expiry)
}

// writeFault answers an injected failure with PayPal's error body.
func writeFault(w http.ResponseWriter, f simfault.Failure) {
	f.SetRetryAfter(w)
	status := f.Status
	e := &simError{status: status}
	switch status {
	case http.StatusTooManyRequests:
		e.name, e.message = "RATE_LIMIT_REACHED", "Too many requests. Blocked due to rate limiting."
	case http.StatusInternalServerError:
		e.name, e.message = "INTERNAL_SERVER_ERROR", "An internal server error has occurred."
	case http.StatusServiceUnavailable:
		e.name, e.message = "SERVICE_UNAVAILABLE", "Service Unavailable."
	default:
		e.name = strings.ToUpper(strings.ReplaceAll(http.StatusText(status), " ", "_"))
		e.message = http.StatusText(status)
	}
	e.write(w)
}

// idemEntry is the remembered answer to a PayPal-Request-Id; pending while
// the first request with it is still being served.
type idemEntry struct {
	pending bool
	status  int
	header  http.Header
	body    []byte
}

// serveIdempotent replays the first successful answer to a POST carrying a
// PayPal-Request-Id already seen on the same path, as PayPal does, so that a
// retried create or capture never acts twice. Failures are not remembered:
// a retry after one tries again.
func (s *Simulator) serveIdempotent(rec *httptest.ResponseRecorder, r *http.Request) {
	requestID := r.Header.Get("PayPal-Request-Id")
	if r.Method != http.MethodPost || requestID == "" {
		s.mux.ServeHTTP(rec, r)
		return
	}
	key := r.URL.Path + "\x00" + requestID
	s.mu.Lock()
	if e, ok := s.idempotent[key]; ok {
		s.mu.Unlock()
		if e.pending {
			(&simError{status: http.StatusConflict, name: "UNPROCESSABLE_ENTITY", message: msgUnprocessable,
				details: []obj{{"issue": "PREVIOUS_REQUEST_IN_PROGRESS", "description": "A previous request with the same PayPal-Request-Id is still in progress."}}}).write(rec)
			return
		}
		maps.Copy(rec.Header(), e.header)
		status := e.status
		if strings.HasPrefix(r.URL.Path, "/v1/payments/sale/") {
			status = http.StatusOK // v1 answers a replay with 200, not 201
		}
		rec.WriteHeader(status)
		_, _ = rec.Write(e.body)
		return
	}
	s.idempotent[key] = &idemEntry{pending: true}
	s.mu.Unlock()

	s.mux.ServeHTTP(rec, r)

	s.mu.Lock()
	defer s.mu.Unlock()
	if rec.Code >= 200 && rec.Code < 300 {
		s.idempotent[key] = &idemEntry{status: rec.Code, header: rec.Header().Clone(), body: rec.Body.Bytes()}
	} else {
		delete(s.idempotent, key)
	}
}

// simHandler serves one API route with the simulator's lock held; it returns
// the status and JSON body (nil for none) or a PayPal error.
type simHandler func(r *http.Request) (status int, body any, err *simError)

func (s *Simulator) route(pattern string, h simHandler) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		status, body, err := h(r)
		s.mu.Unlock()
		switch {
		case err != nil:
			err.write(w)
		case body == nil:
			w.WriteHeader(status)
		default:
			writeJSON(w, status, body)
		}
	})
}

// wantsRepresentation reports whether the caller asked for full bodies.
func wantsRepresentation(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Prefer"), "return=representation")
}

// link builds one HATEOAS link under the simulator's base URL.
func (s *Simulator) link(path, rel, method string) obj {
	return obj{"href": s.base + path, "rel": rel, "method": method}
}

// obj is a JSON object in a response.
type obj = map[string]any

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Paypal-Debug-Id", debugID())
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// decodeBody reads a JSON request body into v; an empty body leaves v as it
// is, which PayPal treats like {}.
func decodeBody(r *http.Request, v any) *simError {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil || len(strings.TrimSpace(string(body))) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return invalidRequest("", "MALFORMED_REQUEST_JSON", "The request JSON is not well formed: "+err.Error())
	}
	return nil
}

// PayPal's standard error messages, by error name.
const (
	msgInvalidRequest = "Request is not well-formed, syntactically incorrect, or violates schema."
	msgNotFound       = "The specified resource does not exist."
	msgUnprocessable  = "The requested action could not be performed, semantically incorrect, or failed business validation."
)

// simError is a PayPal error answer. v2 and Subscriptions errors carry the
// specific problem in details[].issue; v1 errors carry it in name.
type simError struct {
	status        int
	name, message string
	details       []obj
}

func (e *simError) write(w http.ResponseWriter) {
	id := debugID()
	body := obj{"name": e.name, "message": e.message, "debug_id": id}
	link := "https://developer.paypal.com/docs/api/overview/#error"
	if len(e.details) > 0 {
		body["details"] = e.details
		link = "https://developer.paypal.com/api/rest/reference/orders/v2/errors/#" + fmt.Sprint(e.details[0]["issue"])
	}
	body["information_link"] = link
	body["links"] = []obj{{"href": link, "rel": "information_link", "method": "GET"}}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Paypal-Debug-Id", id)
	w.WriteHeader(e.status)
	_ = json.NewEncoder(w).Encode(body)
}

func detail(field, issue, description string) obj {
	d := obj{"issue": issue, "description": description}
	if field != "" {
		d["field"] = field
		d["location"] = "body"
	}
	return d
}

// invalidRequest is PayPal's 400 for a request that breaks the schema.
func invalidRequest(field, issue, description string) *simError {
	return &simError{status: http.StatusBadRequest, name: "INVALID_REQUEST", message: msgInvalidRequest,
		details: []obj{detail(field, issue, description)}}
}

func missing(field string) *simError {
	return invalidRequest(field, "MISSING_REQUIRED_PARAMETER", "A required field / parameter is missing.")
}

func tooLong(field string, max int) *simError {
	return invalidRequest(field, "INVALID_STRING_MAX_LENGTH", fmt.Sprintf("The value of a field is too long (at most %d characters).", max))
}

// unprocessable is PayPal's 422 for a well-formed request that business
// rules refuse.
func unprocessable(issue, description string) *simError {
	return &simError{status: http.StatusUnprocessableEntity, name: "UNPROCESSABLE_ENTITY", message: msgUnprocessable,
		details: []obj{detail("", issue, description)}}
}

func notFound(field string) *simError {
	return &simError{status: http.StatusNotFound, name: "RESOURCE_NOT_FOUND", message: msgNotFound,
		details: []obj{detail(field, "INVALID_RESOURCE_ID", "Specified resource ID does not exist. Please check the resource ID and try again.")}}
}

// v1Error is the Payments v1 shape: the code is the name, no details.
func v1Error(status int, name, message string) *simError {
	return &simError{status: status, name: name, message: message}
}

// simMoney is a v2 / Subscriptions money object in a request.
type simMoney struct {
	CurrencyCode string `json:"currency_code"`
	Value        string `json:"value"`
}

var decimalSyntax = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// parseMoney validates a request amount as PayPal does: a supported
// currency, a decimal string, no more decimals than PayPal allows for it.
func parseMoney(field, currency, value string) (money.Amount, *simError) {
	if currency == "" {
		return money.Amount{}, missing(field + "/currency_code")
	}
	if value == "" {
		return money.Amount{}, missing(field + "/value")
	}
	if !supportedCurrencies[currency] {
		return money.Amount{}, unprocessable("CURRENCY_NOT_SUPPORTED", "Currency code "+currency+" is not currently supported.")
	}
	if !decimalSyntax.MatchString(value) {
		return money.Amount{}, invalidRequest(field+"/value", "INVALID_PARAMETER_SYNTAX", "The value of a field does not conform to the expected format.")
	}
	a, err := money.ParseDecimal(value, currency)
	if err == nil {
		_, err = formatAmount(a) // whole units for HUF, JPY, TWD
	}
	if err != nil {
		return money.Amount{}, unprocessable("DECIMAL_PRECISION", "The value of the field should not be more than the currency's decimal places: "+value+" "+currency+".")
	}
	return a, nil
}

// positive refuses zero and negative amounts as PayPal does.
func positive(a money.Amount) *simError {
	if a.Minor <= 0 {
		return unprocessable("CANNOT_BE_ZERO_OR_NEGATIVE", "Must be greater than zero.")
	}
	return nil
}

// v2Money renders an amount as {currency_code, value}.
func v2Money(a money.Amount) obj {
	return obj{"currency_code": a.Currency, "value": mustFormat(a)}
}

// v1Money renders an amount as Payments v1 {total, currency}.
func v1Money(a money.Amount) obj {
	return obj{"total": mustFormat(a), "currency": a.Currency}
}

// normalizedMoney renders an amount the way Subscriptions echoes it: "29.0"
// for "29.00", so that callers that compare strings fail here as with PayPal.
func normalizedMoney(a money.Amount) obj {
	v := mustFormat(a)
	if strings.Contains(v, ".") {
		v = strings.TrimRight(v, "0")
		if strings.HasSuffix(v, ".") {
			v += "0"
		}
	}
	return obj{"currency_code": a.Currency, "value": v}
}

// mustFormat formats an amount the simulator has already validated.
func mustFormat(a money.Amount) string {
	v, err := formatAmount(a)
	if err != nil {
		panic(err)
	}
	return v
}

// fee is PayPal's cut of a payment: 3.49 per cent, in whole units where
// PayPal has no decimals, so that net amounts look like PayPal's.
func fee(a money.Amount) money.Amount {
	unit := int64(1)
	if wholeUnitCurrencies[a.Currency] {
		c, _ := money.LookupCurrency(a.Currency)
		for range c.Exponent {
			unit *= 10
		}
	}
	f, err := money.MulRatioHalfEven(a.Minor/unit, 349, 10000)
	if err != nil {
		return money.Amount{Currency: a.Currency}
	}
	return money.Amount{Minor: f * unit, Currency: a.Currency}
}

func mustSub(a, b money.Amount) money.Amount {
	d, err := a.Sub(b)
	if err != nil {
		panic(err)
	}
	return d
}

func mustAdd(a, b money.Amount) money.Amount {
	d, err := a.Add(b)
	if err != nil {
		panic(err)
	}
	return d
}

// timestamp formats a time as PayPal does: UTC, seconds, a Z.
func timestamp(t time.Time) string {
	return t.UTC().Format(time.RFC3339)
}

const (
	idAlphabet    = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	tokenAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	hexAlphabet   = "0123456789abcdef"
)

func randomString(alphabet string, n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// newID makes an id in PayPal's format: a prefix and n upper-case
// alphanumerics (orders, captures, sales and refunds have no prefix).
func newID(prefix string, n int) string { return prefix + randomString(idAlphabet, n) }

func debugID() string { return randomString(hexAlphabet, 13) }

// errUnknown and errState are the test controls' errors.
func errUnknown(kind, id string) error {
	return fmt.Errorf("paypal simulator: no %s %q", kind, id)
}

func errState(kind, id, status string) error {
	return fmt.Errorf("paypal simulator: %s %s is %s", kind, id, status)
}
