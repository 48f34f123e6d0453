// Package supportpal talks to a SupportPal help desk's REST API (users,
// tickets, messages and their lookups), builds SimpleAuth single sign-on
// links, and offers Simulator, a stateful fake of the same API for tests
// and local development. It knows nothing of PocketBase: the mirror and
// the portal routes build on it.
package supportpal

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
)

// Config connects a Client to one SupportPal installation.
type Config struct {
	// URL is the install URL (e.g. https://help.example.net or
	// https://example.net/support); the client appends "/api/".
	URL string
	// Token is an API token (operator panel, Settings → API tokens) with
	// the user and ticket permissions.
	Token string
	// HTTPClient defaults to a client with a 15 s timeout, short enough
	// for a portal page waiting on it.
	HTTPClient *http.Client
}

// Client calls the SupportPal REST API. It is safe for concurrent use.
type Client struct {
	base  string // install URL without trailing slash
	token string
	hc    *http.Client
}

const (
	defaultTimeout = 15 * time.Second
	// maxBody bounds a response read: a page of messages with long HTML
	// bodies stays far below it.
	maxBody = 16 << 20
	// pageSize is SupportPal's documented default limit; asking for more is
	// unverified, and listAll copes with a server that caps it anyway.
	pageSize = 50
)

// New checks cfg: an http(s) URL with a host and no query, and a token.
func New(cfg Config) (*Client, error) {
	raw := strings.TrimSpace(cfg.URL)
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("supportpal: invalid install URL %q (want http(s)://host[/path])", cfg.URL)
	}
	token := strings.TrimSpace(cfg.Token)
	if token == "" {
		return nil, errors.New("supportpal: missing API token")
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: defaultTimeout}
	}
	return &Client{base: strings.TrimRight(u.String(), "/"), token: token, hc: hc}, nil
}

// BaseURL is the install URL without a trailing slash, for SimpleAuth and
// front-end links.
func (c *Client) BaseURL() string { return c.base }

// do sends one API request to path (relative to /api/) and returns the
// envelope of a successful answer. body, when not nil, is sent as JSON.
// Success follows SupportPal's official client: HTTP 200, a JSON body, and
// a status other than "error".
func (c *Client) do(ctx context.Context, op, method, path string, query url.Values, body any) (*envelope, error) {
	u := c.base + "/api/" + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, &Error{Op: op, Message: "encode request: " + err.Error(), err: err}
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, &Error{Op: op, Message: err.Error(), err: err}
	}
	req.SetBasicAuth(c.token, "X")
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, &Error{Op: op, Message: err.Error(), err: err}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, &Error{Op: op, Message: fmt.Sprintf("HTTP %d, reading the answer: %v", resp.StatusCode, err), err: err}
	}
	var env envelope
	if err := json.Unmarshal(raw, &env); err != nil {
		// A proxy's error page or a half-installed help desk: nothing we
		// can trust, so no Status (the HTTP status is in the message).
		return nil, &Error{Op: op, Message: fmt.Sprintf("HTTP %d, not a JSON answer: %s", resp.StatusCode, snippet(raw)), err: err}
	}
	if resp.StatusCode != http.StatusOK || env.Status == "" || env.Status == "error" {
		msg := env.text()
		if msg == "" {
			msg = http.StatusText(resp.StatusCode)
		}
		return nil, &Error{Op: op, Status: resp.StatusCode, Message: msg}
	}
	return &env, nil
}

// get fetches one object into out.
func (c *Client) get(ctx context.Context, op, path string, query url.Values, out any) error {
	env, err := c.do(ctx, op, http.MethodGet, path, query, nil)
	if err != nil {
		return err
	}
	return env.decode(op, out)
}

// post creates an object and decodes the created one into out.
func (c *Client) post(ctx context.Context, op, path string, body, out any) error {
	env, err := c.do(ctx, op, http.MethodPost, path, nil, body)
	if err != nil {
		return err
	}
	return env.decode(op, out)
}

// listPage fetches one page of a list endpoint: the items and the total
// count of matches.
func listPage[W any](ctx context.Context, c *Client, op, path string, query url.Values) ([]W, int, error) {
	env, err := c.do(ctx, op, http.MethodGet, path, query, nil)
	if err != nil {
		return nil, 0, err
	}
	var items []W
	if err := env.decode(op, &items); err != nil {
		return nil, 0, err
	}
	count := len(items)
	if env.Count != nil {
		count = *env.Count
	}
	return items, count, nil
}

// listAll walks every page of a list endpoint in start order. It advances
// by the items received, not the limit asked for, so a server capping the
// page size loses nothing.
func listAll[W any](ctx context.Context, c *Client, op, path string, query url.Values) ([]W, error) {
	q := url.Values{}
	for k, v := range query {
		q[k] = v
	}
	var all []W
	for start := 1; ; {
		q.Set("start", strconv.Itoa(start))
		q.Set("limit", strconv.Itoa(pageSize))
		items, count, err := listPage[W](ctx, c, op, path, q)
		if err != nil {
			return nil, err
		}
		all = append(all, items...)
		start += len(items)
		if len(items) == 0 || start > count {
			return all, nil
		}
	}
}

// idPath is the path of one object of a resource.
func idPath(resource string, id int64) string { return resource + "/" + strconv.FormatInt(id, 10) }

func snippet(raw []byte) string {
	s := strings.TrimSpace(string(raw))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	if s == "" {
		s = "(empty body)"
	}
	return s
}
