package numbering

import (
	"testing"
	"time"
)

func TestFormat(t *testing.T) {
	at := time.Date(2026, 3, 9, 23, 0, 0, 0, time.UTC)
	cases := []struct {
		format, key, number string
		seq                 int64
	}{
		{"INV-{YYYY}-{SEQ:6}", "INV-2026-{SEQ}", "INV-2026-000042", 42},
		{"{YY}{MM}/{SEQ:4}", "2603/{SEQ}", "2603/0007", 7},
		{"CN{SEQ}", "CN{SEQ}", "CN1234567", 1234567},
		{"INV-{SEQ:3}", "INV-{SEQ}", "INV-1000", 1000}, // wider than the padding: never truncated
	}
	for _, tc := range cases {
		f, err := Parse(tc.format)
		if err != nil {
			t.Fatalf("%s: %v", tc.format, err)
		}
		if got := f.Key(at); got != tc.key {
			t.Errorf("%s key: got %q want %q", tc.format, got, tc.key)
		}
		if got := f.Number(at, tc.seq); got != tc.number {
			t.Errorf("%s number: got %q want %q", tc.format, got, tc.number)
		}
	}
}

func TestParseRefuses(t *testing.T) {
	for _, bad := range []string{"INV-{YYYY}", "{SEQ}-{SEQ}", "INV-{DD}-{SEQ}", "INV-{SEQ:0}", "INV-{SEQ"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestKeyChangesWithTheYear(t *testing.T) {
	f, _ := Parse("INV-{YYYY}-{SEQ:6}")
	dec := time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC)
	jan := dec.Add(time.Second)
	if f.Key(dec) == f.Key(jan) {
		t.Error("a yearly format must restart its sequence on 1 January")
	}
	// The local time zone of the caller never moves a number into another year.
	if f.Key(dec.In(time.FixedZone("east", 3600))) != f.Key(dec) {
		t.Error("keys are computed in UTC")
	}
}
