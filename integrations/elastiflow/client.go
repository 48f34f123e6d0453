package elastiflow

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/elastic/go-elasticsearch/v8"

	"github.com/ezscale/ezscale/internal/config"
)

// DefaultIndex is the index pattern of ElastiFlow's CODEX flow records
// (contract §1): the concrete indices carry a version and rollover suffix,
// so only the wildcard pattern is stable.
const DefaultIndex = "elastiflow-flow-codex-*"

// ECSIndex is the index pattern of ElastiFlow's ECS output
// (EF_OUTPUT_ELASTICSEARCH_ECS_ENABLE=true), whose documents carry ECS
// field names.
const ECSIndex = "elastiflow-flow-ecs-*"

// The schemas ElastiFlow writes (contract §1), as ELASTIFLOW_SCHEMA names them.
const (
	SchemaCODEX = "codex"
	SchemaECS   = "ecs"
)

// Defaults applied by New to zero Config fields.
const (
	DefaultPageSize   = 500
	DefaultTimeout    = 30 * time.Second
	DefaultMaxRetries = 3
	// MaxPageSize bounds PageSize: a page's addresses go into one terms
	// filter and its (address, day) buckets into one response.
	MaxPageSize = 10000
)

// Config is the Elasticsearch cluster holding ElastiFlow's flow records.
type Config struct {
	URL string
	// APIKey is the base64 "id:key" Elasticsearch API key; it wins over
	// Username/Password (basic auth) when both are set.
	APIKey, Username, Password string
	Index                      string // index pattern, default DefaultIndex
	// Fields are the document field names; empty ones follow the index's
	// schema (FieldsFor).
	Fields Fields
	// PageSize is how many services one search request covers (the paging
	// unit), default DefaultPageSize.
	PageSize int
	// Timeout bounds each search attempt, default DefaultTimeout.
	Timeout time.Duration
	// MaxRetries is how often a timed-out, 429 or 5xx search is retried:
	// 0 means DefaultMaxRetries, a negative value means never.
	MaxRetries int
}

// Fields are the document field names (contract §2). ElastiFlow writes CODEX
// names unless its ECS output is enabled.
type Fields struct {
	Timestamp string
	// Bytes is the record's byte count, already multiplied by the sampling
	// rate by the collector: it is summed as it is.
	Bytes        string
	SrcIP, DstIP string
	// Sampling is the device's sampling interval, kept on the record for
	// diagnostics only (the simulator stores it; Usage never reads it).
	Sampling string
}

// DefaultFields are ElastiFlow's CODEX field names.
func DefaultFields() Fields {
	return Fields{
		Timestamp: "@timestamp",
		Bytes:     "flow.bytes",
		SrcIP:     "flow.src.ip.addr",
		DstIP:     "flow.dst.ip.addr",
		Sampling:  "flow.meter.packet_select.interval.packets",
	}
}

// ECSFields are the same fields under ElastiFlow's ECS output
// (EF_OUTPUT_ELASTICSEARCH_ECS_ENABLE=true), for index elastiflow-flow-ecs-*.
func ECSFields() Fields {
	return Fields{
		Timestamp: "@timestamp",
		Bytes:     "network.bytes",
		SrcIP:     "source.ip",
		DstIP:     "destination.ip",
		Sampling:  "flow.meter.packet_select.interval.packets",
	}
}

// FieldsFor is the field names of the index pattern's schema: schema
// "codex" or "ecs" when the configuration names it, else ECS for a pattern
// with an "ecs" part (ElastiFlow's elastiflow-flow-ecs-*) and CODEX for any
// other. Querying CODEX names on an ECS index matches no document at all
// and would read as zero traffic.
func FieldsFor(index, schema string) (Fields, error) {
	switch strings.ToLower(schema) {
	case SchemaCODEX:
		return DefaultFields(), nil
	case SchemaECS:
		return ECSFields(), nil
	case "":
		parts := strings.FieldsFunc(strings.ToLower(index), func(r rune) bool {
			return (r < 'a' || r > 'z') && (r < '0' || r > '9')
		})
		if slices.Contains(parts, SchemaECS) {
			return ECSFields(), nil
		}
		return DefaultFields(), nil
	}
	return Fields{}, fmt.Errorf("elastiflow: schema %q: want %s or %s", schema, SchemaCODEX, SchemaECS)
}

// Client queries ElastiFlow's records through the official Go client's
// low-level (esapi) API: the request bodies are built here as JSON so they
// read exactly like the contract's, and the answers are decoded without
// typed_keys.
type Client struct {
	es       *elasticsearch.Client
	index    string
	fields   Fields
	pageSize int
	timeout  time.Duration
	retries  int
	// backoff is the wait before retry n (1-based); tests shorten it.
	backoff func(n int) time.Duration
	// compositeSize caps a composite aggregation's page (maxCompositeSize;
	// tests lower it to exercise after_key paging on small data).
	compositeSize int
}

// New checks cfg and builds a client; it sends nothing yet.
func New(cfg Config) (*Client, error) {
	if cfg.URL == "" {
		return nil, errors.New("elastiflow: the Elasticsearch URL is required")
	}
	if cfg.PageSize < 0 || cfg.PageSize > MaxPageSize {
		return nil, fmt.Errorf("elastiflow: page size %d: want 1 to %d services", cfg.PageSize, MaxPageSize)
	}
	c := &Client{
		index: cfg.Index, fields: cfg.Fields, pageSize: cfg.PageSize, timeout: cfg.Timeout,
		retries: cfg.MaxRetries, backoff: defaultBackoff, compositeSize: maxCompositeSize,
	}
	if c.index == "" {
		c.index = DefaultIndex
	}
	def, _ := FieldsFor(c.index, "")
	for _, f := range []struct {
		v   *string
		def string
	}{
		{&c.fields.Timestamp, def.Timestamp}, {&c.fields.Bytes, def.Bytes},
		{&c.fields.SrcIP, def.SrcIP}, {&c.fields.DstIP, def.DstIP}, {&c.fields.Sampling, def.Sampling},
	} {
		if *f.v == "" {
			*f.v = f.def
		}
	}
	if c.pageSize == 0 {
		c.pageSize = DefaultPageSize
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	switch {
	case c.retries == 0:
		c.retries = DefaultMaxRetries
	case c.retries < 0:
		c.retries = 0
	}
	es, err := elasticsearch.NewClient(elasticsearch.Config{
		Addresses: []string{strings.TrimRight(cfg.URL, "/")},
		APIKey:    cfg.APIKey, Username: cfg.Username, Password: cfg.Password,
		// Retries are ours (search), so that 429 and timeouts are retried
		// too and every attempt is counted.
		DisableRetry: true,
	})
	if err != nil {
		return nil, fmt.Errorf("elastiflow: %w", err)
	}
	c.es = es
	return c, nil
}

// FromConfig builds a client from the environment's settings, with the
// default timeout and retries; nil when no cluster is configured.
func FromConfig(c config.Elastiflow) (*Client, error) {
	if c.URL == "" {
		return nil, nil
	}
	index := cmp.Or(c.Index, DefaultIndex)
	fields, err := FieldsFor(index, c.Schema)
	if err != nil {
		return nil, err
	}
	return New(Config{URL: c.URL, APIKey: c.APIKey, Username: c.Username, Password: c.Password,
		Index: index, Fields: fields, PageSize: c.PageSize})
}

// defaultBackoff waits 250 ms, 500 ms, 1 s … up to 8 s before retry n.
func defaultBackoff(n int) time.Duration {
	d := 250 * time.Millisecond << min(n-1, 5)
	return min(d, 8*time.Second)
}

// maxRetryAfter caps a 429's Retry-After so one answer cannot stall a run.
const maxRetryAfter = 30 * time.Second

// search sends one _search body, retrying timeouts, 429, 5xx and partial
// (timed-out or shard-failed) answers; attempts are added to st.Requests.
// Any other refusal (bad credentials, bad query, missing index) is returned
// at once, since repeating it cannot help.
func (c *Client) search(ctx context.Context, body []byte, st *Stats) (*searchResponse, error) {
	var last error
	for attempt := 0; attempt <= c.retries; attempt++ {
		if attempt > 0 {
			wait := c.backoff(attempt)
			var ra retryAfterError
			if errors.As(last, &ra) && ra.after > wait {
				wait = min(ra.after, maxRetryAfter)
			}
			select {
			case <-ctx.Done():
				return nil, fmt.Errorf("elastiflow: search abandoned after %d attempts (%v): %w", attempt, last, ctx.Err())
			case <-time.After(wait):
			}
		}
		st.Requests++
		res, retry, err := c.searchOnce(ctx, body)
		if err == nil {
			return res, nil
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("elastiflow: search abandoned: %w", ctx.Err())
		}
		if !retry {
			return nil, err
		}
		last = err
	}
	return nil, fmt.Errorf("%w: %d attempts failed, last: %v", ErrUnavailable, c.retries+1, last)
}

// retryAfterError is a 429 that named its Retry-After.
type retryAfterError struct {
	error
	after time.Duration
}

// searchOnce is one attempt; retry says whether the failure is transient.
func (c *Client) searchOnce(ctx context.Context, body []byte) (_ *searchResponse, retry bool, _ error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	res, err := c.es.Search(
		c.es.Search.WithContext(ctx),
		c.es.Search.WithIndex(c.index),
		c.es.Search.WithBody(bytes.NewReader(body)),
	)
	if err != nil {
		if strings.Contains(err.Error(), "not Elasticsearch") {
			return nil, false, fmt.Errorf("elastiflow: %s at the configured URL: %w", c.index, err)
		}
		return nil, true, fmt.Errorf("elastiflow: search %s: %w", c.index, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, true, fmt.Errorf("elastiflow: reading the answer of search %s: %w", c.index, err)
	}
	if res.StatusCode != http.StatusOK {
		err := fmt.Errorf("elastiflow: search %s: %d %s", c.index, res.StatusCode, errorReason(raw))
		switch {
		case res.StatusCode == http.StatusTooManyRequests:
			secs, _ := strconv.Atoi(res.Header.Get("Retry-After"))
			return nil, true, retryAfterError{err, time.Duration(secs) * time.Second}
		case res.StatusCode >= 500:
			return nil, true, err
		}
		return nil, false, err
	}
	var out searchResponse
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, false, fmt.Errorf("elastiflow: decoding the answer of search %s: %w", c.index, err)
	}
	if out.Shards.Total == 0 {
		// A pattern that matches no index answers 200 with nothing in it:
		// a wrong ELASTIFLOW_INDEX must not read as zero traffic.
		return nil, false, fmt.Errorf("elastiflow: the index pattern %s matches no index", c.index)
	}
	if out.TimedOut || out.Shards.Failed > 0 {
		// A partial answer would bill too little: treat it as an outage.
		return nil, true, fmt.Errorf("elastiflow: search %s answered partially (timed_out %v, %d of %d shards failed)",
			c.index, out.TimedOut, out.Shards.Failed, out.Shards.Total)
	}
	return &out, false, nil
}

// errorReason is the type and reason of an Elasticsearch error body, or
// the start of whatever else came back.
func errorReason(raw []byte) string {
	var e struct {
		Error struct {
			Type, Reason string
		} `json:"error"`
	}
	if json.Unmarshal(raw, &e) == nil && e.Error.Type != "" {
		return e.Error.Type + ": " + e.Error.Reason
	}
	if len(raw) > 200 {
		raw = raw[:200]
	}
	return strings.TrimSpace(string(raw))
}
