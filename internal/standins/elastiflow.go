package standins

import (
	"context"
	"hash/fnv"
	"net/netip"
	"sync"
	"time"

	"github.com/ezscale/ezscale/integrations/elastiflow"
	"github.com/ezscale/ezscale/integrations/elastiflow/elastiflowsim"
	"github.com/ezscale/ezscale/internal/config"
)

// DevSource stands in for ElastiFlow in dev mode: the simulator behind the
// real client, fed the first time a service's address and UTC day are asked
// about with a day of made-up traffic (the same for the same address and
// day), so the portal's graphs and the bandwidth run have data to show.
type DevSource struct {
	client *elastiflow.Client
	sim    *elastiflowsim.Simulator
	stop   func()

	mu     sync.Mutex
	loaded map[string]bool // address|day already fed
}

const devAPIKey = "dev-elasticsearch-key"

// startElastiFlow is the dev traffic source when cfg has no Elasticsearch
// cluster, else nil: the configured cluster is read as it is.
func startElastiFlow(cfg *config.Config) (*DevSource, error) {
	if cfg.Elastiflow.URL != "" {
		return nil, nil
	}
	return NewDevSource()
}

// NewDevSource starts the simulator on a loopback port.
func NewDevSource() (*DevSource, error) {
	sim := elastiflowsim.New(devAPIKey)
	url, stop := sim.Start()
	client, err := elastiflow.New(elastiflow.Config{URL: url, APIKey: devAPIKey})
	if err != nil {
		stop()
		return nil, err
	}
	return &DevSource{client: client, sim: sim, stop: stop, loaded: map[string]bool{}}, nil
}

// Records is how many flow records it has made up so far.
func (d *DevSource) Records() int { return d.sim.Len() }

// Close stops the simulator.
func (d *DevSource) Close() { d.stop() }

// DevLookback bounds the made-up traffic: only the days of the last
// DevLookback before now get any, so an annual period asked about from its
// first day costs what a monthly one does.
const DevLookback = 35 * 24 * time.Hour

// Usage feeds the days asked about, within DevLookback of now, in one
// delivery, then asks the simulator through the real client.
func (d *DevSource) Usage(ctx context.Context, services []elastiflow.Service, from, to time.Time) ([]elastiflow.DayUsage, elastiflow.Stats, error) {
	now := time.Now().UTC()
	first := from.UTC().Truncate(24 * time.Hour)
	if bound := now.Add(-DevLookback).Truncate(24 * time.Hour); first.Before(bound) {
		first = bound
	}
	var flows []elastiflowsim.Flow
	d.mu.Lock()
	for _, svc := range services {
		for _, ip := range svc.IPs {
			addr, err := netip.ParseAddr(ip)
			if err != nil {
				continue // the client refuses it with the reason
			}
			for day := first; day.Before(to) && day.Before(now); day = day.AddDate(0, 0, 1) {
				flows = append(flows, d.day(addr, day, now)...)
			}
		}
	}
	d.mu.Unlock()
	d.sim.Add(flows...)
	return d.client.Usage(ctx, services, from, to)
}

// day is one day of traffic for addr, the first time it is asked about: a
// few hundred MB to a few GB, in hourly records, up to now.
func (d *DevSource) day(addr netip.Addr, day, now time.Time) []elastiflowsim.Flow {
	key := addr.Unmap().String() + "|" + day.Format(time.DateOnly)
	if d.loaded[key] {
		return nil
	}
	d.loaded[key] = true
	h := fnv.New64a()
	_, _ = h.Write([]byte(key))
	seed := h.Sum64()
	peer := netip.AddrFrom4([4]byte{198, 51, 100, byte(seed % 250)})
	if addr.Is6() {
		peer = netip.MustParseAddr("2001:db8::1")
	}
	var flows []elastiflowsim.Flow
	for hour := range 24 {
		at := day.Add(time.Duration(hour)*time.Hour + 17*time.Minute)
		if at.After(now) {
			break
		}
		in := int64(5e6 + (seed>>uint(hour%40))%60e6)
		out := int64(2e6 + (seed>>uint((hour+7)%40))%20e6)
		flows = append(flows,
			elastiflowsim.Flow{Time: at, SrcIP: peer, DstIP: addr, Bytes: in, Sampling: 1},
			elastiflowsim.Flow{Time: at, SrcIP: addr, DstIP: peer, Bytes: out, Sampling: 1})
	}
	return flows
}
