// Package numbering formats document numbers from a series format such as
// "INV-{YYYY}-{SEQ:6}". The sequence itself is kept by the ledger in the
// same transaction as the document, so numbers stay gapless.
package numbering

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

var token = regexp.MustCompile(`\{(YYYY|YY|MM|SEQ(?::([1-9][0-9]?))?)\}`)

// Format is a parsed number format.
type Format struct {
	raw string
}

// Parse checks a format: it must contain exactly one {SEQ} or {SEQ:n}
// token and no unknown tokens.
func Parse(format string) (Format, error) {
	seqs := 0
	for _, m := range token.FindAllStringSubmatch(format, -1) {
		if strings.HasPrefix(m[1], "SEQ") {
			seqs++
		}
	}
	if seqs != 1 {
		return Format{}, fmt.Errorf("number format %q: needs exactly one {SEQ} or {SEQ:n}", format)
	}
	if rest := token.ReplaceAllString(format, ""); strings.ContainsAny(rest, "{}") {
		return Format{}, fmt.Errorf("number format %q: unknown token; use {YYYY}, {YY}, {MM}, {SEQ:n}", format)
	}
	return Format{raw: format}, nil
}

// Key is the format with the date tokens filled in and the sequence left
// out. Numbers with the same key share one counter, so a format with
// {YYYY} restarts at 1 each year and one without never restarts.
func (f Format) Key(at time.Time) string {
	return f.expand(at.UTC(), -1)
}

// Number renders the document number for sequence seq at time at.
func (f Format) Number(at time.Time, seq int64) string {
	return f.expand(at.UTC(), seq)
}

func (f Format) expand(at time.Time, seq int64) string {
	return token.ReplaceAllStringFunc(f.raw, func(tok string) string {
		m := token.FindStringSubmatch(tok)
		switch {
		case m[1] == "YYYY":
			return strconv.Itoa(at.Year())
		case m[1] == "YY":
			return fmt.Sprintf("%02d", at.Year()%100)
		case m[1] == "MM":
			return fmt.Sprintf("%02d", int(at.Month()))
		case seq < 0:
			return "{SEQ}"
		case m[2] != "":
			width, _ := strconv.Atoi(m[2])
			return fmt.Sprintf("%0*d", width, seq)
		default:
			return strconv.FormatInt(seq, 10)
		}
	})
}
