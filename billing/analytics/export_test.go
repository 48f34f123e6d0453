package analytics

// The queries that rely on pb_migrations/1764000017_analytics_indexes, for
// plan_test.go.
var (
	RevenueSQL       = revenueSQL
	ReceivablesSQL   = receivablesSQL
	AmountChangesSQL = amountChangesSQL
)
