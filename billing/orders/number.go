package orders

// Order numbers: an order takes its number when it is placed, in the
// order's transaction, from settings.order_number_format (e.g.
// ORD-2026-000123), so customers and staff quote it instead of a database
// id; a quote takes none. NumberSeries is its counter in number_sequences.
const (
	NumberSeries = "order"
	// DefaultNumberFormat numbers orders while the settings name no format.
	DefaultNumberFormat = "ORD-{YYYY}-{SEQ:6}"
)

// numberFormat is the series format orders are numbered in now.
func numberFormat(configured string) string {
	if configured == "" {
		return DefaultNumberFormat
	}
	return configured
}
