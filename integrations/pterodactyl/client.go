// Package pterodactyl is the provisioning driver for the Pterodactyl game
// panel (https://pterodactyl.io). It talks to the Panel only: the
// Application API (/api/application, ptla_ key) for users and servers, and
// the Client API (/api/client, ptlc_ key) for live resources and power.
// See /work/shared/contracts/pterodactyl.md for the API notes it follows.
package pterodactyl

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ezscale/ezscale/integrations/provisioning"
)

// acceptHeader is what the official WHMCS module sends; any Accept with
// "json" makes Laravel answer errors as JSON instead of redirecting.
const acceptHeader = "Application/vnd.pterodactyl.v1+json"

// Config configures a Driver.
type Config struct {
	// URL is the panel's base URL, e.g. https://panel.example.com.
	URL string
	// AppKey is an Application API key (ptla_...) of a root admin.
	AppKey string
	// ClientKey is a Client API key (ptlc_...) of a root admin. Optional:
	// without it Status reports only panel-side state and Power returns
	// provisioning.ErrNotSupported.
	ClientKey string
	// Flavor is FlavorPterodactyl (the default) or FlavorPelican, the
	// successor panel: the same API but eggs without nests and nodes
	// chosen by tag.
	Flavor string
	// HTTPClient defaults to a client with a 30 s timeout.
	HTTPClient *http.Client
}

// client is a thin JSON client for both APIs.
type client struct {
	base      string
	appKey    string
	clientKey string
	http      *http.Client
}

// envelope is a Fractal item: {object, attributes}.
type envelope struct {
	Object     string          `json:"object"`
	Attributes json.RawMessage `json:"attributes"`
}

// listEnvelope is a Fractal list.
type listEnvelope struct {
	Object string     `json:"object"`
	Data   []envelope `json:"data"`
	Meta   struct {
		Pagination struct {
			Total       int `json:"total"`
			Count       int `json:"count"`
			PerPage     int `json:"per_page"`
			CurrentPage int `json:"current_page"`
			TotalPages  int `json:"total_pages"`
		} `json:"pagination"`
	} `json:"meta"`
}

// apiError is one entry of the error envelope.
type apiError struct {
	Code   string `json:"code"`
	Status string `json:"status"`
	Detail string `json:"detail"`
	Meta   *struct {
		SourceField string `json:"source_field"`
		Rule        string `json:"rule"`
	} `json:"meta,omitempty"`
}

type errorEnvelope struct {
	Errors []apiError `json:"errors"`
}

// do sends one request. api is "application" or "client"; path starts with
// "/". body (if not nil) is JSON-encoded; out (if not nil) receives the
// decoded response. 404 returns provisioning.ErrNotFound itself; other
// failures return *provisioning.Error.
func (c *client) do(ctx context.Context, method, api, path string, body, out any) error {
	key := c.appKey
	if api == "client" {
		key = c.clientKey
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return &provisioning.Error{Permanent: true, Message: "pterodactyl: encode request: " + err.Error()}
		}
		rd = bytes.NewReader(b)
	}
	what := method + " /api/" + api + path
	req, err := http.NewRequestWithContext(ctx, method, c.base+"/api/"+api+path, rd)
	if err != nil {
		return &provisioning.Error{Permanent: true, Message: "pterodactyl: " + what + ": " + err.Error()}
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Accept", acceptHeader)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		// Timeouts, refused or dropped connections: retry later. The
		// request may have been carried out; Create is idempotent.
		return &provisioning.Error{Message: "pterodactyl: " + what + ": " + err.Error()}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return &provisioning.Error{Status: resp.StatusCode, Message: "pterodactyl: " + what + ": read response: " + err.Error()}
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if out == nil || len(bytes.TrimSpace(data)) == 0 {
			return nil
		}
		if err := json.Unmarshal(data, out); err != nil {
			return &provisioning.Error{Status: resp.StatusCode, Message: "pterodactyl: " + what + ": decode response: " + err.Error()}
		}
		return nil
	}
	if resp.StatusCode == http.StatusNotFound {
		return provisioning.ErrNotFound
	}
	return responseError(what, resp, data)
}

// responseError turns a non-2xx answer into *provisioning.Error.
func responseError(what string, resp *http.Response, data []byte) *provisioning.Error {
	st := resp.StatusCode
	e := &provisioning.Error{Status: st}
	switch {
	case st == http.StatusTooManyRequests:
		e.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"))
		if e.RetryAfter <= 0 {
			e.RetryAfter = time.Minute // the panel's limits are per minute
		}
	case st >= 500, st == http.StatusRequestTimeout, st == http.StatusConflict:
		// server-side or state conflict (installing, transferring): retry
	case st >= 300 && st < 400:
		// a redirect means Laravel did not see a JSON request or key
		e.Permanent = true
	default: // 400, 401, 403, 422 and other 4xx: configuration or input
		e.Permanent = true
	}
	var env errorEnvelope
	var parts []string
	if json.Unmarshal(data, &env) == nil {
		for _, x := range env.Errors {
			p := x.Detail
			if x.Meta != nil && x.Meta.SourceField != "" {
				p += " [" + x.Meta.SourceField + "]"
			}
			if x.Code != "" {
				p += " (" + x.Code + ")"
			}
			parts = append(parts, p)
		}
	}
	msg := strings.Join(parts, "; ")
	if msg == "" {
		msg = strings.TrimSpace(string(data))
		if len(msg) > 200 {
			msg = msg[:200]
		}
		if msg == "" {
			msg = http.StatusText(st)
		}
	}
	e.Message = fmt.Sprintf("pterodactyl: %s: %d %s", what, st, msg)
	return e
}

// parseRetryAfter reads delay-seconds or an HTTP date.
func parseRetryAfter(v string) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}

// item decodes a Fractal item envelope's attributes into out.
func (c *client) item(ctx context.Context, method, api, path string, body, out any) error {
	var env envelope
	if err := c.do(ctx, method, api, path, body, &env); err != nil {
		return err
	}
	if len(env.Attributes) == 0 || string(env.Attributes) == "null" {
		return &provisioning.Error{Message: "pterodactyl: " + method + " " + path + ": empty response object"}
	}
	if err := json.Unmarshal(env.Attributes, out); err != nil {
		return &provisioning.Error{Message: "pterodactyl: " + method + " " + path + ": decode " + env.Object + ": " + err.Error()}
	}
	return nil
}

// pathEscape escapes one path segment.
func pathEscape(s string) string { return url.PathEscape(s) }
