package elastiflow

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fuzzServices are the services FuzzUsage asks about: one with three
// addresses (IPv4 and IPv6), one with one.
var fuzzServices = []Service{
	{ID: "svc_a", IPs: []string{"203.0.113.10", "203.0.113.11", "2001:db8::1"}},
	{ID: "svc_b", IPs: []string{"203.0.113.12"}},
}

// fuzzAnswer is a search answer in the shape of the contract's (§4.2,
// §4.4): composite buckets of (address, day) with their byte sums.
func fuzzAnswer(out, in string) []byte {
	return []byte(`{"took": 41, "timed_out": false,
 "_shards": {"total": 3, "successful": 3, "skipped": 0, "failed": 0},
 "hits": {"max_score": null, "hits": []},
 "aggregations": {
  "out": {"doc_count": 182344, "by_ip": {"after_key": null, "buckets": [` + out + `]}},
  "in": {"doc_count": 90211, "by_ip": {"buckets": [` + in + `]}}}}`)
}

func fuzzBucket(ip string, day int, bytes string) string {
	ms := june1.AddDate(0, 0, day-1).UnixMilli()
	return fmt.Sprintf(`{"key": {"ip": %q, "day": %d}, "doc_count": 1, "bytes": {"value": %s}}`, ip, ms, bytes)
}

// FuzzUsage serves any answer to a search and checks what Usage makes of
// it: an error, or rows only for the services asked about, on days of the
// window, with byte counts that are never negative (a sum past int64 must
// be refused, not wrap).
func FuzzUsage(f *testing.F) {
	var mu sync.Mutex
	var answer []byte
	var status int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.Header().Set("X-Elastic-Product", "Elasticsearch")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(answer)
	}))
	f.Cleanup(srv.Close)
	c, err := New(Config{URL: srv.URL, MaxRetries: -1, Timeout: 5 * time.Second})
	if err != nil {
		f.Fatal(err)
	}
	from, to := june1, june(4, 0)

	f.Add(fuzzAnswer(
		fuzzBucket("203.0.113.10", 1, "8.42219712E9")+","+fuzzBucket("203.0.113.11", 1, "1.1020288E8")+","+fuzzBucket("203.0.113.12", 3, "0"),
		fuzzBucket("203.0.113.10", 2, "5.24288E8")+","+fuzzBucket("2001:db8::1", 2, "1.2582912E7")), uint16(200))
	f.Add(fuzzAnswer(
		fuzzBucket("203.0.113.10", 1, "4e18")+","+fuzzBucket("203.0.113.11", 1, "4e18")+","+fuzzBucket("2001:db8::1", 1, "4e18"),
		fuzzBucket("::ffff:203.0.113.12", 3, "12.5")), uint16(200))
	f.Add(fuzzAnswer(fuzzBucket("198.51.100.1", 1, "1"), ""), uint16(200))
	f.Add(fuzzAnswer(fuzzBucket("203.0.113.10", 9, "1"), fuzzBucket("203.0.113.10", 1, "-1")), uint16(200))
	f.Add([]byte(`{"timed_out": true, "_shards": {"total": 3, "failed": 1}}`), uint16(200))
	f.Add([]byte(`{"_shards": {"total": 0}}`), uint16(200))
	f.Add([]byte(`{"error": {"type": "index_not_found_exception", "reason": "no such index"}}`), uint16(404))
	f.Add([]byte(`{"error": {"type": "es_rejected_execution_exception"}}`), uint16(429))
	f.Fuzz(func(t *testing.T, body []byte, code uint16) {
		mu.Lock()
		answer, status = body, int(code)
		if status < 200 || status > 599 {
			status = http.StatusOK
		}
		mu.Unlock()
		rows, _, err := c.Usage(context.Background(), fuzzServices, from, to)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "elastiflow: ") && !errors.Is(err, ErrUnavailable) {
				t.Fatalf("error %q does not say it is ElastiFlow's", err)
			}
			return
		}
		for _, u := range rows {
			day, perr := time.Parse(time.DateOnly, u.Day)
			switch {
			case u.ServiceID != "svc_a" && u.ServiceID != "svc_b":
				t.Fatalf("row for a service not asked about: %+v", u)
			case perr != nil || day.Before(from) || !day.Before(to):
				t.Fatalf("row for a day outside the window: %+v", u)
			case u.BytesIn < 0 || u.BytesOut < 0:
				t.Fatalf("negative byte count: %+v", u)
			}
		}
	})
}

// TestUsageRefusesByteSumOverflow is what FuzzUsage found: three addresses
// of one service each sending 4e18 bytes on a day summed past int64 and
// wrapped to a negative count, which would have billed a credit.
func TestUsageRefusesByteSumOverflow(t *testing.T) {
	answer := fuzzAnswer(
		fuzzBucket("203.0.113.10", 1, "4e18")+","+fuzzBucket("203.0.113.11", 1, "4e18")+","+fuzzBucket("2001:db8::1", 1, "4e18"), "")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Elastic-Product", "Elasticsearch")
		_, _ = w.Write(answer)
	}))
	t.Cleanup(srv.Close)
	c, err := New(Config{URL: srv.URL, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	rows, _, err := c.Usage(context.Background(), fuzzServices, june1, june(4, 0))
	if err == nil || !strings.Contains(err.Error(), "overflows") {
		t.Fatalf("Usage = %+v, %v; want the byte sum refused as overflowing", rows, err)
	}
}
