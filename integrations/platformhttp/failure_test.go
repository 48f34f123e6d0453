package platformhttp

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/ezscale/integrations/provisioning"
)

func TestFailureClassification(t *testing.T) {
	req := Request{Method: http.MethodPost, Path: "/servers"}
	for _, tc := range []struct {
		status    int
		exists    bool // ConflictMeansExists
		permanent bool
	}{
		{http.StatusBadRequest, false, true},
		{http.StatusUnauthorized, false, true},
		{http.StatusForbidden, false, true},
		{http.StatusMethodNotAllowed, false, true},
		{http.StatusGone, false, true},
		{http.StatusUnprocessableEntity, false, true},
		{http.StatusFound, false, true},
		{http.StatusRequestTimeout, false, false},
		{http.StatusConflict, false, false},
		{http.StatusConflict, true, true},
		{http.StatusLocked, false, false},
		{http.StatusTooManyRequests, false, false},
		{http.StatusInternalServerError, false, false},
		{http.StatusBadGateway, false, false},
		{http.StatusServiceUnavailable, false, false},
		{http.StatusOK, false, false}, // an envelope that says failed
	} {
		c := &Client{Platform: "panel", NotFound: NotFoundStatus, ConflictMeansExists: tc.exists}
		err := c.Failure(req, &Answer{Status: tc.status, Header: http.Header{}}, "")
		var pe *provisioning.Error
		if !errors.As(err, &pe) || pe.Status != tc.status || pe.Permanent != tc.permanent {
			t.Errorf("%d (409 exists %v): %#v, want permanent %v", tc.status, tc.exists, err, tc.permanent)
		}
	}
}

func TestFailureMessage(t *testing.T) {
	c := &Client{Platform: "panel", Hints: map[int]string{http.StatusUnauthorized: "check the token"}}
	req := Request{Method: http.MethodGet, Path: "/servers/7"}
	for _, tc := range []struct {
		status int
		body   string
		detail string
		want   string
	}{
		{http.StatusUnauthorized, "", "", "panel: GET /servers/7: 401 Unauthorized (check the token)"},
		{http.StatusUnprocessableEntity, `{"errors":["x"]}`, "name is required", "panel: GET /servers/7: 422 name is required"},
		{http.StatusBadGateway, "  <html>bad gateway</html>\n", "", "panel: GET /servers/7: 502 <html>bad gateway</html>"},
		{http.StatusBadGateway, "a" + strings.Repeat("é", 200), "", "panel: GET /servers/7: 502 a" + strings.Repeat("é", 149)},
	} {
		err := c.Failure(req, &Answer{Status: tc.status, Header: http.Header{}, Body: []byte(tc.body)}, tc.detail)
		if err.Error() != tc.want {
			t.Errorf("%d: %q, want %q", tc.status, err.Error(), tc.want)
		}
	}
}

func TestFailureNotFound(t *testing.T) {
	req := Request{Method: http.MethodDelete, Path: "/servers/7"}
	a := &Answer{Status: http.StatusNotFound, Header: http.Header{}, Body: []byte("UUID parsing failed")}
	c := &Client{Platform: "panel"}
	if err := c.Failure(req, a, ""); err != provisioning.ErrNotFound {
		t.Errorf("sentinel: %#v", err)
	}
	c.NotFound = NotFoundWrapped
	if err := c.Failure(req, a, "server gone"); !errors.Is(err, provisioning.ErrNotFound) ||
		!strings.Contains(err.Error(), "panel: DELETE /servers/7: 404 server gone") {
		t.Errorf("wrapped: %v", err)
	}
	c.NotFound = NotFoundStatus
	var pe *provisioning.Error
	if err := c.Failure(req, a, ""); !errors.As(err, &pe) || pe.Status != 404 || pe.Permanent ||
		!strings.Contains(pe.Message, "UUID parsing failed") {
		t.Errorf("status: %#v", err)
	}
}

func TestFailureRetryAfter(t *testing.T) {
	c := &Client{Platform: "panel", DefaultRetryAfter: time.Minute}
	req := Request{Method: http.MethodGet, Path: "/servers"}
	for header, want := range map[string]time.Duration{"7": 7 * time.Second, "": time.Minute, "0": time.Minute, "soon": time.Minute} {
		a := &Answer{Status: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {header}}}
		var pe *provisioning.Error
		if err := c.Failure(req, a, ""); !errors.As(err, &pe) || pe.Permanent || pe.RetryAfter != want {
			t.Errorf("Retry-After %q: %#v, want %v", header, err, want)
		}
	}
}
