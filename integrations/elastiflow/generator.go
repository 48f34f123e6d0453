package elastiflow

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// Flow is one flow record as ElastiFlow's collector writes it: what the
// generator makes and the simulator (elastiflowsim.Flow, an alias of the
// same struct type) stores. Bytes is already multiplied by Sampling, the
// device's sampling interval (1 = unsampled), as the collector stores it.
type Flow = struct {
	Time         time.Time
	SrcIP, DstIP netip.Addr
	Bytes        int64
	Sampling     int64
}

// GenConfig shapes a generated flow dataset.
type GenConfig struct {
	Services int       // at most 60,000
	Flows    int       // records in [From, To), the first delivery
	Late     int       // records delivered later with old timestamps (in the window's first quarter)
	From, To time.Time // the records' time range
	Seed     uint64
}

// Dataset is generated traffic and its expected usage, computed from what
// the generator meant each record to be (which service sent it, which
// received it), not from matching addresses.
//
// Services: every one has an IPv4 address, every 10th a second one, every
// 3rd an IPv6 address (every 6th written in upper-case expanded form, as
// an operator might). Records: 40 % a service sending to the internet, 40 %
// receiving from it, 20 % between two services; about 3 in 8 come from
// sampling exporters (1:1024, 1:512, 1:100), their Bytes already scaled
// and Sampling set, as the collector writes them.
type Dataset struct {
	Services []Service
	Flows    []Flow // the first delivery
	Late     []Flow // arriving after a first run
	Sampled  int    // records with Sampling > 1, both deliveries
	Inter    int    // records between two services, both deliveries

	// who sent and received each record: service index, -1 = outside
	flowFrom, flowTo []int32
	lateFrom, lateTo []int32
}

// exporterRates are the generated exporters' sampling intervals.
var exporterRates = []int64{1024, 512, 100, 1, 1, 1, 1, 1}

// Generate builds a dataset; the same config gives the same dataset.
func Generate(cfg GenConfig) *Dataset {
	if cfg.Services < 2 || cfg.Services > 60000 || !cfg.From.Before(cfg.To) {
		panic(fmt.Sprintf("elastiflow.Generate: want 2 to 60,000 services and From before To, got %d, %s, %s", cfg.Services, cfg.From, cfg.To))
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0xe1a5))
	d := &Dataset{}
	v4 := make([][]netip.Addr, cfg.Services)
	v6 := make([]netip.Addr, cfg.Services)
	for i := range cfg.Services {
		base := netip.AddrFrom4([4]byte{198, 18, byte((i + 1) >> 8), byte(i + 1)})
		v4[i] = []netip.Addr{base}
		ips := []string{base.String()}
		if i%10 == 9 {
			second := netip.AddrFrom4([4]byte{198, 19, byte(i >> 8), byte(i)})
			v4[i] = append(v4[i], second)
			ips = append(ips, second.String())
		}
		if i%3 == 0 {
			a := [16]byte{0x20, 0x01, 0x0d, 0xb8, 0, 5}
			a[14], a[15] = byte(i>>8), byte(i)
			v6[i] = netip.AddrFrom16(a)
			text := v6[i].String()
			if i%6 == 0 {
				text = strings.ToUpper(v6[i].StringExpanded())
			}
			ips = append(ips, text)
		}
		d.Services = append(d.Services, Service{ID: fmt.Sprintf("svc-%05d", i+1), IPs: ips})
	}
	span := cfg.To.Sub(cfg.From).Milliseconds()
	gen := func(n int, span int64) ([]Flow, []int32, []int32) {
		flows := make([]Flow, n)
		from, to := make([]int32, n), make([]int32, n)
		for k := range flows {
			// Skewed: low-numbered services carry most of the traffic.
			u := rng.Float64()
			s := int(u * u * float64(cfg.Services))
			f := Flow{Time: cfg.From.Add(time.Duration(rng.Int64N(span)) * time.Millisecond).UTC()}
			local := v4[s][rng.IntN(len(v4[s]))]
			if v6[s].IsValid() && rng.IntN(2) == 0 {
				local = v6[s]
			}
			remote := outside(rng, local.Is6())
			from[k], to[k] = int32(s), -1
			f.SrcIP, f.DstIP = local, remote
			switch r := rng.IntN(10); {
			case r < 4:
			case r < 8:
				from[k], to[k] = -1, int32(s)
				f.SrcIP, f.DstIP = remote, local
			default:
				t := (s + 1 + rng.IntN(cfg.Services-1)) % cfg.Services
				to[k] = int32(t)
				f.SrcIP = v4[s][0]
				f.DstIP = v4[t][rng.IntN(len(v4[t]))]
				if v6[s].IsValid() && v6[t].IsValid() && rng.IntN(2) == 0 {
					f.SrcIP, f.DstIP = v6[s], v6[t]
				}
				d.Inter++
			}
			f.Sampling = exporterRates[rng.IntN(len(exporterRates))]
			if f.Sampling > 1 {
				f.Bytes = (64 + rng.Int64N(150_000)) * f.Sampling
				d.Sampled++
			} else {
				f.Bytes = 64 + rng.Int64N(2_000_000)
			}
			flows[k] = f
		}
		return flows, from, to
	}
	d.Flows, d.flowFrom, d.flowTo = gen(cfg.Flows, span)
	d.Late, d.lateFrom, d.lateTo = gen(cfg.Late, max(span/4, 1))
	return d
}

// outside is an address no service has: documentation ranges.
func outside(rng *rand.Rand, v6 bool) netip.Addr {
	if v6 {
		a := [16]byte{0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff}
		a[14], a[15] = byte(rng.IntN(256)), byte(rng.IntN(256))
		return netip.AddrFrom16(a)
	}
	nets := [][3]byte{{192, 0, 2}, {198, 51, 100}, {203, 0, 113}}
	n := nets[rng.IntN(len(nets))]
	return netip.AddrFrom4([4]byte{n[0], n[1], n[2], byte(rng.IntN(256))})
}

// Expected is each service's usage per UTC day in [from, to), as Usage
// should report it: the first delivery, plus the late one when withLate.
func (d *Dataset) Expected(from, to time.Time, withLate bool) []DayUsage {
	sum := map[[2]int]*DayUsage{}
	add := func(svc int32, f Flow, out bool) {
		if svc < 0 {
			return
		}
		dayStart := f.Time.UTC().Truncate(day)
		k := [2]int{int(svc), int(dayStart.Unix() / 86400)}
		u := sum[k]
		if u == nil {
			u = &DayUsage{ServiceID: d.Services[svc].ID, Day: dayStart.Format(time.DateOnly)}
			sum[k] = u
		}
		if out {
			u.BytesOut += f.Bytes
		} else {
			u.BytesIn += f.Bytes
		}
	}
	tally := func(flows []Flow, src, dst []int32) {
		for i, f := range flows {
			// Elasticsearch keeps milliseconds.
			if t := f.Time.Truncate(time.Millisecond); t.Before(from) || !t.Before(to) {
				continue
			}
			add(src[i], f, true)
			add(dst[i], f, false)
		}
	}
	tally(d.Flows, d.flowFrom, d.flowTo)
	if withLate {
		tally(d.Late, d.lateFrom, d.lateTo)
	}
	out := make([]DayUsage, 0, len(sum))
	for _, u := range sum {
		out = append(out, *u)
	}
	slices.SortFunc(out, func(a, b DayUsage) int {
		return cmp.Or(cmp.Compare(a.ServiceID, b.ServiceID), cmp.Compare(a.Day, b.Day))
	})
	return out
}
