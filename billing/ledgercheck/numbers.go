package ledgercheck

import (
	"fmt"
	"strconv"
	"strings"
)

// sequence is one counter of number_sequences and the numbers found for it.
type sequence struct {
	id, series, key string
	prefix, suffix  string // the key around its {SEQ}
	last            int64
	seen            []bool // seen[n]: number n exists, for n in 1..last
}

// maxCounter bounds the counters the check follows number by number.
const maxCounter = 100_000_000

// numbered is a document with a number of a series.
type numbered struct {
	collection, id, series, number string
}

// loadSequences reads the counters, before the documents are met (rule 8:
// each counter's numbers are exactly 1..last, each used once, and every
// invoice, proforma and credit note number belongs to a counter). Invoices
// imported from WHMCS keep their numbers in a series of their own,
// outside our counters. Order numbers (series "order") are no part of the
// books and need not be gapless: they are not checked here.
func (c *checker) loadSequences() error {
	c.seqs = map[string][]*sequence{}
	return c.each("SELECT id, series, `key`, last FROM number_sequences WHERE series != 'order' ORDER BY series, `key`", nil,
		func(scan func(...any) error) error {
			s := &sequence{}
			if err := scan(&s.id, &s.series, &s.key, &s.last); err != nil {
				return err
			}
			s.prefix, s.suffix, _ = strings.Cut(s.key, "{SEQ}")
			if s.last > maxCounter {
				c.add("number.gapless", "number_sequences", s.id, "%s counter %s is at %d, far beyond any document", s.series, s.key, s.last)
				s.last = 0
			}
			s.seen = make([]bool, s.last+1)
			c.seqs[s.series] = append(c.seqs[s.series], s)
			c.allSeqs = append(c.allSeqs, s)
			return nil
		})
}

// numbered counts a document's number against its counter.
func (c *checker) numbered(d numbered) {
	s, n := match(c.seqs[d.series], d.number)
	switch {
	case s == nil:
		c.add("number.gapless", d.collection, d.id, "%s number %s belongs to no %s counter", d.series, d.number, d.series)
	case n < 1 || n > s.last:
		c.add("number.gapless", d.collection, d.id, "%s number %s is beyond its counter %s, at %d", d.series, d.number, s.key, s.last)
	case s.seen[n]:
		c.add("number.gapless", d.collection, d.id, "%s number %s is used twice", d.series, d.number)
	default:
		s.seen[n] = true
	}
}

// numbers counts the credit notes, once the invoices have been, and names
// every number missing from a counter.
func (c *checker) numbers() error {
	c.count("number_sequences", len(c.allSeqs))
	err := c.each(`SELECT id, number FROM credit_notes`, nil, func(scan func(...any) error) error {
		d := numbered{collection: "credit_notes", series: "credit_note"}
		if err := scan(&d.id, &d.number); err != nil {
			return err
		}
		c.numbered(d)
		return nil
	})
	if err != nil {
		return err
	}
	for _, s := range c.allSeqs {
		var missing []string
		count := 0
		for n := int64(1); n <= s.last; n++ {
			if !s.seen[n] {
				count++
				if len(missing) < 10 {
					missing = append(missing, strconv.FormatInt(n, 10))
				}
			}
		}
		if count > 0 {
			more := ""
			if count > len(missing) {
				more = fmt.Sprintf(" and %d more", count-len(missing))
			}
			c.add("number.gapless", "number_sequences", s.id, "%s counter %s is at %d, but %d numbers are missing: %s%s",
				s.series, s.key, s.last, count, strings.Join(missing, ", "), more)
		}
	}
	return nil
}

// match finds the counter a number belongs to and its sequence number:
// the key's text around {SEQ} with digits between. The most specific key
// wins when several fit.
func match(seqs []*sequence, number string) (*sequence, int64) {
	var best *sequence
	var n int64
	for _, s := range seqs {
		if len(number) <= len(s.prefix)+len(s.suffix) || !strings.HasPrefix(number, s.prefix) || !strings.HasSuffix(number, s.suffix) {
			continue
		}
		digits := number[len(s.prefix) : len(number)-len(s.suffix)]
		v, err := strconv.ParseInt(digits, 10, 64)
		if err != nil || strings.TrimLeft(digits, "0123456789") != "" {
			continue
		}
		if best == nil || len(s.prefix)+len(s.suffix) > len(best.prefix)+len(best.suffix) {
			best, n = s, v
		}
	}
	return best, n
}
