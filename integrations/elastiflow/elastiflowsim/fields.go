package elastiflowsim

// Fields are the document field names of the simulated index (the
// contract's §2), the same fields as elastiflow.Fields, which converts to
// it: the simulator keeps its own copy of the mapping it serves.
type Fields struct {
	Timestamp    string
	Bytes        string
	SrcIP, DstIP string
	Sampling     string
}

// codexFields are ElastiFlow's CODEX field names, the default mapping.
var codexFields = Fields{
	Timestamp: "@timestamp",
	Bytes:     "flow.bytes",
	SrcIP:     "flow.src.ip.addr",
	DstIP:     "flow.dst.ip.addr",
	Sampling:  "flow.meter.packet_select.interval.packets",
}

// Elasticsearch's default limits, which the simulator enforces as a
// cluster would.
const (
	// maxTermsCount is index.max_terms_count: values in one terms query.
	maxTermsCount = 65536
	// maxBuckets is search.max_buckets.
	maxBuckets = 65536
)
