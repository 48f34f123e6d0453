package platformhttp

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ezscale/ezscale/integrations/provisioning"
)

// NotFound is how a driver wants a 404 reported.
type NotFound int

const (
	// NotFoundSentinel returns provisioning.ErrNotFound itself: the call's
	// answer is all there is to say (VirtFusion, Pterodactyl).
	NotFoundSentinel NotFound = iota
	// NotFoundWrapped wraps provisioning.ErrNotFound with the call and the
	// platform's words (SynergyCP).
	NotFoundWrapped
	// NotFoundStatus reports a retryable *provisioning.Error with Status
	// 404 and lets the driver decide: Enhance also answers 404 to a
	// malformed id.
	NotFoundStatus
)

// excerptLen bounds how much of a body without an envelope a message quotes.
const excerptLen = 300

// Failure turns a failed answer into the queue's terms; detail is the
// platform's own words from its error envelope, or "" to quote the body.
//
//   - 404: as c.NotFound says.
//   - 408, 423 (locked by the platform's pending tasks), 409 (a passing
//     state, unless ConflictMeansExists), 5xx, and a 2xx the envelope
//     calls failed: retried.
//   - 429: retried after Retry-After, or c.DefaultRetryAfter.
//   - 400, 401, 403, 422 and every other 3xx or 4xx: the request or the
//     configuration is wrong and sending it again cannot help: Permanent.
//     A 3xx is a redirect net/http did not follow, such as a panel that
//     took the call for a browser's.
func (c *Client) Failure(req Request, a *Answer, detail string) error {
	st := a.Status
	if detail == "" {
		detail = excerpt(a.Body)
	}
	if detail == "" {
		detail = http.StatusText(st)
	}
	msg := c.message(req, strconv.Itoa(st)+" "+detail)
	if hint := c.Hints[st]; hint != "" {
		msg += " (" + hint + ")"
	}
	if st == http.StatusNotFound {
		switch c.NotFound {
		case NotFoundSentinel:
			return provisioning.ErrNotFound
		case NotFoundWrapped:
			return fmt.Errorf("%w: %s", provisioning.ErrNotFound, msg)
		}
	}
	e := &provisioning.Error{Status: st, Message: msg, Permanent: c.permanent(st)}
	if st == http.StatusTooManyRequests {
		e.RetryAfter = RetryAfter(a.Header.Get("Retry-After"), time.Now())
		if e.RetryAfter == 0 {
			e.RetryAfter = c.DefaultRetryAfter
		}
	}
	return e
}

// permanent says whether a failed status fails the job at once.
func (c *Client) permanent(st int) bool {
	switch st {
	case http.StatusConflict:
		return c.ConflictMeansExists
	case http.StatusNotFound, http.StatusRequestTimeout, http.StatusLocked, http.StatusTooManyRequests:
		return false
	}
	return st >= 300 && st < 500
}

// excerpt is the start of a body that is not the platform's error
// envelope (a proxy's page, Enhance's plain-text 404), cut at a character.
func excerpt(body []byte) string {
	s := strings.TrimSpace(string(body))
	if len(s) <= excerptLen {
		return s
	}
	i := excerptLen
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i]
}
