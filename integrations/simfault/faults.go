// Package simfault is the fault injection every platform simulator
// offers: failing the next requests with a status (and Retry-After),
// slowing every answer, and losing an answer after the work was done —
// the failures a real panel or gateway shows and a client must survive.
package simfault

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"
)

// Failure is an injected error answer.
type Failure struct {
	Status     int
	RetryAfter time.Duration
}

// SetRetryAfter adds the Retry-After header, in whole seconds, when set.
func (f Failure) SetRetryAfter(w http.ResponseWriter) {
	if f.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int((f.RetryAfter+time.Second-1)/time.Second)))
	}
}

// Faults holds the faults waiting to happen. Embed it in a simulator: its
// FailNext, SetLatency and DropNextResponse become the simulator's.
type Faults struct {
	mu      sync.Mutex
	fails   []Failure
	latency time.Duration
	drops   []func(*http.Request) bool
}

// FailNext makes the next n requests answer status without doing anything;
// retryAfter > 0 adds a Retry-After header.
func (f *Faults) FailNext(n, status int, retryAfter time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := 0; i < n; i++ {
		f.fails = append(f.fails, Failure{Status: status, RetryAfter: retryAfter})
	}
}

// Recover ends an outage: the failures not yet consumed are dropped.
func (f *Faults) Recover() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fails = nil
}

// SetLatency delays every answer by d.
func (f *Faults) SetLatency(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.latency = d
}

// DropNextResponse makes the next state-changing request (not GET or
// HEAD) take effect and then lose its answer, like a timeout after the
// platform did the work.
func (f *Faults) DropNextResponse() {
	f.DropNext(func(r *http.Request) bool { return r.Method != http.MethodGet && r.Method != http.MethodHead })
}

// DropNext loses the answer of the next request match accepts.
func (f *Faults) DropNext(match func(*http.Request) bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.drops = append(f.drops, match)
}

// Wait sleeps the latency; false when the client gave up meanwhile.
func (f *Faults) Wait(r *http.Request) bool {
	f.mu.Lock()
	d := f.latency
	f.mu.Unlock()
	if d <= 0 {
		return true
	}
	select {
	case <-time.After(d):
		return true
	case <-r.Context().Done():
		return false
	}
}

// Take consumes what is due for r: an injected failure to answer instead
// of doing anything (nil when none), or else whether to lose the answer.
func (f *Faults) Take(r *http.Request) (fail *Failure, drop bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.fails) > 0 {
		next := f.fails[0]
		f.fails = f.fails[1:]
		return &next, false
	}
	for i, match := range f.drops {
		if match(r) {
			f.drops = append(f.drops[:i:i], f.drops[i+1:]...)
			return nil, true
		}
	}
	return nil, false
}

// Serve answers r the way the faults due say: an injected failure written
// by fail (after its Retry-After header), the latency, or serve doing the
// work and the answer being lost; else serve answers.
func (f *Faults) Serve(w http.ResponseWriter, r *http.Request, fail func(http.ResponseWriter, Failure), serve http.HandlerFunc) {
	failure, drop := f.Take(r)
	if !f.Wait(r) {
		return
	}
	switch {
	case failure != nil:
		failure.SetRetryAfter(w)
		fail(w, *failure)
	case drop:
		serve(httptest.NewRecorder(), r)
		Lose(w)
	default:
		serve(w, r)
	}
}

// Lose closes the connection without an answer, after the caller did the
// work the request asked for.
func Lose(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			if tc, ok := conn.(*net.TCPConn); ok {
				_ = tc.SetLinger(0)
			}
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler) // net/http closes the connection without a response
}
