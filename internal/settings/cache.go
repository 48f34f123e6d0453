package settings

import (
	"maps"
	"slices"
	"sync"

	"github.com/pocketbase/pocketbase/core"
)

// cacheKey is where Bind keeps an app's cache, in the app's store, which
// its transaction clones share.
const cacheKey = "ezscale.settings"

// cache is the decoded settings record between writes: Load is called on
// every payment, receipt and order, and the record changes when staff edit
// it. A value read while a write of the record is uncommitted, or across
// one, is never kept: gen counts the writes begun, pending those not yet
// committed or rolled back.
type cache struct {
	mu      sync.Mutex
	gen     uint64
	pending int
	value   *Settings
}

// Bind makes Load answer from memory until the settings record is written.
// Without it (an app with no hooks bound) Load reads the record each time.
// A write inside a transaction bypasses the cache for everyone until the
// transaction ends, so the writer reads its own change and nobody keeps a
// value that a rollback undid. A change made around the hooks (raw SQL)
// is not seen until the next write through them.
func Bind(app core.App) {
	c := &cache{}
	app.Store().Set(cacheKey, c)
	write := func(e *core.RecordEvent) error {
		c.begin()
		if tx := e.App.TxInfo(); tx != nil {
			tx.OnComplete(func(error) error { c.end(); return nil })
		} else {
			defer c.end()
		}
		return e.Next()
	}
	app.OnRecordCreateExecute(Collection).BindFunc(write)
	app.OnRecordUpdateExecute(Collection).BindFunc(write)
	app.OnRecordDeleteExecute(Collection).BindFunc(write)
}

func (c *cache) begin() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.pending++
	c.value = nil
}

func (c *cache) end() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.pending--
	c.value = nil
}

// get returns the cached value, or nil and the generation a value read
// now belongs to; keep is false while a write is uncommitted.
func (c *cache) get() (s *Settings, gen uint64, keep bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pending > 0 {
		return nil, 0, false
	}
	return c.value, c.gen, true
}

// put keeps s, read at generation gen, unless a write began since.
func (c *cache) put(s *Settings, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pending == 0 && c.gen == gen {
		c.value = s
	}
}

// clone is a copy of s a caller may change without changing the cache.
func (s *Settings) clone() *Settings {
	out := *s
	out.Currencies = slices.Clone(s.Currencies)
	out.ExchangeRates = maps.Clone(s.ExchangeRates)
	out.RenewalLeadDays = maps.Clone(s.RenewalLeadDays)
	out.DunningRetryDays = slices.Clone(s.DunningRetryDays)
	out.BandwidthAlertPercents = slices.Clone(s.BandwidthAlertPercents)
	out.EmailCredentialsPlatforms = slices.Clone(s.EmailCredentialsPlatforms)
	return &out
}
