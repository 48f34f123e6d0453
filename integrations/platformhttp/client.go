// Package platformhttp is the HTTP layer the platform drivers share: it
// sends one JSON request, reads the answer and turns a failed call into
// what the provisioning queue acts on (provisioning.ErrNotFound, or a
// *provisioning.Error that fails the job at once or is retried, after
// Retry-After on a 429). A driver keeps only its platform's own ways: how
// it authenticates, and the envelope its data and errors come in.
//
// It is a package of its own rather than a file of provisioning because it
// is the drivers' transport, not the queue: provisioning stays the queue,
// its workers and the Provisioner interface, and this layer is tested on
// its own, without an app.
package platformhttp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/ezscale/ezscale/integrations/provisioning"
)

// maxAnswer bounds how much of an answer is read, so a runaway body cannot
// fill the memory; the largest page a driver asks for is far below it.
const maxAnswer = 8 << 20

// Client sends one platform's requests.
type Client struct {
	// Platform names the platform first in every error message.
	Platform string
	// HTTP sends the requests; its Timeout bounds each call.
	HTTP *http.Client
	// NotFound is how a 404 is reported.
	NotFound NotFound
	// ConflictMeansExists is for a platform whose 409 says "already
	// exists" (Enhance): sending the call again cannot change that, so it
	// fails at once. Elsewhere a 409 is a state the server passes through
	// (installing, transferring) and is retried.
	ConflictMeansExists bool
	// DefaultRetryAfter is the wait after a 429 whose Retry-After asks for
	// none: the platform's rate-limit window.
	DefaultRetryAfter time.Duration
	// Detail reads the platform's error envelope: the words a failed
	// answer's message ends with, or "" when the body holds none.
	Detail func(body []byte) string
	// Hints tell staff what to check after a status, e.g. which key.
	Hints map[int]string
}

// Request is one call to the platform.
type Request struct {
	Method string
	// URL is the whole address, with the query and any credential in it.
	URL string
	// Path names the call in error messages, so it never holds a credential.
	Path string
	// Header carries the platform's authentication and Accept.
	Header http.Header
	// Body, when not nil, is sent as JSON.
	Body any
}

// call is how messages name the request: "POST /servers".
func (r Request) call() string { return r.Method + " " + r.Path }

// Answer is what the platform answered, whatever its status.
type Answer struct {
	Status int
	Header http.Header
	Body   []byte
}

// OK reports a 2xx answer.
func (a *Answer) OK() bool { return a.Status >= 200 && a.Status < 300 }

// Do sends req and decodes a 2xx answer's JSON into out. Any other answer
// is a failure, as Failure says, in the words Detail reads from the body.
func (c *Client) Do(ctx context.Context, req Request, out any) error {
	a, err := c.Send(ctx, req)
	if err != nil {
		return err
	}
	if !a.OK() {
		detail := ""
		if c.Detail != nil {
			detail = c.Detail(a.Body)
		}
		return c.Failure(req, a, detail)
	}
	return c.Decode(req, a, a.Body, out)
}

// Send sends req and reads the answer. A request that cannot be built
// fails at once. One that gets no answer (a timeout, a refused or dropped
// connection) is retried: the platform may have carried it out, and every
// create first looks for what an earlier attempt built, so a retry never
// builds twice.
func (c *Client) Send(ctx context.Context, req Request) (*Answer, error) {
	var body io.Reader
	if req.Body != nil {
		b, err := json.Marshal(req.Body)
		if err != nil {
			return nil, &provisioning.Error{Permanent: true, Message: c.message(req, "encode request: "+err.Error())}
		}
		body = bytes.NewReader(b)
	}
	hr, err := http.NewRequestWithContext(ctx, req.Method, req.URL, body)
	if err != nil {
		return nil, &provisioning.Error{Permanent: true, Message: c.message(req, withoutURL(err).Error())}
	}
	if req.Header != nil {
		hr.Header = req.Header.Clone()
	}
	if body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.HTTP.Do(hr)
	if err != nil {
		return nil, &provisioning.Error{Message: c.message(req, withoutURL(err).Error())}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return nil, &provisioning.Error{Status: resp.StatusCode, Message: c.message(req, "read response: "+err.Error())}
	}
	return &Answer{Status: resp.StatusCode, Header: resp.Header, Body: raw}, nil
}

// Decode decodes data, JSON from a successful answer, into out; an empty
// body or a nil out is nothing to decode. Data that does not decode is
// retried: a proxy's error page or a panel mid-upgrade can answer 2xx with
// a body that is not the API's.
func (c *Client) Decode(req Request, a *Answer, data []byte, out any) error {
	if out == nil || len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return &provisioning.Error{Status: a.Status, Message: c.message(req, "decode response: "+err.Error())}
	}
	return nil
}

// message names the platform and the call, then what happened.
func (c *Client) message(req Request, what string) string {
	return c.Platform + ": " + req.call() + ": " + what
}

// withoutURL drops the address net/http puts in its errors: messages name
// the call instead, and an address can carry a credential (SynergyCP's key).
func withoutURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
