package elastiflow

import (
	"context"
	"testing"
	"time"
)

func TestDevSourceFeedsAndCounts(t *testing.T) {
	d, err := NewDevSource()
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	to := time.Now().UTC()
	from := to.Truncate(24*time.Hour).AddDate(0, 0, -2)
	services := []Service{{ID: "a", IPs: []string{"203.0.113.10", "2001:db8:1::10"}}, {ID: "b", IPs: []string{"203.0.113.11"}}}
	first, _, err := d.Usage(context.Background(), services, from, to)
	if err != nil {
		t.Fatal(err)
	}
	total := map[string]int64{}
	for _, u := range first {
		total[u.ServiceID] += u.BytesIn + u.BytesOut
	}
	if total["a"] == 0 || total["b"] == 0 {
		t.Fatalf("no dev traffic: %v", first)
	}
	// Asking again feeds nothing twice: the same numbers.
	again, _, err := d.Usage(context.Background(), services, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != len(first) {
		t.Fatalf("rows %d then %d", len(first), len(again))
	}
	for i := range first {
		if first[i] != again[i] {
			t.Errorf("row %d changed: %v then %v", i, first[i], again[i])
		}
	}
}
