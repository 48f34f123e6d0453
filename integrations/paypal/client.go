// Package paypal is the PayPal payment rail: one-off payments through
// Orders v2, recurring payments through Subscriptions v1 whose plan price
// equals ours, refunds, and webhooks verified by PayPal's
// verify-webhook-signature API. Our invoices stay the ledger (DESIGN.md,
// "The ledger is ours"): PayPal only moves the money, and every object we
// create there carries our record id in custom_id.
//
// The client is built on github.com/plutov/paypal/v4 v4.8.0 and sends its
// own requests (through the library's token handling) where the library
// lacks a call or gets one wrong. The package also holds a Simulator of the
// PayPal API for tests and dev mode.
package paypal

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ezscale/ezscale/integrations/gateway"
	"github.com/plutov/paypal/v4"
)

// PayPal's API hosts; APIBase defaults to live.
const (
	APIBaseLive    = "https://api-m.paypal.com"
	APIBaseSandbox = "https://api-m.sandbox.paypal.com"
)

// Config holds the PAYPAL_* settings.
type Config struct {
	ClientID     string // PAYPAL_CLIENT_ID
	ClientSecret string // PAYPAL_CLIENT_SECRET
	WebhookID    string // PAYPAL_WEBHOOK_ID: our webhook registration, which verification names
	APIBase      string // PAYPAL_API_BASE; empty means live
	// HTTPClient carries the calls; nil means one with a 30 s timeout.
	HTTPClient *http.Client
}

// Client talks to PayPal for one merchant account. It is safe for
// concurrent use. It has no Charge: PayPal never charges a saved method
// off-session. Invoices are paid by the customer approving an order
// (CreateOrder, CaptureOrder) or by the sales of a PayPal subscription
// (CreateSubscription), which webhooks apply to the open invoice.
type Client struct {
	pp        *paypal.Client
	webhookID string
	products  productState
}

var _ gateway.Gateway = (*Client)(nil)

// New returns a client, or an error when a credential is missing, so that
// the app never offers a PayPal gateway that cannot work.
func New(cfg Config) (*Client, error) {
	var missing []string
	for name, v := range map[string]string{
		"PAYPAL_CLIENT_ID": cfg.ClientID, "PAYPAL_CLIENT_SECRET": cfg.ClientSecret, "PAYPAL_WEBHOOK_ID": cfg.WebhookID,
	} {
		if v == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return nil, fmt.Errorf("paypal: not configured: %s unset", strings.Join(missing, ", "))
	}
	base := strings.TrimRight(cfg.APIBase, "/")
	if base == "" {
		base = APIBaseLive
	}
	pp, err := paypal.NewClient(cfg.ClientID, cfg.ClientSecret, base)
	if err != nil {
		return nil, fmt.Errorf("paypal: %w", err)
	}
	hc := &http.Client{Timeout: 30 * time.Second}
	if cfg.HTTPClient != nil {
		copied := *cfg.HTTPClient
		hc = &copied
	}
	next := hc.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	hc.Transport = errorBodies{next: next}
	pp.SetHTTPClient(hc)
	// Full bodies on every call (refunds, plans). plutov's CaptureOrder sets
	// this flag on each call without a lock, a data race under concurrent
	// use, so it is set once here and the capture is sent by hand.
	pp.SetReturnRepresentation()
	return &Client{pp: pp, webhookID: cfg.WebhookID}, nil
}

// APIError is an error answer from PayPal. Status tells a refusal (4xx,
// do not retry as is) from a failure worth retrying (429, 5xx); Name and
// Issues say what was refused (v1 APIs put the code in Name, v2 in Issues).
// An error that is not an APIError is a transport failure: PayPal may or may
// not have acted, so retry with the same request id.
type APIError struct {
	Status     int
	Name       string // e.g. UNPROCESSABLE_ENTITY, RESOURCE_NOT_FOUND, invalid_client
	Message    string
	DebugID    string // quote it to PayPal support
	Issues     []Issue
	RetryAfter time.Duration // from Retry-After, when PayPal sent one
	Method     string
	Path       string
}

// Issue is one entry of an error's details.
type Issue struct {
	Field, Issue, Description string
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "paypal: %s %s: %d %s", e.Method, e.Path, e.Status, e.Name)
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	for _, i := range e.Issues {
		fmt.Fprintf(&b, "; %s", i.Issue)
		if i.Field != "" {
			fmt.Fprintf(&b, " at %s", i.Field)
		}
		if i.Description != "" {
			fmt.Fprintf(&b, " (%s)", i.Description)
		}
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, "; retry after %s", e.RetryAfter)
	}
	if e.DebugID != "" {
		fmt.Fprintf(&b, " [debug_id %s]", e.DebugID)
	}
	return b.String()
}

// Retryable reports whether the same request may succeed later: rate limits,
// PayPal's own failures, and a previous request with the same id still
// running.
func (e *APIError) Retryable() bool {
	return e.Status == http.StatusTooManyRequests || e.Status >= 500 || e.Status == http.StatusConflict
}

// HasIssue reports whether PayPal named code, as an issue (v2) or as the
// error's name (v1).
func (e *APIError) HasIssue(code string) bool {
	if e.Name == code {
		return true
	}
	for _, i := range e.Issues {
		if i.Issue == code {
			return true
		}
	}
	return false
}

// isIssue reports whether err is an APIError naming code.
func isIssue(err error, code string) bool {
	var e *APIError
	return errors.As(err, &e) && e.HasIssue(code)
}

// isStatus reports whether err is an APIError with that HTTP status.
func isStatus(err error, status int) bool {
	var e *APIError
	return errors.As(err, &e) && e.Status == status
}

// wrap turns plutov's error answer into an *APIError and marks other errors
// as PayPal's.
func wrap(err error) error {
	if err == nil {
		return nil
	}
	var pe *paypal.ErrorResponse
	if !errors.As(err, &pe) || pe.Response == nil {
		return fmt.Errorf("paypal: %w", err)
	}
	e := &APIError{
		Status: pe.Response.StatusCode, Name: pe.Name, Message: pe.Message, DebugID: pe.DebugID,
		RetryAfter: retryAfter(pe.Response.Header.Get("Retry-After")),
	}
	if e.DebugID == "" {
		e.DebugID = pe.Response.Header.Get("Paypal-Debug-Id")
	}
	if req := pe.Response.Request; req != nil {
		e.Method, e.Path = req.Method, req.URL.Path
	}
	for _, d := range pe.Details {
		e.Issues = append(e.Issues, Issue{Field: d.Field, Issue: d.Issue, Description: d.Description})
	}
	return e
}

// retryAfter reads Retry-After as seconds or as an HTTP date.
func retryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n > 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
}

// send makes a call plutov lacks or gets wrong, with plutov's token
// handling; a requestID becomes PayPal-Request-Id, PayPal's idempotency key.
func (c *Client) send(ctx context.Context, method, path string, body any, requestID string, out any) error {
	req, err := c.pp.NewRequest(ctx, method, c.pp.APIBase+path, body)
	if err != nil {
		return fmt.Errorf("paypal: %w", err)
	}
	if requestID != "" {
		req.Header.Set("PayPal-Request-Id", requestID)
	}
	return wrap(c.pp.SendWithAuth(req, out))
}

// errorBodies rewrites error answers that plutov cannot decode into
// PayPal's REST error shape, the only one it reads: the token endpoint's
// OAuth error ({"error": "invalid_client", "error_description": …}), which
// would otherwise surface as a nameless 401, and a non-JSON body (a proxy's
// HTML 502), which would otherwise lose its status to a JSON syntax error.
type errorBodies struct{ next http.RoundTripper }

func (t errorBodies) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(r)
	if err != nil || resp.StatusCode < 400 {
		return resp, err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	var oauth struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	var rest map[string]string
	switch {
	case json.Unmarshal(body, &oauth) == nil && oauth.Error != "":
		rest = map[string]string{"name": oauth.Error, "message": oauth.Description}
	case len(bytes.TrimSpace(body)) > 0 && !json.Valid(body):
		rest = map[string]string{
			"name":    strings.ToUpper(strings.ReplaceAll(http.StatusText(resp.StatusCode), " ", "_")),
			"message": "non-JSON answer: " + truncate(string(body), 200),
		}
	}
	if rest != nil {
		if b, err := json.Marshal(rest); err == nil {
			body = b
		}
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Del("Content-Length")
	return resp, nil
}

// approveLink returns the link the buyer must follow: rel "approve", or
// "payer-action" in PayPal's newer responses.
func approveLink(links []paypal.Link) string {
	for _, rel := range []string{"approve", "payer-action"} {
		for _, l := range links {
			if l.Rel == rel {
				return l.Href
			}
		}
	}
	return ""
}

// truncate cuts s to PayPal's field limit n (in bytes, on a rune boundary).
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !isRuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
