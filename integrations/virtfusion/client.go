// Package virtfusion drives the VirtFusion v1 "Global API" (admin API) as a
// provisioning.Provisioner, following /work/shared/contracts/virtfusion.md.
package virtfusion

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ezscale/ezscale/integrations/platformhttp"
)

// Config configures a Driver. URL is the panel's API base, e.g.
// https://cp.example.com/api/v1 (a URL without /api/v1 gets it appended).
type Config struct {
	URL        string
	Token      string
	HTTPClient *http.Client
}

// client is VirtFusion's side of the HTTP layer: the bearer token, the
// /api/v1 base and the error envelope.
type client struct {
	api   *url.URL // …/api/v1
	panel *url.URL // scheme+host (+ any prefix) without /api/v1, for SSO
	token string
	http  platformhttp.Client
}

// hints say what to check after a status; VirtFusion's 401 has no body.
var hints = map[int]string{
	http.StatusUnauthorized:       "API token missing, invalid or expired: check the token and its IP restriction",
	http.StatusForbidden:          "the API token lacks the permission for this action",
	http.StatusLocked:             "the server is locked by other pending tasks or Do Not Disturb mode",
	http.StatusServiceUnavailable: "hypervisor in maintenance or panel unavailable",
}

func newClient(cfg Config) (*client, error) {
	if strings.TrimSpace(cfg.URL) == "" {
		return nil, errors.New("virtfusion: URL is required")
	}
	if strings.TrimSpace(cfg.Token) == "" {
		return nil, errors.New("virtfusion: API token is required")
	}
	u, err := url.Parse(strings.TrimRight(strings.TrimSpace(cfg.URL), "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("virtfusion: URL %q must be an absolute http(s) URL", cfg.URL)
	}
	if !strings.HasSuffix(u.Path, "/api/v1") {
		u.Path += "/api/v1"
	}
	panel := *u
	panel.Path = strings.TrimSuffix(u.Path, "/api/v1")
	panel.RawQuery = ""
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 60 * time.Second}
	}
	return &client{api: u, panel: &panel, token: cfg.Token, http: platformhttp.Client{
		Platform: "virtfusion",
		HTTP:     hc,
		NotFound: platformhttp.NotFoundSentinel,
		Detail:   errorDetail,
		Hints:    hints,
	}}, nil
}

// apiError is VirtFusion's error body: {"errors": [...]} or {"msg": "..."}.
type apiError struct {
	Errors  []string `json:"errors"`
	Msg     string   `json:"msg"`
	Message string   `json:"message"`
}

// errorDetail reads apiError: every validation error, else msg or message.
func errorDetail(body []byte) string {
	var ae apiError
	if json.Unmarshal(body, &ae) != nil {
		return ""
	}
	switch {
	case len(ae.Errors) > 0:
		return strings.Join(ae.Errors, "; ")
	case ae.Msg != "":
		return ae.Msg
	}
	return ae.Message
}

// do sends one request under /api/v1. out, if non-nil, receives the
// decoded body of a 2xx answer; a 404 is provisioning.ErrNotFound, and
// every other failure a *provisioning.Error.
func (c *client) do(ctx context.Context, method, path string, query url.Values, body, out any) error {
	u := *c.api
	u.Path = c.api.Path + path
	if query != nil {
		u.RawQuery = query.Encode()
	}
	return c.http.Do(ctx, platformhttp.Request{
		Method: method,
		URL:    u.String(),
		Path:   path,
		Header: http.Header{"Authorization": {"Bearer " + c.token}, "Accept": {"application/json"}},
		Body:   body,
	}, out)
}
