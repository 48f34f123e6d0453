// Package requestlog keeps the request log useful and bounded under a
// flood: refused requests are counted and summarised once a minute instead
// of written one row each, and the log database is held under a size cap.
package requestlog

import (
	"cmp"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// maxGroups bounds the memory of a minute's counts: past this many
// distinct (answer, address, route) groups (a flood from many addresses,
// or over made-up paths), a new one is counted in its answer's group of
// any address and route, "*".
const maxGroups = 1000

// anyOne stands for every address or route of an overflow group.
const anyOne = "*"

// summaryGroups is how many of the largest groups a summary names.
const summaryGroups = 20

// storeKey is where an app keeps its Refusals.
const storeKey = "ezRefusals"

// Group is one kind of refusal: the answer, the client address and the route.
type Group struct {
	Status int    `json:"status"`
	IP     string `json:"ip"`
	Route  string `json:"route"`
	Count  int64  `json:"count"`
}

// Summary is what was refused between From and To: the largest groups, and
// the count of the refusals in the groups it does not name.
type Summary struct {
	From   time.Time `json:"from"`
	To     time.Time `json:"to"`
	Total  int64     `json:"total"`
	Groups []Group   `json:"groups"`
	Others int64     `json:"others"`
}

// Refusals counts refused requests between two summaries, and by answer
// since the process started.
type Refusals struct {
	mu     sync.Mutex
	since  time.Time
	counts map[Group]int64 // keys have Count 0
	totals map[int]int64   // by status since the start
	start  time.Time
}

// For is the app's counter, made on first use.
func For(app core.App) *Refusals {
	return app.Store().GetOrSet(storeKey, func() any {
		now := time.Now().UTC()
		return &Refusals{since: now, start: now, counts: map[Group]int64{}, totals: map[int]int64{}}
	}).(*Refusals)
}

// Refused reports whether an answer is a cheap refusal that is counted
// rather than logged: 429 (a rate limit, or a throttle of ours), and 401
// or 403 outside sign-in routes. These cost a client nothing to provoke
// by the thousand and one row each says nothing the count does not.
// Failed sign-ins (400, or 401 asking for a second factor) stay logged one
// by one: they are security events, and the auth rate limit bounds them.
func Refused(status int, route string) bool {
	switch status {
	case http.StatusTooManyRequests:
		return true
	case http.StatusUnauthorized, http.StatusForbidden:
		return !signInRoute(route)
	}
	return false
}

// signInRoute is a route that signs someone in or sends them a code:
// PocketBase's auth routes (passwords, codes, staff passkeys) and ours
// under /api/auth/ (customer passkeys).
func signInRoute(route string) bool {
	return strings.Contains(route, "/auth-with-") || strings.Contains(route, "/request-otp") ||
		strings.Contains(route, "/auth-refresh") || strings.Contains(route, "/impersonate/") ||
		strings.Contains(route, " /api/auth/")
}

// Add counts one refusal.
func (r *Refusals) Add(status int, ip, route string) {
	key := Group{Status: status, IP: ip, Route: route}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.totals[status]++
	if _, ok := r.counts[key]; !ok && len(r.counts) >= maxGroups {
		key = Group{Status: status, IP: anyOne, Route: anyOne}
	}
	r.counts[key]++
}

// Summarize returns what was refused since the last summary and starts
// counting afresh.
func (r *Refusals) Summarize(now time.Time) Summary {
	r.mu.Lock()
	counts, since := r.counts, r.since
	r.counts, r.since = map[Group]int64{}, now.UTC()
	r.mu.Unlock()
	return summarize(counts, since, now)
}

// Current is what was refused since the last summary, without resetting.
func (r *Refusals) Current(now time.Time) Summary {
	r.mu.Lock()
	defer r.mu.Unlock()
	return summarize(maps.Clone(r.counts), r.since, now)
}

// Totals are the refusals by answer since the process started, and when it did.
func (r *Refusals) Totals() (map[int]int64, time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return maps.Clone(r.totals), r.start
}

func summarize(counts map[Group]int64, from, to time.Time) Summary {
	s := Summary{From: from, To: to.UTC(), Groups: []Group{}}
	for g, n := range counts {
		g.Count = n
		s.Groups = append(s.Groups, g)
		s.Total += n
	}
	slices.SortFunc(s.Groups, func(a, b Group) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Status, b.Status),
			cmp.Compare(a.Route, b.Route), cmp.Compare(a.IP, b.IP))
	})
	if len(s.Groups) > summaryGroups {
		for _, g := range s.Groups[summaryGroups:] {
			s.Others += g.Count
		}
		s.Groups = s.Groups[:summaryGroups]
	}
	return s
}

// Log writes the summary as one WARN entry of the log database (kept at
// the production level), nothing when nothing was refused. The message
// names the largest group so the logs list reads on its own, e.g.
// "12840 requests refused in 60s; largest: 12800 × 429 from 203.0.113.9 on GET /api/collections/services/records".
func (s Summary) Log(logger *slog.Logger) {
	if s.Total == 0 {
		return
	}
	msg := fmt.Sprintf("%d requests refused in %s", s.Total, s.To.Sub(s.From).Round(time.Second))
	if len(s.Groups) > 0 {
		g := s.Groups[0]
		msg += fmt.Sprintf("; largest: %d × %d from %s on %s", g.Count, g.Status, g.IP, g.Route)
	}
	logger.Warn(msg, "type", "refusals", "total", s.Total, "from", s.From, "to", s.To,
		"groups", s.Groups, "others", s.Others)
}
