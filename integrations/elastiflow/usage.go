package elastiflow

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"time"
)

const day = 24 * time.Hour

// Usage is each service's bytes in and out per UTC day in [from, to).
//
// Services are paged PageSize at a time (services without addresses take
// no place): one search request per page carries, for both directions, a
// composite aggregation over (address, UTC day) summing the bytes, sized
// for every address × day of the window, so a page normally needs exactly
// one request. A page whose buckets exceed what one response may hold
// (32,000 per direction) continues with after_key, per direction. Stats
// counts every request sent (retries included) and every page answered.
//
// Only service/days with traffic get a row; a day only partly inside
// [from, to) holds that part's bytes. Bytes are summed as ElastiFlow
// stored them (already scaled by the sampling rate). A record between two
// of our services counts as out for its source's service and in for its
// destination's. Timeouts, 429 and 5xx are retried; when the retries run
// out the error wraps ErrUnavailable. Every error means the usage is
// unknown, never zero.
func (c *Client) Usage(ctx context.Context, services []Service, from, to time.Time) ([]DayUsage, Stats, error) {
	var st Stats
	from, to = from.UTC(), to.UTC()
	if !from.Before(to) {
		return nil, st, fmt.Errorf("elastiflow: usage window [%s, %s) is empty", esTime(from), esTime(to))
	}
	owner, err := owners(services)
	if err != nil {
		return nil, st, err
	}
	firstDay := from.Truncate(day)
	days := int(to.Add(-time.Nanosecond).Truncate(day).Sub(firstDay)/day) + 1

	sum := map[usageKey]*DayUsage{}
	for _, batch := range c.batches(services, owner) {
		if err := c.usagePage(ctx, batch, owner, services, from, to, days, sum, &st); err != nil {
			return nil, st, err
		}
	}
	out := make([]DayUsage, 0, len(sum))
	for _, u := range sum {
		out = append(out, *u)
	}
	slices.SortFunc(out, func(a, b DayUsage) int {
		return cmp.Or(cmp.Compare(a.ServiceID, b.ServiceID), cmp.Compare(a.Day, b.Day))
	})
	return out, st, nil
}

type usageKey struct {
	service int
	day     int64 // epoch milliseconds of the UTC day
}

// owners maps each address, in Elasticsearch's canonical form (IPv6
// compressed and lower case, IPv4-mapped IPv6 as IPv4), to its service.
// An address of two services would bill its traffic twice: refused.
func owners(services []Service) (map[string]int, error) {
	owner := map[string]int{}
	for i, s := range services {
		for _, raw := range s.IPs {
			a, err := netip.ParseAddr(raw)
			if err != nil {
				return nil, fmt.Errorf("elastiflow: service %s: address %q: %w", s.ID, raw, err)
			}
			ip := a.Unmap().WithZone("").String()
			if j, dup := owner[ip]; dup && j != i {
				return nil, fmt.Errorf("elastiflow: address %s belongs to both service %s and service %s", ip, services[j].ID, s.ID)
			}
			owner[ip] = i
		}
	}
	return owner, nil
}

// batches pages the services with addresses: at most PageSize services and
// maxTermsCount addresses each, a service never split.
func (c *Client) batches(services []Service, owner map[string]int) [][]string {
	var out [][]string
	var cur []string
	n := 0
	seen := map[string]bool{}
	for i, s := range services {
		var ips []string
		for _, raw := range s.IPs {
			a, _ := netip.ParseAddr(raw) // checked by owners
			ip := a.Unmap().WithZone("").String()
			if owner[ip] == i && !seen[ip] {
				seen[ip] = true
				ips = append(ips, ip)
			}
		}
		if len(ips) == 0 {
			continue
		}
		if n == c.pageSize || (n > 0 && len(cur)+len(ips) > maxTermsCount) {
			out = append(out, cur)
			cur, n = nil, 0
		}
		cur = append(cur, ips...)
		n++
	}
	if n > 0 {
		out = append(out, cur)
	}
	return out
}

// usagePage reads one page of services into sum, following after_key on
// each direction until its composite aggregation is exhausted.
func (c *Client) usagePage(ctx context.Context, ips []string, owner map[string]int, services []Service,
	from, to time.Time, days int, sum map[usageKey]*DayUsage, st *Stats) error {
	inBatch := make(map[string]bool, len(ips))
	for _, ip := range ips {
		inBatch[ip] = true
	}
	// A page holds every (address, day) of the window unless that exceeds
	// one response; only then can a full page have a next one.
	size := min(len(ips)*days, c.compositeSize)
	capped := size < len(ips)*days
	pending := []page{
		{side: side{"out", c.fields.SrcIP}, size: size},
		{side: side{"in", c.fields.DstIP}, size: size},
	}
	firstDay := from.Truncate(day).UnixMilli()
	lastDay := to.Add(-time.Nanosecond).Truncate(day).UnixMilli()
	for len(pending) > 0 {
		body, err := c.searchBody(ips, from, to, pending)
		if err != nil {
			return fmt.Errorf("elastiflow: building the search: %w", err)
		}
		res, err := c.search(ctx, body, st)
		if err != nil {
			return err
		}
		st.Pages++
		var next []page
		for _, p := range pending {
			agg, ok := res.Aggregations[p.side.name]
			if !ok || agg.ByIP == nil {
				return fmt.Errorf("elastiflow: search %s: the answer has no %q aggregation", c.index, p.side.name+".by_ip")
			}
			for _, b := range agg.ByIP.Buckets {
				a, err := netip.ParseAddr(b.Key.IP)
				ip := a.Unmap().String()
				switch {
				case err != nil || !inBatch[ip]:
					return fmt.Errorf("elastiflow: search %s: %s bucket for address %q, which was not asked for", c.index, p.side.name, b.Key.IP)
				case b.Key.Day < firstDay || b.Key.Day > lastDay || b.Key.Day%day.Milliseconds() != 0:
					return fmt.Errorf("elastiflow: search %s: %s bucket for %s has day %d, not a UTC day of the window", c.index, p.side.name, ip, b.Key.Day)
				case b.Bytes.Value == nil || *b.Bytes.Value < 0 || math.IsNaN(*b.Bytes.Value) || *b.Bytes.Value > math.MaxInt64/2:
					return fmt.Errorf("elastiflow: search %s: %s bucket for %s has no usable byte sum", c.index, p.side.name, ip)
				}
				svc := owner[ip]
				k := usageKey{svc, b.Key.Day}
				u := sum[k]
				if u == nil {
					u = &DayUsage{ServiceID: services[svc].ID, Day: time.UnixMilli(b.Key.Day).UTC().Format(time.DateOnly)}
					sum[k] = u
				}
				n := int64(math.Round(*b.Bytes.Value))
				total := &u.BytesIn
				if p.side.name == "out" {
					total = &u.BytesOut
				}
				// A service's addresses add up: their sum must not wrap.
				if n > math.MaxInt64-*total {
					return fmt.Errorf("elastiflow: search %s: %s bytes of service %s on %s overflows int64", c.index, p.side.name, u.ServiceID, u.Day)
				}
				*total += n
			}
			if capped && len(agg.ByIP.Buckets) == p.size && len(agg.ByIP.AfterKey) > 0 && string(agg.ByIP.AfterKey) != "null" {
				p.after = agg.ByIP.AfterKey
				next = append(next, p)
			}
		}
		pending = next
	}
	return nil
}
