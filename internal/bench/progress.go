package bench

import (
	"sync"
	"time"
)

// waitReporting waits for wg, calling report with the requests counted
// since the last call once a second meanwhile: the load generators' one
// progress line a second.
func waitReporting(wg *sync.WaitGroup, requests func() int64, report func(total, lastSecond int64)) {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	last := int64(0)
	for {
		select {
		case <-done:
			return
		case <-tick.C:
			n := requests()
			report(n, n-last)
			last = n
		}
	}
}
