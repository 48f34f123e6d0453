package fulfilment

// OverdueElsewhereSQL is the overdue check's query, for its plan test.
const OverdueElsewhereSQL = overdueElsewhereSQL
