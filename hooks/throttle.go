package hooks

import (
	"sync"
	"time"
)

// throttle allows one action per key every `every`. It remembers only the
// keys acted on within that time, so it holds the few services powered in
// the last seconds, not every service ever powered since the start.
type throttle struct {
	mu    sync.Mutex
	every time.Duration
	last  map[string]time.Time
}

func newThrottle(every time.Duration) *throttle {
	return &throttle{every: every, last: map[string]time.Time{}}
}

// allow reports whether key may act at now, and if so counts it.
func (t *throttle) allow(key string, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if at, ok := t.last[key]; ok && now.Sub(at) < t.every {
		return false
	}
	for k, at := range t.last {
		if now.Sub(at) >= t.every {
			delete(t.last, k)
		}
	}
	t.last[key] = now
	return true
}
