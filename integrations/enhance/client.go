// Package enhance drives the Enhance control panel ("orchd" API) as a
// provisioning.Provisioner for shared web hosting: one customer
// organisation per customer, one plan subscription plus one website per
// service; enhancesim is a stateful in-memory fake of the same API.
package enhance

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

// accessHint is what staff check when the panel refuses the token.
const accessHint = "check the Enhance access token, its roles and IP allow-list, and the org id"

// Driver is the Enhance provisioning driver.
type Driver struct {
	base  string
	token string
	org   string
	http  platformhttp.Client
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
	return &Driver{base: base, token: strings.TrimSpace(cfg.Token), org: strings.ToLower(cfg.OrgID), http: platformhttp.Client{
		Platform: "enhance",
		HTTP:     hc,
		// A 404 may also be a malformed id (a plain-text "UUID parsing
		// failed"): each caller decides, through isNotFound and notFound.
		NotFound:            platformhttp.NotFoundStatus,
		ConflictMeansExists: true,
		DefaultRetryAfter:   defaultRetryAfter,
		Detail:              errorDetail,
		Hints:               map[int]string{http.StatusUnauthorized: accessHint, http.StatusForbidden: accessHint},
	}}, nil
}

// apiError is the orchd HttpError schema.
type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Detail  string `json:"detail"`
}

// errorDetail reads apiError as "code: message" (or its detail).
func errorDetail(body []byte) string {
	var ae apiError
	if json.Unmarshal(body, &ae) != nil {
		return ""
	}
	text := ae.Message
	if text == "" {
		text = ae.Detail
	}
	switch {
	case ae.Code == "":
		return text
	case text == "":
		return ae.Code
	}
	return ae.Code + ": " + text
}

// do sends one request. body, if not nil, is sent as JSON; out, if not
// nil, receives the decoded 2xx body. Every failure is a
// *provisioning.Error, a 404 included.
func (d *Driver) do(ctx context.Context, method, path string, query url.Values, body, out any) error {
	u := d.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	return d.http.Do(ctx, platformhttp.Request{
		Method: method,
		URL:    u,
		Path:   path,
		Header: http.Header{"Authorization": {"Bearer " + d.token}, "Accept": {"application/json"}},
		Body:   body,
	}, out)
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

// notFound maps a 404 to provisioning.ErrNotFound.
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
