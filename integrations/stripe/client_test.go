package stripe

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

const testWebhookSecret = "whsec_test_secret"

// recorded is one request as it left the client.
type recorded struct {
	Method string
	Path   string
	Header http.Header
	Form   url.Values // the form body of a POST, the query of a GET
}

// recorder is an http.RoundTripper that keeps every request, so tests can
// assert what went over the wire (parameters, Idempotency-Key) while the
// answer still comes from stripe-mock or a fake.
type recorder struct {
	mu   sync.Mutex
	reqs []recorded
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := recorded{Method: req.Method, Path: req.URL.Path, Header: req.Header.Clone(), Form: req.URL.Query()}
	out := req.Clone(req.Context())
	if req.Body != nil {
		body, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		out.Body = io.NopCloser(bytes.NewReader(body))
		if len(body) > 0 {
			if rec.Form, err = url.ParseQuery(string(body)); err != nil {
				return nil, err
			}
		}
	}
	r.mu.Lock()
	r.reqs = append(r.reqs, rec)
	r.mu.Unlock()
	return http.DefaultTransport.RoundTrip(out)
}

func (r *recorder) requests() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recorded(nil), r.reqs...)
}

// last returns the only request made, failing the test otherwise.
func (r *recorder) last(t *testing.T) recorded {
	t.Helper()
	reqs := r.requests()
	if len(reqs) != 1 {
		t.Fatalf("want 1 request, got %d: %+v", len(reqs), reqs)
	}
	return reqs[0]
}

// newTestClient returns a client of base (stripe-mock or a fake) that
// records its requests.
func newTestClient(t *testing.T, base string) (*Client, *recorder) {
	t.Helper()
	rec := &recorder{}
	c, err := New(Config{
		SecretKey:      "sk_test_123",
		PublishableKey: "pk_test_123",
		WebhookSecret:  testWebhookSecret,
		APIBase:        base,
		HTTPClient:     &http.Client{Transport: rec, Timeout: 10 * time.Second},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c, rec
}

// fakeStripe answers every request with status and body, as Stripe would
// for the cases stripe-mock cannot produce (it only ever returns its
// fixtures: no declines, no 3-D Secure, no auth or rate-limit errors).
func fakeStripe(t *testing.T, status int, body string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Request-Id", "req_fake123")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestNew(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{"secret key", Config{SecretKey: "sk_test_abc"}, ""},
		{"restricted key and base", Config{SecretKey: "rk_live_abc", APIBase: "http://127.0.0.1:12111"}, ""},
		{"no key", Config{PublishableKey: "pk_test_abc"}, "no secret key"},
		{"publishable key as secret", Config{SecretKey: "pk_test_abc"}, "must start with sk_ or rk_"},
		{"base without scheme", Config{SecretKey: "sk_test_abc", APIBase: "127.0.0.1:12111"}, "not an http(s) URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.cfg)
			if tt.wantErr == "" {
				if err != nil || c == nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), tt.cfg.SecretKey) && tt.cfg.SecretKey != "" {
				t.Errorf("error echoes the key: %v", err)
			}
		})
	}
}

// Two clients with different bases must not share stripe-go's global
// backends: each request goes where its own client points.
func TestClientsKeepTheirOwnBase(t *testing.T) {
	fake := fakeStripe(t, http.StatusOK, `{"id":"pi_fake","object":"payment_intent","status":"succeeded"}`)
	mock, mockRec := newTestClient(t, stripeMockURL)
	other, otherRec := newTestClient(t, fake.URL)
	ctx := context.Background()

	if res, err := other.PaymentIntentStatus(ctx, "pi_fake"); err != nil || res.GatewayID != "pi_fake" {
		t.Fatalf("fake: %+v, %v", res, err)
	}
	if _, err := mock.PaymentIntentStatus(ctx, "pi_mock"); err != nil {
		t.Fatalf("stripe-mock: %v", err)
	}
	if got := otherRec.last(t).Path; got != "/v1/payment_intents/pi_fake" {
		t.Errorf("fake client asked %s", got)
	}
	if got := mockRec.last(t).Path; got != "/v1/payment_intents/pi_mock" {
		t.Errorf("stripe-mock client asked %s", got)
	}
	if got := mock.PublishableKey(); got != "pk_test_123" {
		t.Errorf("PublishableKey = %q", got)
	}
}
