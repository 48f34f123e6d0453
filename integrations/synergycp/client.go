// Package synergycp is the provisioning driver for SynergyCP, a bare-metal /
// dedicated-server management platform. It follows the wire contract in
// shared/contracts/synergycp.md (the official scp-php-api / WHMCS module):
//
//   - base URL is the API host, paths appended directly (no /api/v1);
//   - auth is the query parameter ?key=<api key> on every request, including
//     JSON-bodied POST/PATCH (no auth header);
//   - every response is the envelope {"error": false, "data": ..., "messages": [...]};
//     anything other than literal false in "error" is a failed call;
//   - lists are Laravel paginators inside "data".
//
// Out of stock: when no free server matches the plan's hardware, Create
// returns a *provisioning.Error with Permanent=false and a message starting
// "synergycp: no matching server in stock"; the platform then falls back to
// the manual driver (staff rack/assign a server by hand), as the WHMCS
// module opens a "queued for setup" ticket instead of failing.
package synergycp

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

// Config configures a Driver.
type Config struct {
	// URL is the SynergyCP API host, e.g. https://api.synergy.example.com
	// (any path given is kept; no /api/v1 prefix is added).
	URL string
	// Key is the integration API key (Admin → System → Integrations).
	Key string
	// HTTPClient is optional; a client with a 30s timeout is used if nil.
	HTTPClient *http.Client
}

type client struct {
	base string
	key  string
	http *http.Client
}

type message struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type envelope struct {
	Error    json.RawMessage `json:"error"`
	Data     json.RawMessage `json:"data"`
	Messages []message       `json:"messages"`
}

type paginator struct {
	CurrentPage int               `json:"current_page"`
	LastPage    int               `json:"last_page"`
	Total       int               `json:"total"`
	Data        []json.RawMessage `json:"data"`
}

func newClient(cfg Config) (*client, error) {
	if strings.TrimSpace(cfg.URL) == "" {
		return nil, errors.New("synergycp: URL is required")
	}
	if strings.TrimSpace(cfg.Key) == "" {
		return nil, errors.New("synergycp: Key is required")
	}
	u, err := url.Parse(strings.TrimRight(cfg.URL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("synergycp: invalid URL %q", cfg.URL)
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	return &client{base: u.String(), key: cfg.Key, http: hc}, nil
}

// do sends one request. key overrides the integration key (client keys for
// power control). For GET, q is the query; for other methods body is sent
// as JSON. On success the envelope's data is decoded into out (if non-nil).
func (c *client) do(ctx context.Context, method, path string, q url.Values, body any, out any, key string) error {
	if key == "" {
		key = c.key
	}
	if q == nil {
		q = url.Values{}
	}
	q.Set("key", key)
	full := c.base + path + "?" + q.Encode()

	var rd io.Reader
	if body != nil && method != http.MethodGet {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("synergycp: encode %s %s: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, full, rd)
	if err != nil {
		return fmt.Errorf("synergycp: build request: %w", err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		// Timeouts, resets, dropped connections: retryable. The URL (with
		// the key) is not included in the message.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return &provisioning.Error{Message: fmt.Sprintf("synergycp: %s %s: request failed: %v", method, path, err)}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return &provisioning.Error{Status: resp.StatusCode, Message: fmt.Sprintf("synergycp: %s %s: reading response: %v", method, path, err)}
	}
	var env envelope
	jsonErr := json.Unmarshal(raw, &env)
	failed := resp.StatusCode >= 400 || jsonErr != nil || strings.TrimSpace(string(env.Error)) != "false"
	if !failed {
		if out != nil && len(env.Data) > 0 && string(env.Data) != "null" {
			if err := json.Unmarshal(env.Data, out); err != nil {
				return &provisioning.Error{Status: resp.StatusCode, Message: fmt.Sprintf("synergycp: %s %s: unexpected data: %v", method, path, err)}
			}
		}
		return nil
	}
	return mapError(method, path, resp, raw, env, jsonErr)
}

func mapError(method, path string, resp *http.Response, raw []byte, env envelope, jsonErr error) error {
	st := resp.StatusCode
	text := ""
	for _, m := range env.Messages {
		if m.Text != "" {
			text = m.Text
			break
		}
	}
	if text == "" {
		if jsonErr != nil {
			text = strings.TrimSpace(string(raw))
			if len(text) > 200 {
				text = text[:200] + "…"
			}
		}
		if text == "" {
			text = http.StatusText(st)
		}
	}
	where := fmt.Sprintf("%s %s", method, path)
	var ignored struct {
		Ignored bool `json:"ignored"`
	}
	_ = json.Unmarshal(env.Data, &ignored)
	switch {
	case ignored.Ignored:
		return &provisioning.Error{Status: st, Permanent: true, Message: fmt.Sprintf(
			"synergycp: %s refused for a VIP client (automatic actions disabled): %s — handle manually", where, text)}
	case st == http.StatusNotFound:
		return fmt.Errorf("%w: synergycp: %s: %s", provisioning.ErrNotFound, where, text)
	case st == http.StatusUnauthorized:
		return &provisioning.Error{Status: st, Permanent: true, Message: fmt.Sprintf(
			"synergycp: authentication failed (HTTP 401) on %s: %s — check the integration API key", where, text)}
	case st == http.StatusForbidden:
		return &provisioning.Error{Status: st, Permanent: true, Message: fmt.Sprintf(
			"synergycp: permission denied (HTTP 403) on %s: %s — check the integration key's permissions", where, text)}
	case st == http.StatusBadRequest || st == http.StatusUnprocessableEntity:
		return &provisioning.Error{Status: st, Permanent: true, Message: fmt.Sprintf(
			"synergycp: rejected (HTTP %d) on %s: %s", st, where, text)}
	case st == http.StatusTooManyRequests:
		return &provisioning.Error{Status: st, RetryAfter: retryAfter(resp.Header.Get("Retry-After")), Message: fmt.Sprintf(
			"synergycp: rate limited (HTTP 429) on %s: %s", where, text)}
	default:
		return &provisioning.Error{Status: st, Message: fmt.Sprintf("synergycp: HTTP %d on %s: %s", st, where, text)}
	}
}

func retryAfter(h string) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 30 * time.Second
	}
	if n, err := strconv.Atoi(h); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
		return 0
	}
	return 30 * time.Second
}

// first fetches page 1 with per_page=1 and decodes data.data[0] into out.
// It reports whether an item was found.
func (c *client) first(ctx context.Context, path string, q url.Values, out any, key string) (bool, error) {
	if q == nil {
		q = url.Values{}
	}
	q.Set("page", "1")
	q.Set("per_page", "1")
	var p paginator
	if err := c.do(ctx, http.MethodGet, path, q, nil, &p, key); err != nil {
		return false, err
	}
	if len(p.Data) == 0 {
		return false, nil
	}
	if err := json.Unmarshal(p.Data[0], out); err != nil {
		return false, &provisioning.Error{Message: fmt.Sprintf("synergycp: GET %s: unexpected item: %v", path, err)}
	}
	return true, nil
}

// list fetches every page of a list endpoint (per_page=100).
func (c *client) list(ctx context.Context, path string, q url.Values, each func(json.RawMessage) error) error {
	for page := 1; page <= 1000; page++ {
		qq := url.Values{}
		for k, v := range q {
			qq[k] = v
		}
		qq.Set("page", strconv.Itoa(page))
		qq.Set("per_page", "100")
		var p paginator
		if err := c.do(ctx, http.MethodGet, path, qq, nil, &p, ""); err != nil {
			return err
		}
		for _, it := range p.Data {
			if err := each(it); err != nil {
				return err
			}
		}
		if p.LastPage <= page || len(p.Data) == 0 {
			return nil
		}
	}
	return nil
}

// idValue sends numeric ids as JSON numbers (as the contract's examples do)
// and anything else as a string.
func idValue(s string) any {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n
	}
	return s
}

// flexID decodes an id sent either as a number or a string.
type flexID string

func (f *flexID) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "null" {
		*f = ""
		return nil
	}
	if strings.HasPrefix(s, `"`) {
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*f = flexID(v)
		return nil
	}
	*f = flexID(s)
	return nil
}
