// Package virtfusion drives the VirtFusion v1 "Global API" (admin API) as a
// provisioning.Provisioner, following /work/shared/contracts/virtfusion.md.
package virtfusion

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

// Config configures a Driver. URL is the panel's API base, e.g.
// https://cp.example.com/api/v1 (a URL without /api/v1 gets it appended).
type Config struct {
	URL        string
	Token      string
	HTTPClient *http.Client
}

// client is the thin HTTP layer: auth headers, JSON, error mapping.
type client struct {
	api   *url.URL // …/api/v1
	panel *url.URL // scheme+host (+ any prefix) without /api/v1, for SSO
	token string
	hc    *http.Client
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
	return &client{api: u, panel: &panel, token: cfg.Token, hc: hc}, nil
}

// apiError is VirtFusion's error body: {"errors": [...]} or {"msg": "..."}.
type apiError struct {
	Errors  []string `json:"errors"`
	Msg     string   `json:"msg"`
	Message string   `json:"message"`
}

// do sends one request. out, if non-nil, receives the decoded body of a
// 2xx answer. It returns the status code; non-2xx answers become errors:
// 404 → provisioning.ErrNotFound (bare, so callers may compare with ==),
// everything else → *provisioning.Error.
func (c *client) do(ctx context.Context, method, path string, query url.Values, body, out any) (int, error) {
	u := *c.api
	u.Path = c.api.Path + path
	if query != nil {
		u.RawQuery = query.Encode()
	}
	var rdr io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, fmt.Errorf("virtfusion: encode %s %s: %w", method, path, err)
		}
		rdr = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rdr)
	if err != nil {
		return 0, fmt.Errorf("virtfusion: %s %s: %w", method, path, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		// Transport failures and timeouts: the action may or may not have
		// happened; retryable, and Create's lookups make the retry safe.
		return 0, &provisioning.Error{Message: fmt.Sprintf("virtfusion: %s %s: %v", method, path, err)}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return resp.StatusCode, &provisioning.Error{Status: resp.StatusCode,
			Message: fmt.Sprintf("virtfusion: %s %s: reading response: %v", method, path, err)}
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if out != nil && len(bytes.TrimSpace(raw)) > 0 {
			if err := json.Unmarshal(raw, out); err != nil {
				return resp.StatusCode, &provisioning.Error{Status: resp.StatusCode,
					Message: fmt.Sprintf("virtfusion: %s %s: bad JSON in %d response: %v", method, path, resp.StatusCode, err)}
			}
		}
		return resp.StatusCode, nil
	}
	if resp.StatusCode == http.StatusNotFound {
		return resp.StatusCode, provisioning.ErrNotFound
	}
	return resp.StatusCode, mapError(method, path, resp, raw)
}

func mapError(method, path string, resp *http.Response, raw []byte) *provisioning.Error {
	code := resp.StatusCode
	detail := ""
	var ae apiError
	if json.Unmarshal(raw, &ae) == nil {
		switch {
		case len(ae.Errors) > 0:
			detail = strings.Join(ae.Errors, "; ")
		case ae.Msg != "":
			detail = ae.Msg
		case ae.Message != "":
			detail = ae.Message
		}
	}
	if detail == "" {
		switch code {
		case http.StatusUnauthorized:
			detail = "API token missing, invalid or expired (check the token and its IP restriction)"
		case http.StatusForbidden:
			detail = "API token lacks the permission for this action"
		case http.StatusLocked:
			detail = "server is locked by other pending tasks or Do Not Disturb mode"
		case http.StatusServiceUnavailable:
			detail = "hypervisor in maintenance or panel unavailable"
		default:
			detail = strings.TrimSpace(string(raw))
			if len(detail) > 300 {
				detail = detail[:300]
			}
		}
	}
	e := &provisioning.Error{Status: code}
	switch {
	case code == http.StatusUnauthorized, code == http.StatusForbidden,
		code == http.StatusUnprocessableEntity, code == http.StatusBadRequest,
		code == http.StatusMethodNotAllowed:
		e.Permanent = true
	case code == http.StatusTooManyRequests:
		e.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	e.Message = fmt.Sprintf("virtfusion: %s %s: %d %s", method, path, code, http.StatusText(code))
	if detail != "" {
		e.Message += ": " + detail
	}
	return e
}

// parseRetryAfter reads delta-seconds or an HTTP date; 0 if absent/invalid.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return 0
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d.Round(time.Second)
		}
	}
	return 0
}
