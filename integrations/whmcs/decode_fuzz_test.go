package whmcs

import (
	"encoding/json"
	"html"
	"math/big"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ezscale/ezscale/billing/money"
)

// FuzzText checks the decoding of WHMCS text columns: whatever someone
// typed, stored HTML-escaped by WHMCS, reads back as typed (trimmed); cut
// texts are prefixes of at most max characters; coupon codes and plan
// slugs come out in their schema's alphabet and length.
func FuzzText(f *testing.F) {
	for _, s := range []string{"O'Brien & Sons", "&amp;amp;", "  VPS S1 (2019)  ", "SUMMER-2025", "été 50%", "<b>x</b>", "\xff\xfe", "&#0;&#x110000;"} {
		f.Add(s, uint8(10))
	}
	couponShape := regexp.MustCompile(`^[A-Z0-9_-]*$`)
	slugShape := regexp.MustCompile(`^([a-z0-9]+(-[a-z0-9]+)*)?$`)
	f.Fuzz(func(t *testing.T, typed string, max uint8) {
		if !utf8.ValidString(typed) {
			typed = strings.ToValidUTF8(typed, "?")
		}
		if got := text(html.EscapeString(typed)); got != strings.TrimSpace(typed) {
			t.Fatalf("text(escaped %q) = %q", typed, got)
		}
		stored := text(typed)
		if cut := clip(stored, int(max)); !strings.HasPrefix(stored, cut) || utf8.RuneCountInString(cut) > int(max) ||
			(utf8.RuneCountInString(stored) <= int(max) && cut != stored) {
			t.Fatalf("clip(%q, %d) = %q", stored, max, cut)
		}
		code, changed := couponCode(typed)
		if !couponShape.MatchString(code) || utf8.RuneCountInString(code) > couponCodeMax {
			t.Fatalf("couponCode(%q) = %q", typed, code)
		}
		if !changed && code != strings.ToUpper(text(typed)) {
			t.Fatalf("couponCode(%q) = %q, said unchanged", typed, code)
		}
		if slug := kebab(typed, int(max)); !slugShape.MatchString(slug) || len(slug) > int(max) {
			t.Fatalf("kebab(%q, %d) = %q", typed, max, slug)
		}
	})
}

// FuzzDecimalColumns checks the WHMCS decimal columns against math/big:
// money columns read exactly (or are refused), "is zero" agrees with the
// amount, and tax percentages read as exact thousandths of a percent.
func FuzzDecimalColumns(f *testing.F) {
	for _, s := range []string{"12.30", "-5.00", "-1.00", "0.00", "19.000", "9.975", "8.25", " 20.5 ", "1e3", "100.0001", "+0", "-0.00", "999999999999.999", "1.2.3", "."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, dec string) {
		for _, cur := range []string{"USD", "JPY", "KWD"} {
			n, err := minor(dec, cur)
			if err != nil {
				continue
			}
			want, err := money.ParseDecimal(strings.TrimSpace(dec), cur)
			if err != nil || want.Minor != n {
				t.Fatalf("minor(%q, %s) = %d, ParseDecimal says %v, %v", dec, cur, n, want, err)
			}
			if isZeroDecimal(dec) != (n == 0) {
				t.Fatalf("isZeroDecimal(%q) = %v, but it is %d minor units of %s", dec, isZeroDecimal(dec), n, cur)
			}
		}
		p, err := percentThousandths(dec)
		if err != nil {
			if !strings.Contains(err.Error(), "percentage") {
				t.Fatalf("error %q does not say it is a percentage", err)
			}
			return
		}
		r, ok := new(big.Rat).SetString(strings.TrimSpace(dec))
		if !ok || p < 0 || r.Mul(r, big.NewRat(1000, 1)).Cmp(big.NewRat(p, 1)) != 0 {
			t.Fatalf("percentThousandths(%q) = %d", dec, p)
		}
	})
}

// FuzzServiceIPs checks the reading of a service's address lists: every
// address kept parses, none twice, and whatever is dropped is reported.
func FuzzServiceIPs(f *testing.F) {
	f.Add("203.0.113.10", "203.0.113.11\n203.0.113.12, 2001:db8::/64;203.0.113.10")
	f.Add("", "not-an-ip\r\n::ffff:1.2.3.4 fe80::1%eth0")
	f.Fuzz(func(t *testing.T, dedicated, assigned string) {
		raw, bad := serviceIPs(dedicated, assigned)
		var ips []string
		if err := json.Unmarshal(raw, &ips); err != nil {
			t.Fatalf("serviceIPs gave %s: %v", raw, err)
		}
		for i, ip := range ips {
			_, errAddr := netip.ParseAddr(ip)
			_, errPrefix := netip.ParsePrefix(ip)
			if errAddr != nil && errPrefix != nil || slices.Contains(ips[:i], ip) {
				t.Fatalf("serviceIPs(%q, %q) kept %q in %q", dedicated, assigned, ip, ips)
			}
		}
		for _, b := range bad {
			if slices.Contains(ips, b) || !strings.Contains(dedicated+"\n"+assigned, b) {
				t.Fatalf("serviceIPs(%q, %q) reported %q", dedicated, assigned, b)
			}
		}
	})
}
