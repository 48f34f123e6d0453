package analytics

// MRR adds up subscriptions' amounts as monthly recurring revenue per
// currency exactly as the report does (each cycle's amount made monthly
// without rounding, each currency rounded once, half to even), for
// figures shown beside it, such as a customer's MRR in the staff list.
type MRR struct{ s sums }

// Add adds a subscription amount of one cycle, in minor units of currency.
func (m *MRR) Add(currency, cycle string, amount int64) error {
	if m.s == nil {
		m.s = sums{}
	}
	return m.s.addMonthly(currency, cycle, amount)
}

// ByCurrency is the monthly amount in each currency added, in minor units.
func (m *MRR) ByCurrency() (map[string]int64, error) {
	out := make(map[string]int64, len(m.s))
	for code, x := range m.s {
		v, err := roundHalfEven(x)
		if err != nil {
			return nil, err
		}
		out[code] = v
	}
	return out, nil
}
