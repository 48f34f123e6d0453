package elastiflowsim

import (
	"encoding/json"
	"io"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"
)

var (
	june1 = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	june  = func(d, h int) time.Time { return june1.AddDate(0, 0, d-1).Add(time.Duration(h) * time.Hour) }
)

func flow(at time.Time, src, dst string, bytes, sampling int64) Flow {
	return Flow{Time: at, SrcIP: netip.MustParseAddr(src), DstIP: netip.MustParseAddr(dst), Bytes: bytes, Sampling: sampling}
}

// post sends a raw search to the simulator.
func post(t *testing.T, url, path, auth, body string) (int, http.Header, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%d %s: %v", res.StatusCode, raw, err)
	}
	return res.StatusCode, res.Header, out
}

// dig walks nested objects and arrays by key or index.
func dig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			a, _ := v.([]any)
			if k >= len(a) {
				return nil
			}
			v = a[k]
		}
	}
	return v
}

func newServedSim(t *testing.T, apiKey string) (*Simulator, string) {
	sim := New(apiKey)
	sim.Add(
		flow(june(1, 9), "203.0.113.10", "198.51.100.77", 8_000, 1),
		flow(june(1, 10), "203.0.113.10", "198.51.100.77", 1_536_000, 1024),
		flow(june(2, 9), "203.0.113.11", "203.0.113.10", 300, 1),
		flow(june(2, 9), "198.51.100.77", "203.0.113.11", 20, 1),
	)
	url, stop := sim.Start()
	t.Cleanup(stop)
	return sim, url
}

// TestSimulatorContractQuery: the contract's own §4.1 request (terms
// aggregations, no days) is answered in its §4.2 shape, and §4.3's
// typed_keys form when asked.
func TestSimulatorContractQuery(t *testing.T) {
	_, url := newServedSim(t, "")
	body := `{"size":0,"track_total_hits":false,"query":{"bool":{"filter":[
	  {"range":{"@timestamp":{"gte":"2025-06-01T00:00:00Z","lt":"2025-07-01T00:00:00Z"}}},
	  {"bool":{"should":[{"terms":{"flow.src.ip.addr":["203.0.113.10","203.0.113.11"]}},
	    {"terms":{"flow.dst.ip.addr":["203.0.113.10","203.0.113.11"]}}],"minimum_should_match":1}}]}},
	 "aggs":{
	  "out":{"filter":{"terms":{"flow.src.ip.addr":["203.0.113.10","203.0.113.11"]}},
	    "aggs":{"by_ip":{"terms":{"field":"flow.src.ip.addr","size":2},"aggs":{"bytes":{"sum":{"field":"flow.bytes"}}}}}},
	  "in":{"filter":{"terms":{"flow.dst.ip.addr":["203.0.113.10","203.0.113.11"]}},
	    "aggs":{"by_ip":{"terms":{"field":"flow.dst.ip.addr","size":2},"aggs":{"bytes":{"sum":{"field":"flow.bytes"}}}}}}}}`
	status, h, res := post(t, url, "/elastiflow-flow-codex-*/_search", "", body)
	if status != 200 || h.Get("X-Elastic-Product") != "Elasticsearch" {
		t.Fatalf("%d %v %v", status, h, res)
	}
	checks := []struct {
		path []any
		want any
	}{
		{[]any{"aggregations", "out", "doc_count"}, 3.0},
		{[]any{"aggregations", "out", "by_ip", "buckets", 0, "key"}, "203.0.113.10"},
		{[]any{"aggregations", "out", "by_ip", "buckets", 0, "bytes", "value"}, 1_544_000.0},
		{[]any{"aggregations", "out", "by_ip", "buckets", 1, "bytes", "value"}, 300.0},
		{[]any{"aggregations", "out", "by_ip", "sum_other_doc_count"}, 0.0},
		{[]any{"aggregations", "in", "by_ip", "buckets", 0, "key"}, "203.0.113.10"},
		{[]any{"aggregations", "in", "by_ip", "buckets", 1, "bytes", "value"}, 20.0},
		{[]any{"hits", "total"}, nil},
	}
	for _, c := range checks {
		if got := dig(res, c.path...); got != c.want {
			t.Errorf("%v = %v, want %v", c.path, got, c.want)
		}
	}

	_, _, typed := post(t, url, "/elastiflow-flow-codex-%2A/_search?typed_keys=true", "", body)
	if got := dig(typed, "aggregations", "filter#out", "sterms#by_ip", "buckets", 0, "sum#bytes", "value"); got != 1_544_000.0 {
		t.Errorf("typed_keys answer: %v", typed["aggregations"])
	}
}

// TestSimulatorAggregations: composite paging with after, date_histogram
// gaps, terms size and total hits.
func TestSimulatorAggregations(t *testing.T) {
	_, url := newServedSim(t, "")
	composite := func(after string) string {
		return `{"size":0,"query":{"match_all":{}},"aggs":{"c":{"composite":{"size":2,` + after + `"sources":[
		  {"ip":{"terms":{"field":"flow.dst.ip.addr"}}},{"day":{"date_histogram":{"field":"@timestamp","calendar_interval":"1d","time_zone":"UTC"}}}]},
		  "aggs":{"b":{"sum":{"field":"flow.bytes"}}}}}}`
	}
	_, _, p1 := post(t, url, "/elastiflow-*/_search", "", composite(""))
	if got := dig(p1, "hits", "total", "value"); got != 4.0 {
		t.Errorf("hits.total %v", got)
	}
	if got := dig(p1, "aggregations", "c", "buckets", 1, "key", "ip"); got != "203.0.113.10" {
		t.Errorf("page 1: %v", dig(p1, "aggregations", "c"))
	}
	after, _ := json.Marshal(dig(p1, "aggregations", "c", "after_key"))
	_, _, p2 := post(t, url, "/elastiflow-*/_search", "", composite(`"after":`+string(after)+`,`))
	buckets, _ := dig(p2, "aggregations", "c", "buckets").([]any)
	if len(buckets) != 1 || dig(buckets[0], "key", "ip") != "203.0.113.11" || dig(buckets[0], "b", "value") != 20.0 {
		t.Errorf("page 2: %v", buckets)
	}

	_, _, h := post(t, url, "/elastiflow-*/_search", "", `{"size":0,"track_total_hits":true,"aggs":{"d":{"date_histogram":{
	  "field":"@timestamp","fixed_interval":"1d"},"aggs":{"b":{"sum":{"field":"flow.meter.packet_select.interval.packets"}}}}}}`)
	if got := dig(h, "aggregations", "d", "buckets", 1, "key_as_string"); got != "2025-06-02T00:00:00.000Z" {
		t.Errorf("histogram: %v", dig(h, "aggregations", "d"))
	}
	if got := dig(h, "aggregations", "d", "buckets", 0, "b", "value"); got != 1025.0 {
		t.Errorf("sampling sum %v", got)
	}
}

// TestSimulatorRefuses: queries outside the supported subset get 400 with
// the reason, and bad credentials 401.
func TestSimulatorRefuses(t *testing.T) {
	sim, url := newServedSim(t, "a2V5OnNlY3JldA==")
	auth := "ApiKey a2V5OnNlY3JldA=="
	tests := []struct {
		name, path, auth, body string
		status                 int
		want                   string
	}{
		{"match query", "/elastiflow-*/_search", auth, `{"size":0,"query":{"match":{"flow.src.ip.addr":"203.0.113.10"}}}`, 400, "the query [match] is not supported"},
		{"hits asked for", "/elastiflow-*/_search", auth, `{"size":10}`, 400, "size must be 0"},
		{"sort", "/elastiflow-*/_search", auth, `{"size":0,"sort":["@timestamp"]}`, 400, "search option [sort]"},
		{"avg aggregation", "/elastiflow-*/_search", auth, `{"size":0,"aggs":{"a":{"avg":{"field":"flow.bytes"}}}}`, 400, "aggregation type [avg]"},
		{"hourly histogram", "/elastiflow-*/_search", auth, `{"size":0,"aggs":{"a":{"date_histogram":{"field":"@timestamp","calendar_interval":"1h"}}}}`, 400, "one-day interval"},
		{"local time zone", "/elastiflow-*/_search", auth, `{"size":0,"aggs":{"a":{"date_histogram":{"field":"@timestamp","calendar_interval":"1d","time_zone":"Europe/Paris"}}}}`, 400, "time_zone"},
		{"field not in the mapping", "/elastiflow-*/_search", auth, `{"size":0,"query":{"terms":{"source.ip":["203.0.113.10"]}}}`, 400, "not [source.ip]"},
		{"CIDR terms", "/elastiflow-*/_search", auth, `{"size":0,"query":{"terms":{"flow.src.ip.addr":["203.0.113.0/24"]}}}`, 400, "CIDR"},
		{"must_not", "/elastiflow-*/_search", auth, `{"size":0,"query":{"bool":{"must_not":[]}}}`, 400, "bool [must_not]"},
		{"terms on bytes", "/elastiflow-*/_search", auth, `{"size":0,"aggs":{"a":{"terms":{"field":"flow.bytes"}}}}`, 400, "address fields only"},
		{"composite with three sources", "/elastiflow-*/_search", auth, `{"size":0,"aggs":{"a":{"composite":{"sources":[{"a":{"terms":{"field":"flow.src.ip.addr"}}},{"b":{"terms":{"field":"flow.dst.ip.addr"}}},{"c":{"terms":{"field":"flow.dst.ip.addr"}}}]}}}}`, 400, "one or two sources"},
		{"unknown parameter", "/elastiflow-*/_search?scroll=1m", auth, `{"size":0}`, 400, "query parameter \"scroll\""},
		{"other endpoint", "/elastiflow-*/_count", auth, `{}`, 400, "only POST /<index>/_search"},
		{"not JSON", "/elastiflow-*/_search", auth, `size=0`, 400, "not a JSON object"},
		{"wrong key", "/elastiflow-*/_search", "ApiKey d3Jvbmc=", `{"size":0}`, 401, "unable to authenticate"},
		{"no credentials", "/elastiflow-*/_search", "", `{"size":0}`, 401, "missing authentication credentials"},
		{"scheme in any case", "/elastiflow-*/_search", "APIKEY a2V5OnNlY3JldA==", `{"size":0}`, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, h, res := post(t, url, tt.path, tt.auth, tt.body)
			reason, _ := dig(res, "error", "reason").(string)
			if status != tt.status || !strings.Contains(reason, tt.want) || h.Get("X-Elastic-Product") != "Elasticsearch" {
				t.Fatalf("%d %v, want %d %q", status, res, tt.status, tt.want)
			}
			if status == 401 && h.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}
	if sim.Requests() != len(tests) {
		t.Errorf("counted %d requests, sent %d", sim.Requests(), len(tests))
	}
}

// TestSimulatorAddKeepsTimeOrder: late deliveries are merged, not appended.
func TestSimulatorAddKeepsTimeOrder(t *testing.T) {
	sim := New("")
	at := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	a := netip.MustParseAddr("203.0.113.1")
	for _, h := range []int{5, 1, 9, 3, 3, 0} {
		sim.Add(Flow{Time: at.Add(time.Duration(h) * time.Hour), SrcIP: a, DstIP: a, Bytes: int64(h + 1)},
			Flow{Time: at.Add(time.Duration(h*2) * time.Hour), SrcIP: a, DstIP: a, Bytes: 1})
	}
	for i := 1; i < len(sim.docs); i++ {
		if sim.docs[i].ts < sim.docs[i-1].ts {
			t.Fatalf("records out of time order at %d", i)
		}
	}
	if sim.Len() != 12 {
		t.Errorf("%d records, want 12", sim.Len())
	}
}
