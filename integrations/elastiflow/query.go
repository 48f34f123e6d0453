package elastiflow

import (
	"encoding/json"
	"time"
)

// Elasticsearch limits the requests stay under (their defaults).
const (
	// maxTermsCount is index.max_terms_count: values in one terms query.
	maxTermsCount = 65536
	// maxBuckets is search.max_buckets; a request carries two composite
	// aggregations (out and in), each at most maxCompositeSize buckets.
	maxBuckets       = 65536
	maxCompositeSize = (maxBuckets - 2) / 2 / 1000 * 1000 // 32,000
)

// side is one direction of a service's traffic: the field its addresses
// are matched on. Out = records whose source is the service, in = records
// whose destination is (contract §2).
type side struct {
	name  string // the aggregation's name: "out" or "in"
	field string // SrcIP or DstIP
}

// page is what one search request asks for one side: the composite
// aggregation's size and, after the first page, the after_key to resume at.
type page struct {
	side  side
	size  int
	after json.RawMessage
}

// searchBody is one request over a batch of addresses (contract §4.1 with
// §4.4's composite paging): the records in [from, to) from or to the
// batch, and per side a composite aggregation keyed by (address, UTC day)
// summing the bytes.
func (c *Client) searchBody(ips []string, from, to time.Time, pages []page) ([]byte, error) {
	f := c.fields
	aggs := map[string]any{}
	for _, p := range pages {
		composite := map[string]any{
			"size": p.size,
			"sources": []any{
				map[string]any{"ip": map[string]any{"terms": map[string]any{"field": p.side.field}}},
				map[string]any{"day": map[string]any{"date_histogram": map[string]any{
					"field": f.Timestamp, "calendar_interval": "1d", "time_zone": "UTC",
				}}},
			},
		}
		if p.after != nil {
			composite["after"] = p.after
		}
		aggs[p.side.name] = map[string]any{
			"filter": terms(p.side.field, ips),
			"aggs": map[string]any{"by_ip": map[string]any{
				"composite": composite,
				"aggs":      map[string]any{"bytes": map[string]any{"sum": map[string]any{"field": f.Bytes}}},
			}},
		}
	}
	return json.Marshal(map[string]any{
		"size":             0,
		"track_total_hits": false,
		"query": map[string]any{"bool": map[string]any{"filter": []any{
			map[string]any{"range": map[string]any{f.Timestamp: map[string]any{
				"gte": esTime(from), "lt": esTime(to), "format": "strict_date_optional_time",
			}}},
			map[string]any{"bool": map[string]any{
				"should":               []any{terms(f.SrcIP, ips), terms(f.DstIP, ips)},
				"minimum_should_match": 1,
			}},
		}}},
		"aggs": aggs,
	})
}

func terms(field string, values []string) map[string]any {
	return map[string]any{"terms": map[string]any{field: values}}
}

// esTime is a UTC instant with millisecond precision, Elasticsearch's date
// resolution.
func esTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// searchResponse is the part of a _search answer Usage reads (contract
// §4.2: the plain client, no typed_keys).
type searchResponse struct {
	TimedOut bool `json:"timed_out"`
	Shards   struct {
		Total, Successful, Failed int
	} `json:"_shards"`
	Aggregations map[string]sideAgg `json:"aggregations"`
}

type sideAgg struct {
	DocCount int64 `json:"doc_count"`
	ByIP     *struct {
		AfterKey json.RawMessage `json:"after_key"`
		Buckets  []bucket        `json:"buckets"`
	} `json:"by_ip"`
}

type bucket struct {
	Key struct {
		IP  string `json:"ip"`
		Day int64  `json:"day"` // the UTC day's first millisecond since the epoch
	} `json:"key"`
	DocCount int64 `json:"doc_count"`
	Bytes    struct {
		Value *float64 `json:"value"`
	} `json:"bytes"`
}
