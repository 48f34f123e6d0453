// Package enhance drives the Enhance control panel ("orchd" API) as a
// provisioning.Provisioner for shared web hosting: one customer
// organisation per customer, one plan subscription plus one website per
// service. Simulator is a stateful in-memory fake of the same API.
package enhance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ezscale/ezscale/integrations/provisioning"
)

// Config connects a Driver to one Enhance installation.
type Config struct {
	// URL is the control panel URL, e.g. https://cp.example.net; "/api" is
	// appended unless the URL already ends with it.
	URL string
	// Token is an access token of the master (or reseller) organisation.
	Token string
	// OrgID is that organisation's id (shown next to the access tokens).
	OrgID string
	// HTTPClient defaults to a client with a 30 s timeout.
	HTTPClient *http.Client
}

// defaultRetryAfter is used on a 429 without a usable Retry-After header
// (the rate limit is reportedly about 60 requests a minute per token).
const defaultRetryAfter = 60 * time.Second

// Driver is the Enhance provisioning driver.
type Driver struct {
	base  string
	token string
	org   string
	hc    *http.Client
}

// New checks cfg and returns a Driver.
func New(cfg Config) (*Driver, error) {
	u, err := url.Parse(strings.TrimSpace(cfg.URL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("enhance: invalid URL %q", cfg.URL)
	}
	if strings.TrimSpace(cfg.Token) == "" {
		return nil, errors.New("enhance: missing access token")
	}
	if !isUUID(cfg.OrgID) {
		return nil, fmt.Errorf("enhance: org id %q is not a UUID", cfg.OrgID)
	}
	base := strings.TrimRight(u.String(), "/")
	if !strings.HasSuffix(base, "/api") {
		base += "/api"
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	return &Driver{base: base, token: strings.TrimSpace(cfg.Token), org: strings.ToLower(cfg.OrgID), hc: hc}, nil
}

// apiError is the orchd HttpError schema.
type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Detail  string `json:"detail"`
}

// do sends one request. body, if not nil, is sent as JSON; out, if not
// nil, receives the decoded 2xx body. Every failure is a
// *provisioning.Error: 4xx other than 404/408/429 are Permanent.
func (d *Driver) do(ctx context.Context, method, path string, query url.Values, body, out any) error {
	u := d.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return &provisioning.Error{Permanent: true, Message: "enhance: encode request: " + err.Error()}
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return &provisioning.Error{Permanent: true, Message: "enhance: " + err.Error()}
	}
	req.Header.Set("Authorization", "Bearer "+d.token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	op := method + " " + path
	resp, err := d.hc.Do(req)
	if err != nil {
		// Timeouts, resets, a dropped connection: the call may or may
		// not have happened; Create looks up before creating, so retry.
		return &provisioning.Error{Message: "enhance: " + op + ": " + err.Error()}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return &provisioning.Error{Status: resp.StatusCode, Message: "enhance: " + op + ": read response: " + err.Error()}
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if out != nil && len(bytes.TrimSpace(raw)) > 0 {
			if err := json.Unmarshal(raw, out); err != nil {
				return &provisioning.Error{Status: resp.StatusCode, Message: "enhance: " + op + ": decode response: " + err.Error()}
			}
		}
		return nil
	}
	return responseError(op, resp, raw)
}

func responseError(op string, resp *http.Response, raw []byte) *provisioning.Error {
	var ae apiError
	text := ""
	if json.Unmarshal(raw, &ae) == nil {
		switch {
		case ae.Message != "":
			text = ae.Message
		case ae.Detail != "":
			text = ae.Detail
		}
		if ae.Code != "" {
			if text == "" {
				text = ae.Code
			} else {
				text = ae.Code + ": " + text
			}
		}
	}
	if text == "" {
		text = strings.TrimSpace(string(raw))
		if len(text) > 300 {
			text = text[:300]
		}
	}
	if text == "" {
		text = http.StatusText(resp.StatusCode)
	}
	code := resp.StatusCode
	e := &provisioning.Error{Status: code, Message: fmt.Sprintf("enhance: %s: %d %s", op, code, text)}
	switch {
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		e.Permanent = true
		e.Message += " (check the Enhance access token, its roles and IP allow-list, and the org id)"
	case code == http.StatusTooManyRequests:
		e.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"))
	case code == http.StatusNotFound || code == http.StatusRequestTimeout:
	case code >= 400 && code < 500:
		e.Permanent = true
	}
	return e
}

func parseRetryAfter(v string) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return defaultRetryAfter
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		if n == 0 {
			return time.Second
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
		return time.Second
	}
	return defaultRetryAfter
}

// statusOf is the HTTP status of a *provisioning.Error, or 0.
func statusOf(err error) int {
	var pe *provisioning.Error
	if errors.As(err, &pe) {
		return pe.Status
	}
	return 0
}

func isNotFound(err error) bool { return statusOf(err) == http.StatusNotFound }

// notFound maps a 404 to provisioning.ErrNotFound (returned bare: the
// worker compares with ==).
func notFound(err error) error {
	if isNotFound(err) {
		return provisioning.ErrNotFound
	}
	return err
}

// page is the list envelope.
type page[T any] struct {
	Items []T `json:"items"`
	Total int `json:"total"`
}

const pageSize = 100

// list walks every page of a list endpoint until match returns true or
// the list ends.
func list[T any](ctx context.Context, d *Driver, path string, query url.Values, match func(T) bool) (T, bool, error) {
	var zero T
	q := url.Values{}
	for k, v := range query {
		q[k] = v
	}
	for offset := 0; ; {
		q.Set("offset", strconv.Itoa(offset))
		q.Set("limit", strconv.Itoa(pageSize))
		var p page[T]
		if err := d.do(ctx, http.MethodGet, path, q, nil, &p); err != nil {
			return zero, false, err
		}
		for _, it := range p.Items {
			if match(it) {
				return it, true, nil
			}
		}
		offset += len(p.Items)
		if len(p.Items) == 0 || offset >= p.Total {
			return zero, false, nil
		}
	}
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}
