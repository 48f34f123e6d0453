package elastiflowsim

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ezscale/ezscale/integrations/simfault"
)

// Flow is one flow record as ElastiFlow's collector writes it. It is the
// same struct type as elastiflow.Flow, the generator's records (both are
// aliases of it), so generated traffic feeds the simulator although
// neither package imports the other. Bytes is already multiplied by
// Sampling, the device's sampling interval (1 = unsampled), as the
// collector stores it.
type Flow = struct {
	Time         time.Time
	SrcIP, DstIP netip.Addr
	Bytes        int64
	Sampling     int64
}

// doc is a stored flow record: addresses interned, time in milliseconds
// (Elasticsearch's date resolution), kept sorted by time so a range filter
// is a binary search.
type doc struct {
	ts       int64
	src, dst int32
	bytes    int64
	sampling int64
}

// Index is the concrete index the simulator holds; the default index
// pattern matches it, like a rollover index of ElastiFlow's CODEX output.
const Index = "elastiflow-flow-codex-2.5-000001"

// Simulator is an in-memory Elasticsearch answering POST /<pattern>/_search
// over flow records, for tests, dev mode and benchmarks. It evaluates the
// query subset the client sends (bool/range/terms/match_all queries;
// filter, composite, terms, date_histogram and sum aggregations; after_key
// paging) and answers 400 with the reason for anything else. It checks
// credentials (ApiKey or Basic; none when both are unset), sets
// X-Elastic-Product on every answer, counts requests and fails on demand
// through the embedded simfault.Faults (FailNext, SetLatency, DropNext)
// and PartialNext.
type Simulator struct {
	mu       sync.Mutex
	apiKey   string
	user     string
	pass     string
	index    string
	fields   Fields
	docs     []doc
	addrs    []netip.Addr
	addrID   map[netip.Addr]int32
	requests int
	evalTime time.Duration
	partial  int
	lastBody []byte

	simfault.Faults
}

// New holds no records, accepts the API key apiKey (empty: no
// credentials needed unless SetBasicAuth) and uses the CODEX field names.
func New(apiKey string) *Simulator {
	return &Simulator{apiKey: apiKey, index: Index, fields: codexFields, addrID: map[netip.Addr]int32{}}
}

// SetBasicAuth makes user/pass a valid login too.
func (s *Simulator) SetBasicAuth(user, pass string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.user, s.pass = user, pass
}

// SetMapping renames the index and its fields, e.g. to ECS.
func (s *Simulator) SetMapping(index string, f Fields) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.index, s.fields = index, f
}

// Add stores flow records, as the collector's bulk writes would; records
// may come late, with any old timestamp. Only the new records are sorted,
// then merged into the stored ones: re-sorting everything on every late
// delivery made feeding day by day quadratic.
func (s *Simulator) Add(flows ...Flow) {
	s.mu.Lock()
	defer s.mu.Unlock()
	added := make([]doc, 0, len(flows))
	for _, f := range flows {
		added = append(added, doc{ts: f.Time.UnixMilli(), src: s.intern(f.SrcIP), dst: s.intern(f.DstIP), bytes: f.Bytes, sampling: f.Sampling})
	}
	slices.SortStableFunc(added, func(a, b doc) int { return cmp.Compare(a.ts, b.ts) })
	if n := len(s.docs); n == 0 || len(added) == 0 || s.docs[n-1].ts <= added[0].ts {
		s.docs = append(s.docs, added...)
		return
	}
	merged := make([]doc, 0, len(s.docs)+len(added))
	i, j := 0, 0
	for i < len(s.docs) && j < len(added) {
		if added[j].ts < s.docs[i].ts {
			merged = append(merged, added[j])
			j++
		} else {
			merged = append(merged, s.docs[i])
			i++
		}
	}
	s.docs = append(append(merged, s.docs[i:]...), added[j:]...)
}

// intern numbers addresses in Elasticsearch's ip form (IPv4-mapped
// addresses are IPv4).
func (s *Simulator) intern(a netip.Addr) int32 {
	a = a.Unmap().WithZone("")
	id, ok := s.addrID[a]
	if !ok {
		id = int32(len(s.addrs))
		s.addrs = append(s.addrs, a)
		s.addrID[a] = id
	}
	return id
}

// Len is the number of stored records.
func (s *Simulator) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.docs)
}

// Requests counts every request received, refused and failed ones included.
func (s *Simulator) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// EvalTime is the time spent parsing, evaluating and rendering searches:
// the simulator's share of a client's wall time.
func (s *Simulator) EvalTime() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.evalTime
}

// LastBody is the body of the last search received.
func (s *Simulator) LastBody() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.lastBody)
}

// PartialNext makes the next n searches answer 200 with timed_out and a
// failed shard, their aggregations missing a third of the records — what
// a search timeout on the cluster looks like.
func (s *Simulator) PartialNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.partial += n
}

// Start serves the simulator on loopback.
func (s *Simulator) Start() (string, func()) {
	ts := httptest.NewServer(s)
	return ts.URL, ts.Close
}

// ServeHTTP implements http.Handler.
func (s *Simulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests++
	s.mu.Unlock()
	// Set on errors too: early v8 clients checked any first answer.
	w.Header().Set("X-Elastic-Product", "Elasticsearch")
	w.Header().Set("Content-Type", "application/json")
	if !s.Wait(r) {
		return
	}
	fail, drop := s.Take(r)
	if fail != nil {
		fail.SetRetryAfter(w)
		typ, reason := "search_phase_execution_exception", "all shards failed"
		switch {
		case fail.Status == http.StatusTooManyRequests:
			typ, reason = "es_rejected_execution_exception", "rejected execution of coordinating operation"
		case fail.Status == http.StatusServiceUnavailable:
			typ, reason = "cluster_block_exception", "blocked by: [SERVICE_UNAVAILABLE/2/no master];"
		}
		writeError(w, fail.Status, typ, reason)
		return
	}
	status, body := s.handle(r)
	if drop {
		simfault.Lose(w)
		return
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `ApiKey, Basic realm="security", charset="UTF-8"`)
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// handle checks credentials and the route, then runs the search.
func (s *Simulator) handle(r *http.Request) (int, []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if reason := s.authFailure(r); reason != "" {
		return errorBody(http.StatusUnauthorized, "security_exception", reason)
	}
	target, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if rest != "_search" || target == "" || (r.Method != http.MethodPost && r.Method != http.MethodGet) {
		return refuse(fmt.Sprintf("the simulator answers only POST /<index>/_search, not %s %s", r.Method, r.URL.Path))
	}
	typed := false
	for k, v := range r.URL.Query() {
		if k != "typed_keys" || len(v) != 1 || (v[0] != "true" && v[0] != "false") {
			return refuse(fmt.Sprintf("the simulator does not support the query parameter %q", k))
		}
		typed = v[0] == "true"
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") && !strings.HasPrefix(ct, "application/vnd.elasticsearch+json") {
		return errorBody(http.StatusNotAcceptable, "media_type_header_exception", fmt.Sprintf("Content-Type header [%s] is not supported", ct))
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(r.Body); err != nil {
		return refuse("reading the body: " + err.Error())
	}
	s.lastBody = buf.Bytes()

	start := time.Now()
	defer func() { s.evalTime += time.Since(start) }()
	matched := false
	for _, pattern := range strings.Split(target, ",") {
		if ok, _ := path.Match(pattern, s.index); ok {
			matched = true
		} else if !strings.ContainsAny(pattern, "*?") {
			return errorBody(http.StatusNotFound, "index_not_found_exception", "no such index ["+pattern+"]")
		}
	}
	if !matched {
		// Elasticsearch answers a wildcard that matches nothing with no
		// shards and no aggregations at all, whatever fields it names
		// (no index's mapping is consulted).
		return http.StatusOK, mustJSON(map[string]any{
			"took": 0, "timed_out": false,
			"_shards": map[string]int{"total": 0, "successful": 0, "skipped": 0, "failed": 0},
			"hits":    map[string]any{"max_score": nil, "hits": []any{}},
		})
	}
	req, err := s.parseSearch(buf.Bytes())
	if err != nil {
		return refuse(err.Error())
	}
	partial := s.partial > 0
	if partial {
		s.partial--
	}
	res, err := s.run(req, typed, partial)
	if err != nil {
		return errorBody(http.StatusBadRequest, "too_many_buckets_exception", err.Error())
	}
	res["took"] = time.Since(start).Milliseconds()
	return http.StatusOK, mustJSON(res)
}

// authFailure is why r's credentials are refused, "" when they are fine.
// The auth scheme is compared case-insensitively: the Go client sends
// "APIKey", Elasticsearch documents "ApiKey".
func (s *Simulator) authFailure(r *http.Request) string {
	if s.apiKey == "" && s.user == "" {
		return ""
	}
	h := r.Header.Get("Authorization")
	if h == "" {
		return "missing authentication credentials for REST request [" + r.URL.Path + "]"
	}
	scheme, cred, _ := strings.Cut(h, " ")
	cred = strings.TrimSpace(cred)
	switch {
	case strings.EqualFold(scheme, "ApiKey") && s.apiKey != "" && cred == s.apiKey:
		return ""
	case strings.EqualFold(scheme, "Basic") && s.user != "":
		if raw, err := base64.StdEncoding.DecodeString(cred); err == nil && string(raw) == s.user+":"+s.pass {
			return ""
		}
		return "unable to authenticate user for REST request [" + r.URL.Path + "]"
	}
	return "unable to authenticate with provided credentials and anonymous access is not allowed for this request"
}

func refuse(reason string) (int, []byte) {
	return errorBody(http.StatusBadRequest, "parsing_exception", "simulator: "+reason)
}

// errorBody is Elasticsearch's error shape (contract §5).
func errorBody(status int, typ, reason string) (int, []byte) {
	cause := map[string]string{"type": typ, "reason": reason}
	return status, mustJSON(map[string]any{
		"error":  map[string]any{"root_cause": []any{cause}, "type": typ, "reason": reason},
		"status": status,
	})
}

func writeError(w http.ResponseWriter, status int, typ, reason string) {
	_, body := errorBody(status, typ, reason)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("elastiflow simulator: encoding an answer: %v", err))
	}
	return b
}
