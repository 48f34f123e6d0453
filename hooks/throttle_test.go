package hooks

import (
	"fmt"
	"testing"
	"time"
)

func TestThrottle(t *testing.T) {
	th := newThrottle(5 * time.Second)
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if !th.allow("a", at) || th.allow("a", at.Add(4*time.Second)) || !th.allow("a", at.Add(5*time.Second)) {
		t.Error("one action per key every 5 s")
	}
	if !th.allow("b", at.Add(5*time.Second)) {
		t.Error("another key is not held back")
	}
	// A service powered once is forgotten once its wait is over: the map
	// never grows with every service ever powered.
	for i := range 10000 {
		th.allow(fmt.Sprint("svc", i), at.Add(time.Duration(i)*time.Second))
	}
	if n := len(th.last); n > 5 {
		t.Errorf("the throttle remembers %d services, want at most the 5 acted on in the last 5 s", n)
	}
}
