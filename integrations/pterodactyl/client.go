// Package pterodactyl is the provisioning driver for the Pterodactyl game
// panel (https://pterodactyl.io). It talks to the Panel only: the
// Application API (/api/application, ptla_ key) for users and servers, and
// the Client API (/api/client, ptlc_ key) for live resources and power.
// See /work/shared/contracts/pterodactyl.md for the API notes it follows.
package pterodactyl

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ezscale/ezscale/integrations/platformhttp"
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

// client is the panel's side of the HTTP layer for both APIs: their keys
// and the Fractal envelopes.
type client struct {
	base      string
	appKey    string
	clientKey string
	http      platformhttp.Client
}

// newClient talks to the panel at base through hc.
func newClient(base, appKey, clientKey string, hc *http.Client) *client {
	return &client{base: base, appKey: appKey, clientKey: clientKey, http: platformhttp.Client{
		Platform:          "pterodactyl",
		HTTP:              hc,
		NotFound:          platformhttp.NotFoundSentinel,
		DefaultRetryAfter: time.Minute, // the panel's limits are per minute
		Detail:            errorDetail,
	}}
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

// errorDetail reads the error envelope: each entry's detail, the field it
// is about and its exception's code, as staff need them to fix a plan.
func errorDetail(body []byte) string {
	var env errorEnvelope
	if json.Unmarshal(body, &env) != nil {
		return ""
	}
	parts := make([]string, 0, len(env.Errors))
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
	return strings.Join(parts, "; ")
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
	return c.http.Do(ctx, platformhttp.Request{
		Method: method,
		URL:    c.base + "/api/" + api + path,
		Path:   "/api/" + api + path,
		Header: http.Header{"Authorization": {"Bearer " + key}, "Accept": {acceptHeader}},
		Body:   body,
	}, out)
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
