package outbox

import "time"

// backoff is the wait before attempt n+1 after n failed attempts: base,
// doubled each attempt, never more than max (1m, 2m, 4m … 6h by default).
func backoff(attempts int, base, max time.Duration) time.Duration {
	d := base
	for i := 1; i < attempts && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	return d
}
