package elastiflow

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/ezscale/integrations/elastiflow/elastiflowsim"
	"github.com/ezscale/ezscale/internal/config"
)

var (
	june1 = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	june  = func(d, h int) time.Time { return june1.AddDate(0, 0, d-1).Add(time.Duration(h) * time.Hour) }
)

// newTestClient serves sim and builds a client on it with fast retries.
func newTestClient(t *testing.T, sim *elastiflowsim.Simulator, cfg Config) *Client {
	t.Helper()
	url, stop := sim.Start()
	t.Cleanup(stop)
	cfg.URL = url
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.backoff = func(int) time.Duration { return time.Millisecond }
	return c
}

func flow(at time.Time, src, dst string, bytes, sampling int64) Flow {
	return Flow{Time: at, SrcIP: netip.MustParseAddr(src), DstIP: netip.MustParseAddr(dst), Bytes: bytes, Sampling: sampling}
}

func diffUsage(t *testing.T, got, want []DayUsage) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d rows, want %d", len(got), len(want))
	}
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			t.Fatalf("row %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// TestUsageMatchesGenerator: exact totals per service and day against the
// generator's own accounting, before and after late records arrive, for
// several page sizes, windows, mappings and logins.
func TestUsageMatchesGenerator(t *testing.T) {
	ds := Generate(GenConfig{Services: 60, Flows: 30000, Late: 3000, From: june1, To: june(11, 0), Seed: 7})
	if ds.Sampled == 0 || ds.Inter == 0 {
		t.Fatalf("the dataset lacks sampled (%d) or inter-service (%d) records", ds.Sampled, ds.Inter)
	}
	tests := []struct {
		name     string
		page     int
		from, to time.Time
		ecs      bool
		basic    bool
	}{
		{"whole range, default page", 0, june1, june(11, 0), false, false},
		{"whole range, 7 per page", 7, june1, june(11, 0), false, false},
		{"one page per service", 1, june1, june(11, 0), false, false},
		{"days 3 to 5", 25, june(3, 0), june(6, 0), false, false},
		{"one hour", 10, june(2, 13), june(2, 14), false, false},
		{"across midnight", 10, june(4, 22), june(5, 2), false, false},
		{"ECS mapping, basic auth", 20, june1, june(11, 0), true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := elastiflowsim.New("a2V5aWQ6c2VjcmV0")
			cfg := Config{APIKey: "a2V5aWQ6c2VjcmV0", PageSize: tt.page}
			if tt.ecs {
				sim.SetMapping("elastiflow-flow-ecs-2.5-000001", elastiflowsim.Fields(ECSFields()))
				cfg.Index, cfg.Fields = "elastiflow-flow-ecs-*", ECSFields()
			}
			if tt.basic {
				sim.SetBasicAuth("billing", "s3cret")
				cfg.APIKey, cfg.Username, cfg.Password = "", "billing", "s3cret"
			}
			c := newTestClient(t, sim, cfg)
			sim.Add(ds.Flows...)
			page := cmpOr(tt.page, DefaultPageSize)

			got, st, err := c.Usage(context.Background(), ds.Services, tt.from, tt.to)
			if err != nil {
				t.Fatal(err)
			}
			want := ds.Expected(tt.from, tt.to, false)
			if len(want) == 0 {
				t.Fatal("nothing expected: the case tests nothing")
			}
			diffUsage(t, got, want)
			if n := ceilDiv(len(ds.Services), page); st.Requests != n || st.Pages != n {
				t.Errorf("stats %+v, want %d requests and pages", st, n)
			}

			sim.Add(ds.Late...)
			got, _, err = c.Usage(context.Background(), ds.Services, tt.from, tt.to)
			if err != nil {
				t.Fatal(err)
			}
			diffUsage(t, got, ds.Expected(tt.from, tt.to, true))
		})
	}
}

func cmpOr(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// TestUsageCounting: sampling, inter-service traffic, IPv6 and address
// forms, each on records small enough to add up by hand.
func TestUsageCounting(t *testing.T) {
	a := Service{ID: "a", IPs: []string{"203.0.113.10", "2001:DB8:0:0:0:0:0:A"}}
	b := Service{ID: "b", IPs: []string{"203.0.113.20"}}
	c := Service{ID: "c", IPs: []string{"2001:db8::c"}}
	tests := []struct {
		name  string
		flows []Flow
		want  []DayUsage
	}{
		{"sampled record summed as stored, not scaled again", []Flow{
			flow(june(1, 9), "203.0.113.10", "198.51.100.77", 1_536_000, 1024),
			flow(june(1, 10), "198.51.100.77", "203.0.113.10", 64, 1),
		}, []DayUsage{{ServiceID: "a", Day: "2025-06-01", BytesIn: 64, BytesOut: 1_536_000}}},
		{"between two services: out for one, in for the other", []Flow{
			flow(june(2, 1), "203.0.113.10", "203.0.113.20", 1000, 1),
			flow(june(2, 2), "203.0.113.20", "203.0.113.10", 30, 1),
		}, []DayUsage{
			{ServiceID: "a", Day: "2025-06-02", BytesIn: 30, BytesOut: 1000},
			{ServiceID: "b", Day: "2025-06-02", BytesIn: 1000, BytesOut: 30},
		}},
		{"between two addresses of one service: out and in", []Flow{
			flow(june(3, 1), "203.0.113.10", "2001:db8::a", 500, 1),
		}, []DayUsage{{ServiceID: "a", Day: "2025-06-03", BytesIn: 500, BytesOut: 500}}},
		{"IPv6, written in any form", []Flow{
			flow(june(4, 1), "2001:db8::a", "2001:db8:ffff::1", 700, 1),
			flow(june(4, 2), "2001:db8:ffff::1", "2001:db8::c", 9, 1),
			flow(june(4, 3), "2001:db8::c", "2001:db8::a", 11, 1),
		}, []DayUsage{
			{ServiceID: "a", Day: "2025-06-04", BytesIn: 11, BytesOut: 700},
			{ServiceID: "c", Day: "2025-06-04", BytesIn: 9, BytesOut: 11},
		}},
		{"IPv4-mapped IPv6 on the record is the IPv4 address", []Flow{
			flow(june(5, 1), "::ffff:203.0.113.20", "192.0.2.1", 42, 1),
		}, []DayUsage{{ServiceID: "b", Day: "2025-06-05", BytesOut: 42}}},
		{"days split at UTC midnight; outside the window ignored", []Flow{
			flow(june(6, 0).Add(-time.Millisecond), "203.0.113.20", "192.0.2.1", 1, 1),
			flow(june(6, 0), "203.0.113.20", "192.0.2.1", 2, 1),
			flow(june(31, 0), "203.0.113.20", "192.0.2.1", 4, 1),
			flow(june1.Add(-time.Millisecond), "203.0.113.20", "192.0.2.1", 8, 1),
		}, []DayUsage{
			{ServiceID: "b", Day: "2025-06-05", BytesOut: 1},
			{ServiceID: "b", Day: "2025-06-06", BytesOut: 2},
		}},
		{"no traffic: no rows", nil, []DayUsage{}},
	}
	for _, tt := range tests {
		for _, page := range []int{1, 100} {
			t.Run(tt.name, func(t *testing.T) {
				sim := elastiflowsim.New("")
				sim.Add(tt.flows...)
				cl := newTestClient(t, sim, Config{PageSize: page})
				got, _, err := cl.Usage(context.Background(), []Service{a, b, c}, june1, june(31, 0))
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, tt.want) {
					t.Errorf("page size %d: got %+v, want %+v", page, got, tt.want)
				}
			})
		}
	}
}

// TestUsagePaging: the paging unit is services — ceil(services with an
// address / page size) requests — and a page whose (address, day) buckets
// overflow one composite page continues with after_key.
func TestUsagePaging(t *testing.T) {
	ds := Generate(GenConfig{Services: 45, Flows: 8000, From: june1, To: june(8, 0), Seed: 3})
	services := append(ds.Services, Service{ID: "no-address"})
	tests := []struct {
		name          string
		page, compose int
		requests      int
	}{
		{"one request per page of 10", 10, maxCompositeSize, 5},
		{"one page holds all", 500, maxCompositeSize, 1},
		{"buckets overflow: after_key pages", 10, 25, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := elastiflowsim.New("")
			sim.Add(ds.Flows...)
			c := newTestClient(t, sim, Config{PageSize: tt.page})
			c.compositeSize = tt.compose
			got, st, err := c.Usage(context.Background(), services, june1, june(8, 0))
			if err != nil {
				t.Fatal(err)
			}
			diffUsage(t, got, ds.Expected(june1, june(8, 0), false))
			if st.Requests != st.Pages || st.Requests != sim.Requests() {
				t.Errorf("stats %+v, simulator saw %d", st, sim.Requests())
			}
			switch {
			case tt.requests > 0 && st.Requests != tt.requests:
				t.Errorf("%d requests, want %d", st.Requests, tt.requests)
			case tt.requests == 0 && st.Requests <= ceilDiv(len(ds.Services), tt.page):
				t.Errorf("%d requests: the overflowing pages were not continued", st.Requests)
			}
		})
	}
}

// TestUsageUnavailable: outages are retried, then reported as
// ErrUnavailable — never as zero usage.
func TestUsageUnavailable(t *testing.T) {
	services := []Service{{ID: "a", IPs: []string{"203.0.113.10"}}}
	tests := []struct {
		name     string
		fault    func(*elastiflowsim.Simulator)
		cfg      Config
		requests int
		ok       bool
	}{
		{"503 on every attempt", func(s *elastiflowsim.Simulator) { s.FailNext(10, 503, 0) }, Config{MaxRetries: 2}, 3, false},
		{"500 on every attempt", func(s *elastiflowsim.Simulator) { s.FailNext(10, 500, 0) }, Config{}, DefaultMaxRetries + 1, false},
		{"429 on every attempt", func(s *elastiflowsim.Simulator) { s.FailNext(10, 429, 0) }, Config{MaxRetries: 1}, 2, false},
		{"answers slower than the timeout", func(s *elastiflowsim.Simulator) { s.SetLatency(300 * time.Millisecond) },
			Config{MaxRetries: 1, Timeout: 50 * time.Millisecond}, 2, false},
		{"search timed out on the cluster (partial answer)", func(s *elastiflowsim.Simulator) { s.PartialNext(10) }, Config{MaxRetries: 2}, 3, false},
		{"connection lost", func(s *elastiflowsim.Simulator) {
			s.DropNext(func(*http.Request) bool { return true })
			s.DropNext(func(*http.Request) bool { return true })
		},
			Config{MaxRetries: 1}, 2, false},
		{"no retries", func(s *elastiflowsim.Simulator) { s.FailNext(1, 502, 0) }, Config{MaxRetries: -1}, 1, false},
		{"two failures, then an answer", func(s *elastiflowsim.Simulator) { s.FailNext(2, 503, 0) }, Config{MaxRetries: 2}, 3, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := elastiflowsim.New("")
			sim.Add(flow(june(1, 1), "203.0.113.10", "192.0.2.1", 5, 1))
			c := newTestClient(t, sim, tt.cfg)
			tt.fault(sim)
			got, st, err := c.Usage(context.Background(), services, june1, june(2, 0))
			if st.Requests != tt.requests {
				t.Errorf("%d requests, want %d", st.Requests, tt.requests)
			}
			if tt.ok {
				if err != nil || len(got) != 1 || got[0].BytesOut != 5 {
					t.Fatalf("got %+v, %v", got, err)
				}
				return
			}
			if !errors.Is(err, ErrUnavailable) || got != nil {
				t.Fatalf("got %+v, %v; want ErrUnavailable", got, err)
			}
		})
	}

	t.Run("fails on a later page", func(t *testing.T) {
		sim := elastiflowsim.New("")
		c := newTestClient(t, sim, Config{PageSize: 1, MaxRetries: 1})
		two := append(services, Service{ID: "b", IPs: []string{"203.0.113.11"}})
		if _, _, err := c.Usage(context.Background(), two, june1, june(2, 0)); err != nil {
			t.Fatal(err)
		}
		sim.FailNext(2, 503, 0)
		sim.Add(flow(june(1, 1), "203.0.113.10", "192.0.2.1", 5, 1))
		// the first page (a) fails twice: ErrUnavailable, nothing returned
		if got, _, err := c.Usage(context.Background(), two, june1, june(2, 0)); !errors.Is(err, ErrUnavailable) || got != nil {
			t.Fatalf("got %+v, %v", got, err)
		}
	})

	t.Run("caller cancels", func(t *testing.T) {
		sim := elastiflowsim.New("")
		sim.SetLatency(time.Second)
		c := newTestClient(t, sim, Config{})
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		if _, _, err := c.Usage(ctx, services, june1, june(2, 0)); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("got %v", err)
		}
	})
}

// TestUsageRefused: credentials, queries and answers that are wrong fail
// at once (no retry) with the reason, and never as ErrUnavailable.
func TestUsageRefused(t *testing.T) {
	services := []Service{{ID: "a", IPs: []string{"203.0.113.10"}}}
	tests := []struct {
		name    string
		sim     func() *elastiflowsim.Simulator
		cfg     Config
		handler http.Handler // instead of the simulator
		want    string
	}{
		{"wrong API key", func() *elastiflowsim.Simulator { return elastiflowsim.New("right") }, Config{APIKey: "wrong"}, nil, "401 security_exception"},
		{"no credentials", func() *elastiflowsim.Simulator { return elastiflowsim.New("right") }, Config{}, nil, "401 security_exception: missing authentication"},
		{"wrong password", func() *elastiflowsim.Simulator { s := elastiflowsim.New(""); s.SetBasicAuth("u", "p"); return s },
			Config{Username: "u", Password: "x"}, nil, "401"},
		{"index pattern matching nothing", func() *elastiflowsim.Simulator { return elastiflowsim.New("") },
			Config{Index: "elastiflow-flow-ecs-*"}, nil, "matches no index"},
		{"missing concrete index", func() *elastiflowsim.Simulator { return elastiflowsim.New("") },
			Config{Index: "flows"}, nil, "404 index_not_found_exception"},
		{"fields not in the mapping", func() *elastiflowsim.Simulator { return elastiflowsim.New("") },
			Config{Fields: ECSFields()}, nil, "400 parsing_exception"},
		{"not Elasticsearch", nil, Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"took":1,"timed_out":false,"_shards":{"total":1,"successful":1,"failed":0},"aggregations":{}}`))
		}), "not Elasticsearch"},
		{"answer without the aggregations", nil, Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Elastic-Product", "Elasticsearch")
			_, _ = w.Write([]byte(`{"took":1,"timed_out":false,"_shards":{"total":1,"successful":1,"failed":0},"aggregations":{}}`))
		}), "no \"out.by_ip\" aggregation"},
		{"bucket for an address not asked for", nil, Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Elastic-Product", "Elasticsearch")
			_, _ = w.Write([]byte(`{"timed_out":false,"_shards":{"total":1,"successful":1,"failed":0},"aggregations":{
				"out":{"doc_count":1,"by_ip":{"buckets":[{"key":{"ip":"192.0.2.9","day":1748736000000},"doc_count":1,"bytes":{"value":5}}]}},
				"in":{"doc_count":0,"by_ip":{"buckets":[]}}}}`))
		}), "not asked for"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var url string
			var requests func() int
			if tt.handler != nil {
				n := 0
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { n++; tt.handler.ServeHTTP(w, r) }))
				t.Cleanup(srv.Close)
				url, requests = srv.URL, func() int { return n }
			} else {
				sim := tt.sim()
				var stop func()
				url, stop = sim.Start()
				t.Cleanup(stop)
				requests = sim.Requests
			}
			cfg := tt.cfg
			cfg.URL = url
			c, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			got, _, err := c.Usage(context.Background(), services, june1, june(2, 0))
			if err == nil || !strings.Contains(err.Error(), tt.want) || errors.Is(err, ErrUnavailable) || got != nil {
				t.Fatalf("got %+v, %v; want an error with %q", got, err, tt.want)
			}
			if requests() != 1 {
				t.Errorf("%d requests: a refusal was retried", requests())
			}
		})
	}
}

// TestUsageBadInput: what Usage and New refuse before sending anything.
func TestUsageBadInput(t *testing.T) {
	sim := elastiflowsim.New("")
	c := newTestClient(t, sim, Config{})
	tests := []struct {
		name     string
		services []Service
		from, to time.Time
		want     string
	}{
		{"empty window", nil, june(2, 0), june(2, 0), "is empty"},
		{"reversed window", nil, june(3, 0), june(2, 0), "is empty"},
		{"bad address", []Service{{ID: "a", IPs: []string{"203.0.113.300"}}}, june1, june(2, 0), `service a: address "203.0.113.300"`},
		{"CIDR is not an address", []Service{{ID: "a", IPs: []string{"203.0.113.0/24"}}}, june1, june(2, 0), "service a"},
		{"address of two services", []Service{{ID: "a", IPs: []string{"2001:db8::1"}}, {ID: "b", IPs: []string{"2001:DB8::0:1"}}},
			june1, june(2, 0), "2001:db8::1 belongs to both service a and service b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := c.Usage(context.Background(), tt.services, tt.from, tt.to); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
		})
	}
	if sim.Requests() != 0 {
		t.Errorf("%d requests sent for bad input", sim.Requests())
	}
	if got, st, err := c.Usage(context.Background(), nil, june1, june(2, 0)); err != nil || len(got) != 0 || st.Requests != 0 {
		t.Errorf("no services: %+v %+v %v", got, st, err)
	}
	for _, cfg := range []Config{{}, {URL: "http://127.0.0.1:1", PageSize: -1}, {URL: "http://127.0.0.1:1", PageSize: MaxPageSize + 1}} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
}

func TestFromConfig(t *testing.T) {
	if c, err := FromConfig(config.Elastiflow{}); c != nil || err != nil {
		t.Errorf("no URL: %v %v", c, err)
	}
	sim := elastiflowsim.New("aWQ6a2V5")
	sim.Add(flow(june(1, 1), "192.0.2.1", "203.0.113.10", 77, 1))
	url, stop := sim.Start()
	defer stop()
	c, err := FromConfig(config.Elastiflow{URL: url, APIKey: "aWQ6a2V5", Index: DefaultIndex, PageSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := c.Usage(context.Background(), []Service{{ID: "a", IPs: []string{"203.0.113.10"}}}, june1, june(2, 0))
	if err != nil || len(got) != 1 || got[0].BytesIn != 77 {
		t.Fatalf("got %+v, %v", got, err)
	}
}
