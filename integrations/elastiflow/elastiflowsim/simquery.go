package elastiflowsim

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The simulator's query subset: what it parses it evaluates exactly as
// Elasticsearch would; anything else is refused with the reason, so a
// client change that leaves the subset fails in tests instead of being
// answered wrongly.

const dayMillis = int64(24 * time.Hour / time.Millisecond)

// fieldKind is a mapped field's type in the simulator's index.
type fieldKind int

const (
	kindTime fieldKind = iota + 1
	kindIP
	kindLong
)

// matcher tells whether a record matches a query.
type matcher func(d *doc) bool

// searchReq is a parsed search body.
type searchReq struct {
	query     matcher // nil: match_all
	lo, hi    int64   // the time range the query implies, in ms, [lo, hi)
	aggs      []*aggSpec
	totalHits int // -1: omitted (track_total_hits false), 0: exact, else the cap
}

// aggSpec is one parsed aggregation.
type aggSpec struct {
	name, kind  string // filter, composite, terms, date_histogram, sum
	filter      matcher
	sources     []source // composite
	after       []any    // composite: netip.Addr or int64 per source
	size        int      // composite and terms
	ip          func(*doc) int32
	long        func(*doc) int64
	minDocCount int64 // date_histogram
	subs        []*aggSpec
}

// source is one composite value source: an address (terms) or a UTC day.
type source struct {
	name string
	ip   func(*doc) int32 // nil for the day source
}

// parseSearch parses a _search body, refusing anything outside the subset.
func (s *Simulator) parseSearch(body []byte) (*searchReq, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var top map[string]any
	if err := dec.Decode(&top); err != nil {
		return nil, fmt.Errorf("the body is not a JSON object: %v", err)
	}
	req := &searchReq{lo: math.MinInt64, hi: math.MaxInt64, totalHits: 10000}
	for k, v := range top {
		switch k {
		case "size":
			if n, err := intOf(v); err != nil || n != 0 {
				return nil, errors.New("size must be 0: the simulator returns aggregations, not hits")
			}
		case "track_total_hits":
			switch x := v.(type) {
			case bool:
				req.totalHits = map[bool]int{true: 0, false: -1}[x]
			default:
				n, err := intOf(v)
				if err != nil || n < 0 {
					return nil, errors.New("track_total_hits must be a boolean or a count")
				}
				req.totalHits = n
			}
		case "query":
			q, lo, hi, err := s.parseQuery(v)
			if err != nil {
				return nil, err
			}
			req.query, req.lo, req.hi = q, lo, hi
		case "aggs", "aggregations":
			aggs, err := s.parseAggs(v)
			if err != nil {
				return nil, err
			}
			req.aggs = aggs
		default:
			return nil, fmt.Errorf("the search option [%s] is not supported", k)
		}
	}
	return req, nil
}

// parseQuery returns the matcher and the time bounds the query implies.
func (s *Simulator) parseQuery(v any) (matcher, int64, int64, error) {
	kind, body, err := single(v, "query")
	if err != nil {
		return nil, 0, 0, err
	}
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	switch kind {
	case "match_all":
		if m, ok := body.(map[string]any); !ok || len(m) != 0 {
			return nil, 0, 0, errors.New("match_all takes no options in the simulator")
		}
		return nil, lo, hi, nil
	case "range":
		return s.parseRange(body)
	case "terms":
		m, err := s.parseTerms(body)
		return m, lo, hi, err
	case "bool":
		return s.parseBool(body)
	}
	return nil, 0, 0, fmt.Errorf("the query [%s] is not supported (bool, range, terms, match_all are)", kind)
}

func (s *Simulator) parseBool(v any) (matcher, int64, int64, error) {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, 0, 0, errors.New("bool must be an object")
	}
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	var must, should []matcher
	required := false // a filter or must clause is present
	msm := -1
	for k, val := range obj {
		switch k {
		case "filter", "must", "should":
			clauses, ok := val.([]any)
			if !ok {
				clauses = []any{val}
			}
			for _, c := range clauses {
				m, l, h, err := s.parseQuery(c)
				if err != nil {
					return nil, 0, 0, err
				}
				if k == "should" {
					should = append(should, orAll(m))
					continue
				}
				required = true
				lo, hi = max(lo, l), min(hi, h)
				if m != nil {
					must = append(must, m)
				}
			}
		case "minimum_should_match":
			n, err := intOf(val)
			if err != nil || n < 0 {
				return nil, 0, 0, errors.New("minimum_should_match must be a whole number (percentages are not supported)")
			}
			msm = n
		default:
			return nil, 0, 0, fmt.Errorf("bool [%s] is not supported (filter, must, should, minimum_should_match are)", k)
		}
	}
	if msm < 0 {
		// Elasticsearch: should clauses are required only when nothing else is.
		msm = 0
		if !required && len(should) > 0 {
			msm = 1
		}
	}
	if msm > len(should) {
		return func(*doc) bool { return false }, lo, hi, nil
	}
	return func(d *doc) bool {
		for _, m := range must {
			if !m(d) {
				return false
			}
		}
		if msm == 0 {
			return true
		}
		n := 0
		for _, m := range should {
			if m(d) {
				if n++; n >= msm {
					return true
				}
			}
		}
		return false
	}, lo, hi, nil
}

// orAll makes match_all's nil matcher explicit inside should.
func orAll(m matcher) matcher {
	if m == nil {
		return func(*doc) bool { return true }
	}
	return m
}

func (s *Simulator) parseRange(v any) (matcher, int64, int64, error) {
	field, body, err := single(v, "range")
	if err != nil {
		return nil, 0, 0, err
	}
	if kind, _, _ := s.field(field); kind != kindTime {
		return nil, 0, 0, fmt.Errorf("range is supported on the time field [%s] only, not [%s]", s.fields.Timestamp, field)
	}
	obj, ok := body.(map[string]any)
	if !ok {
		return nil, 0, 0, errors.New("range must be an object")
	}
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	for k, val := range obj {
		if k == "format" {
			f, _ := val.(string)
			for _, part := range strings.Split(f, "||") {
				switch part {
				case "strict_date_optional_time", "date_optional_time", "epoch_millis":
				default:
					return nil, 0, 0, fmt.Errorf("range format [%s] is not supported", f)
				}
			}
			continue
		}
		ms, err := dateMillis(val)
		if err != nil {
			return nil, 0, 0, fmt.Errorf("range [%s]: %v", k, err)
		}
		switch k {
		case "gte":
			lo = max(lo, ms)
		case "gt":
			lo = max(lo, ms+1)
		case "lt":
			hi = min(hi, ms)
		case "lte":
			hi = min(hi, ms+1)
		default:
			return nil, 0, 0, fmt.Errorf("range [%s] is not supported (gte, gt, lt, lte, format are)", k)
		}
	}
	return func(d *doc) bool { return d.ts >= lo && d.ts < hi }, lo, hi, nil
}

// dateMillis reads a date as strict_date_optional_time or epoch millis.
func dateMillis(v any) (int64, error) {
	if n, ok := v.(json.Number); ok {
		return n.Int64()
	}
	str, _ := v.(string)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", time.DateOnly} {
		if t, err := time.Parse(layout, str); err == nil {
			return t.UnixMilli(), nil
		}
	}
	return 0, fmt.Errorf("%v is not a date the simulator reads", v)
}

func (s *Simulator) parseTerms(v any) (matcher, error) {
	field, body, err := single(v, "terms")
	if err != nil {
		return nil, err
	}
	kind, ip, _ := s.field(field)
	if kind != kindIP {
		return nil, fmt.Errorf("terms is supported on the address fields [%s] and [%s] only, not [%s]", s.fields.SrcIP, s.fields.DstIP, field)
	}
	values, ok := body.([]any)
	if !ok {
		return nil, errors.New("terms takes a list of values (terms lookup is not supported)")
	}
	if len(values) > maxTermsCount {
		return nil, fmt.Errorf("the number of terms [%d] used in the Terms Query request has exceeded the allowed maximum of [%d]", len(values), maxTermsCount)
	}
	set := make([]bool, len(s.addrs))
	for _, val := range values {
		str, _ := val.(string)
		a, err := netip.ParseAddr(str)
		if err != nil {
			return nil, fmt.Errorf("terms on [%s]: %q is not an IP address (CIDR blocks are not supported)", field, str)
		}
		if id, ok := s.addrID[a.Unmap()]; ok {
			set[id] = true
		}
	}
	return func(d *doc) bool { return set[ip(d)] }, nil
}

// field resolves a field name in the simulator's mapping.
func (s *Simulator) field(name string) (fieldKind, func(*doc) int32, func(*doc) int64) {
	switch name {
	case s.fields.Timestamp:
		return kindTime, nil, func(d *doc) int64 { return d.ts }
	case s.fields.SrcIP:
		return kindIP, func(d *doc) int32 { return d.src }, nil
	case s.fields.DstIP:
		return kindIP, func(d *doc) int32 { return d.dst }, nil
	case s.fields.Bytes:
		return kindLong, nil, func(d *doc) int64 { return d.bytes }
	case s.fields.Sampling:
		return kindLong, nil, func(d *doc) int64 { return d.sampling }
	}
	return 0, nil, nil
}

func (s *Simulator) parseAggs(v any) ([]*aggSpec, error) {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("aggs must be an object")
	}
	var out []*aggSpec
	for name, body := range obj {
		a, err := s.parseAgg(name, body)
		if err != nil {
			return nil, fmt.Errorf("aggregation [%s]: %w", name, err)
		}
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b *aggSpec) int { return cmp.Compare(a.name, b.name) })
	return out, nil
}

func (s *Simulator) parseAgg(name string, v any) (*aggSpec, error) {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("must be an object")
	}
	a := &aggSpec{name: name}
	var def any
	for k, val := range obj {
		switch k {
		case "aggs", "aggregations":
			subs, err := s.parseAggs(val)
			if err != nil {
				return nil, err
			}
			a.subs = subs
		case "filter", "composite", "terms", "date_histogram", "sum":
			if a.kind != "" {
				return nil, fmt.Errorf("has two types, [%s] and [%s]", a.kind, k)
			}
			a.kind, def = k, val
		default:
			return nil, fmt.Errorf("the aggregation type [%s] is not supported (filter, composite, terms, date_histogram, sum are)", k)
		}
	}
	var err error
	switch a.kind {
	case "":
		return nil, errors.New("has no type")
	case "filter":
		a.filter, _, _, err = s.parseQuery(def)
		if a.filter == nil {
			a.filter = orAll(nil)
		}
	case "composite":
		err = s.parseComposite(a, def)
	case "terms":
		err = s.parseTermsAgg(a, def)
	case "date_histogram":
		err = s.parseHistogram(a, def)
	case "sum":
		err = s.parseSum(a, def)
	}
	if err == nil && a.kind == "sum" && len(a.subs) > 0 {
		err = errors.New("sum takes no sub-aggregations")
	}
	return a, err
}

// options reads an aggregation's options, refusing unknown ones.
func options(v any, allowed ...string) (map[string]any, error) {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("options must be an object")
	}
	for k := range obj {
		if !slices.Contains(allowed, k) {
			return nil, fmt.Errorf("the option [%s] is not supported (%s are)", k, strings.Join(allowed, ", "))
		}
	}
	return obj, nil
}

func (s *Simulator) parseComposite(a *aggSpec, v any) error {
	o, err := options(v, "size", "sources", "after")
	if err != nil {
		return err
	}
	a.size = 10
	if sz, ok := o["size"]; ok {
		if a.size, err = intOf(sz); err != nil || a.size < 1 {
			return errors.New("composite size must be a positive whole number")
		}
	}
	list, _ := o["sources"].([]any)
	if len(list) == 0 || len(list) > 2 {
		return errors.New("composite needs one or two sources in the simulator")
	}
	for _, item := range list {
		name, def, err := single(item, "composite source")
		if err != nil {
			return err
		}
		typ, body, err := single(def, "composite source "+name)
		if err != nil {
			return err
		}
		src := source{name: name}
		switch typ {
		case "terms":
			so, err := options(body, "field", "order")
			if err != nil {
				return fmt.Errorf("source [%s]: %w", name, err)
			}
			if ord, ok := so["order"]; ok && ord != "asc" {
				return fmt.Errorf("source [%s]: only ascending order is supported", name)
			}
			f, _ := so["field"].(string)
			kind, ip, _ := s.field(f)
			if kind != kindIP {
				return fmt.Errorf("source [%s]: terms is supported on the address fields only, not [%s]", name, f)
			}
			src.ip = ip
		case "date_histogram":
			if err := s.dayOptions(body, "field", "calendar_interval", "fixed_interval", "time_zone", "order"); err != nil {
				return fmt.Errorf("source [%s]: %w", name, err)
			}
		default:
			return fmt.Errorf("source [%s]: the source type [%s] is not supported (terms, date_histogram are)", name, typ)
		}
		a.sources = append(a.sources, src)
	}
	if after, ok := o["after"]; ok {
		m, ok := after.(map[string]any)
		if !ok || len(m) != len(a.sources) {
			return errors.New("after must name every source")
		}
		for _, src := range a.sources {
			val, ok := m[src.name]
			if !ok {
				return fmt.Errorf("after lacks the source [%s]", src.name)
			}
			if src.ip != nil {
				str, _ := val.(string)
				addr, err := netip.ParseAddr(str)
				if err != nil {
					return fmt.Errorf("after [%s]: %q is not an IP address", src.name, str)
				}
				a.after = append(a.after, addr.Unmap())
				continue
			}
			n, ok := val.(json.Number)
			ms, err := n.Int64()
			if !ok || err != nil {
				return fmt.Errorf("after [%s] must be epoch milliseconds", src.name)
			}
			a.after = append(a.after, ms)
		}
	}
	return nil
}

// dayOptions accepts a date histogram by UTC day on the time field only.
func (s *Simulator) dayOptions(v any, allowed ...string) error {
	o, err := options(v, allowed...)
	if err != nil {
		return err
	}
	if f, _ := o["field"].(string); f != s.fields.Timestamp {
		return fmt.Errorf("date_histogram is supported on [%s] only, not [%v]", s.fields.Timestamp, o["field"])
	}
	ci, hasCI := o["calendar_interval"]
	fi, hasFI := o["fixed_interval"]
	switch {
	case hasCI && !hasFI && (ci == "1d" || ci == "day"):
	case hasFI && !hasCI && (fi == "1d" || fi == "24h"):
	default:
		return errors.New("only a one-day interval (calendar_interval 1d or fixed_interval 1d) is supported")
	}
	if tz, ok := o["time_zone"]; ok && tz != "UTC" && tz != "Z" && tz != "+00:00" && tz != "Etc/UTC" {
		return fmt.Errorf("time_zone [%v] is not supported (UTC is)", tz)
	}
	if ord, ok := o["order"]; ok && ord != "asc" {
		return errors.New("only ascending order is supported")
	}
	return nil
}

func (s *Simulator) parseTermsAgg(a *aggSpec, v any) error {
	o, err := options(v, "field", "size")
	if err != nil {
		return err
	}
	f, _ := o["field"].(string)
	kind, ip, _ := s.field(f)
	if kind != kindIP {
		return fmt.Errorf("terms is supported on the address fields only, not [%s]", f)
	}
	a.ip, a.size = ip, 10
	if sz, ok := o["size"]; ok {
		if a.size, err = intOf(sz); err != nil || a.size < 1 {
			return errors.New("terms size must be a positive whole number")
		}
	}
	return nil
}

func (s *Simulator) parseHistogram(a *aggSpec, v any) error {
	if err := s.dayOptions(v, "field", "calendar_interval", "fixed_interval", "time_zone", "min_doc_count"); err != nil {
		return err
	}
	if n, ok := v.(map[string]any)["min_doc_count"]; ok {
		m, err := intOf(n)
		if err != nil || m < 0 {
			return errors.New("min_doc_count must be a whole number")
		}
		a.minDocCount = int64(m)
	}
	return nil
}

func (s *Simulator) parseSum(a *aggSpec, v any) error {
	o, err := options(v, "field")
	if err != nil {
		return err
	}
	f, _ := o["field"].(string)
	kind, _, long := s.field(f)
	if kind != kindLong {
		return fmt.Errorf("sum is supported on [%s] and [%s] only, not [%s]", s.fields.Bytes, s.fields.Sampling, f)
	}
	a.long = long
	return nil
}

// single reads an object with exactly one key.
func single(v any, what string) (string, any, error) {
	obj, ok := v.(map[string]any)
	if !ok || len(obj) != 1 {
		return "", nil, fmt.Errorf("%s must be an object with exactly one key", what)
	}
	for k, val := range obj {
		return k, val, nil
	}
	panic("unreachable")
}

func intOf(v any) (int, error) {
	switch x := v.(type) {
	case json.Number:
		n, err := strconv.Atoi(x.String())
		return n, err
	case string:
		return strconv.Atoi(x)
	}
	return 0, fmt.Errorf("%v is not a whole number", v)
}

// collector accumulates one aggregation over the matching records.
type collector struct {
	spec     *aggSpec
	docCount int64
	sum      float64
	subs     []*collector
	buckets  map[[2]int64]*bucketAcc
}

type bucketAcc struct {
	docCount int64
	subs     []*collector
}

func newCollectors(specs []*aggSpec) []*collector {
	out := make([]*collector, len(specs))
	for i, a := range specs {
		out[i] = &collector{spec: a, subs: newCollectors(a.subs), buckets: map[[2]int64]*bucketAcc{}}
	}
	return out
}

func (c *collector) collect(d *doc) {
	a := c.spec
	var key [2]int64
	switch a.kind {
	case "sum":
		c.sum += float64(a.long(d))
		return
	case "filter":
		if a.filter(d) {
			c.docCount++
			for _, sub := range c.subs {
				sub.collect(d)
			}
		}
		return
	case "composite":
		for i, src := range a.sources {
			if src.ip != nil {
				key[i] = int64(src.ip(d))
			} else {
				key[i] = floorDay(d.ts)
			}
		}
	case "terms":
		key[0] = int64(a.ip(d))
	case "date_histogram":
		key[0] = floorDay(d.ts)
	}
	b := c.buckets[key]
	if b == nil {
		b = &bucketAcc{subs: newCollectors(a.subs)}
		c.buckets[key] = b
	}
	b.docCount++
	for _, sub := range b.subs {
		sub.collect(d)
	}
}

func floorDay(ms int64) int64 {
	return ms - ((ms%dayMillis)+dayMillis)%dayMillis
}

// run evaluates a parsed search; partial skips a third of the records and
// reports a failed shard.
func (s *Simulator) run(req *searchReq, typed, partial bool) (map[string]any, error) {
	lo := sort.Search(len(s.docs), func(i int) bool { return s.docs[i].ts >= req.lo })
	hi := sort.Search(len(s.docs), func(i int) bool { return s.docs[i].ts >= req.hi })
	if req.hi == math.MaxInt64 {
		hi = len(s.docs)
	}
	colls := newCollectors(req.aggs)
	var total int64
	for i := lo; i < hi; i++ {
		d := &s.docs[i]
		if (partial && i%3 == 0) || (req.query != nil && !req.query(d)) {
			continue
		}
		total++
		for _, c := range colls {
			c.collect(d)
		}
	}
	r := renderer{s: s, typed: typed}
	res := map[string]any{
		"timed_out": partial,
		"_shards":   map[string]any{"total": 1, "successful": 1, "skipped": 0, "failed": 0},
		"hits":      map[string]any{"max_score": nil, "hits": []any{}},
	}
	if partial {
		res["_shards"] = map[string]any{"total": 3, "successful": 2, "skipped": 0, "failed": 1, "failures": []any{
			map[string]any{"shard": 0, "index": s.index, "reason": map[string]any{"type": "timeout_exception", "reason": "search timed out"}},
		}}
	}
	switch {
	case req.totalHits == 0:
		res["hits"].(map[string]any)["total"] = map[string]any{"value": total, "relation": "eq"}
	case req.totalHits > 0:
		rel := "eq"
		if total > int64(req.totalHits) {
			total, rel = int64(req.totalHits), "gte"
		}
		res["hits"].(map[string]any)["total"] = map[string]any{"value": total, "relation": rel}
	}
	if len(colls) > 0 {
		res["aggregations"] = r.aggs(colls)
	}
	if r.buckets > maxBuckets {
		return nil, fmt.Errorf("Trying to create too many buckets. Must be less than or equal to: [%d] but this number of buckets was [%d]. This limit can be set by changing the [search.max_buckets] cluster level setting.", maxBuckets, r.buckets)
	}
	return res, nil
}

// renderer writes collectors in Elasticsearch's response shape, counting
// buckets against search.max_buckets.
type renderer struct {
	s       *Simulator
	typed   bool
	buckets int
}

var typedPrefix = map[string]string{
	"filter": "filter#", "composite": "composite#", "terms": "sterms#", "date_histogram": "date_histogram#", "sum": "sum#",
}

func (r *renderer) aggs(colls []*collector) map[string]any {
	out := map[string]any{}
	for _, c := range colls {
		name := c.spec.name
		if r.typed {
			name = typedPrefix[c.spec.kind] + name
		}
		out[name] = r.agg(c)
	}
	return out
}

func (r *renderer) agg(c *collector) map[string]any {
	a := c.spec
	switch a.kind {
	case "sum":
		return map[string]any{"value": c.sum}
	case "filter":
		return r.withSubs(map[string]any{"doc_count": c.docCount}, c.subs, a.subs)
	case "composite":
		return r.composite(c)
	case "terms":
		return r.terms(c)
	}
	return r.histogram(c)
}

// withSubs adds the sub-aggregations; empty buckets get fresh (zero) ones.
func (r *renderer) withSubs(m map[string]any, subs []*collector, specs []*aggSpec) map[string]any {
	if subs == nil {
		subs = newCollectors(specs)
	}
	for k, v := range r.aggs(subs) {
		m[k] = v
	}
	return m
}

// cmpIP orders addresses as Elasticsearch's ip field does: by their
// 16-byte form, IPv4 as IPv4-mapped IPv6.
func cmpIP(a, b netip.Addr) int {
	x, y := a.As16(), b.As16()
	return bytes.Compare(x[:], y[:])
}

func (r *renderer) composite(c *collector) map[string]any {
	a := c.spec
	keys := make([][2]int64, 0, len(c.buckets))
	for k := range c.buckets {
		keys = append(keys, k)
	}
	cmpKey := func(k [2]int64, i int, other any) int {
		if a.sources[i].ip != nil {
			return cmpIP(r.s.addrs[k[i]], other.(netip.Addr))
		}
		return cmp.Compare(k[i], other.(int64))
	}
	slices.SortFunc(keys, func(x, y [2]int64) int {
		for i, src := range a.sources {
			var o any = y[i]
			if src.ip != nil {
				o = r.s.addrs[y[i]]
			}
			if c := cmpKey(x, i, o); c != 0 {
				return c
			}
		}
		return 0
	})
	if a.after != nil {
		keys = slices.DeleteFunc(keys, func(k [2]int64) bool {
			for i := range a.sources {
				if c := cmpKey(k, i, a.after[i]); c != 0 {
					return c < 0
				}
			}
			return true
		})
	}
	keys = keys[:min(len(keys), a.size)]
	buckets := make([]any, 0, len(keys))
	var last map[string]any
	for _, k := range keys {
		key := map[string]any{}
		for i, src := range a.sources {
			if src.ip != nil {
				key[src.name] = r.s.addrs[k[i]].String()
			} else {
				key[src.name] = k[i]
			}
		}
		b := c.buckets[k]
		buckets = append(buckets, r.withSubs(map[string]any{"key": key, "doc_count": b.docCount}, b.subs, a.subs))
		last = key
	}
	r.buckets += len(buckets)
	out := map[string]any{"buckets": buckets}
	if last != nil {
		out["after_key"] = last
	}
	return out
}

func (r *renderer) terms(c *collector) map[string]any {
	keys := make([][2]int64, 0, len(c.buckets))
	var total int64
	for k, b := range c.buckets {
		keys = append(keys, k)
		total += b.docCount
	}
	slices.SortFunc(keys, func(x, y [2]int64) int {
		return cmp.Or(cmp.Compare(c.buckets[y].docCount, c.buckets[x].docCount), cmpIP(r.s.addrs[x[0]], r.s.addrs[y[0]]))
	})
	keys = keys[:min(len(keys), c.spec.size)]
	buckets := make([]any, 0, len(keys))
	for _, k := range keys {
		b := c.buckets[k]
		total -= b.docCount
		buckets = append(buckets, r.withSubs(map[string]any{"key": r.s.addrs[k[0]].String(), "doc_count": b.docCount}, b.subs, c.spec.subs))
	}
	r.buckets += len(buckets)
	return map[string]any{"doc_count_error_upper_bound": 0, "sum_other_doc_count": total, "buckets": buckets}
}

func (r *renderer) histogram(c *collector) map[string]any {
	var days []int64
	for k := range c.buckets {
		days = append(days, k[0])
	}
	slices.Sort(days)
	buckets := []any{}
	for i, d := range days {
		if c.spec.minDocCount == 0 && i > 0 {
			for gap := days[i-1] + dayMillis; gap < d; gap += dayMillis {
				buckets = append(buckets, r.dayBucket(gap, 0, nil, c.spec.subs))
			}
		}
		b := c.buckets[[2]int64{d}]
		if b.docCount >= c.spec.minDocCount {
			buckets = append(buckets, r.dayBucket(d, b.docCount, b.subs, c.spec.subs))
		}
	}
	r.buckets += len(buckets)
	return map[string]any{"buckets": buckets}
}

func (r *renderer) dayBucket(ms, n int64, subs []*collector, specs []*aggSpec) map[string]any {
	return r.withSubs(map[string]any{
		"key_as_string": time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z"), "key": ms, "doc_count": n,
	}, subs, specs)
}
