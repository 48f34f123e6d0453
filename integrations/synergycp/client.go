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
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ezscale/ezscale/integrations/platformhttp"
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

// client is SynergyCP's side of the HTTP layer: the key in the query and
// the {error, data, messages} envelope.
type client struct {
	base string
	key  string
	http platformhttp.Client
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

// text is the envelope's first message, the one the web UI shows.
func (e envelope) text() string {
	for _, m := range e.Messages {
		if m.Text != "" {
			return m.Text
		}
	}
	return ""
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
	return &client{base: u.String(), key: cfg.Key, http: platformhttp.Client{
		Platform:          "synergycp",
		HTTP:              hc,
		NotFound:          platformhttp.NotFoundWrapped,
		DefaultRetryAfter: 30 * time.Second,
		Hints: map[int]string{
			http.StatusUnauthorized: "authentication failed: check the integration API key",
			http.StatusForbidden:    "permission denied: check the integration key's permissions",
		},
	}}, nil
}

// do sends one request. key overrides the integration key (client keys for
// power control); it travels in the query, which messages never show. On
// success the envelope's data is decoded into out (if non-nil). Anything
// but a literal false in the envelope's "error" is a failed call, whatever
// the status.
func (c *client) do(ctx context.Context, method, path string, q url.Values, body any, out any, key string) error {
	if key == "" {
		key = c.key
	}
	if q == nil {
		q = url.Values{}
	}
	q.Set("key", key)
	req := platformhttp.Request{Method: method, URL: c.base + path + "?" + q.Encode(), Path: path, Body: body}
	a, err := c.http.Send(ctx, req)
	if err != nil {
		return err
	}
	var env envelope
	jsonErr := json.Unmarshal(a.Body, &env)
	if a.Status < 400 && jsonErr == nil && strings.TrimSpace(string(env.Error)) == "false" {
		return c.http.Decode(req, a, env.Data, out)
	}
	var ignored struct {
		Ignored bool `json:"ignored"`
	}
	if json.Unmarshal(env.Data, &ignored) == nil && ignored.Ignored {
		return &provisioning.Error{Status: a.Status, Permanent: true, Message: fmt.Sprintf(
			"synergycp: %s %s refused for a VIP client (automatic actions disabled): %s — handle manually", method, path, env.text())}
	}
	return c.http.Failure(req, a, env.text())
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
