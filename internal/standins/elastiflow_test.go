package standins

import (
	"context"
	"testing"
	"time"

	"github.com/ezscale/ezscale/integrations/elastiflow"
)

func TestDevSourceFeedsAndCounts(t *testing.T) {
	d, err := NewDevSource()
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	to := time.Now().UTC()
	from := to.Truncate(24*time.Hour).AddDate(0, 0, -2)
	services := []elastiflow.Service{{ID: "a", IPs: []string{"203.0.113.10", "2001:db8:1::10"}}, {ID: "b", IPs: []string{"203.0.113.11"}}}
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

// TestDevSourceBoundsItsLookBack: asking the dev source about a year (an
// annual period from its first day) makes up traffic for the last
// DevLookback only, in one delivery: it used to feed every day of the
// year one by one, re-sorting the store each time.
func TestDevSourceBoundsItsLookBack(t *testing.T) {
	d, err := NewDevSource()
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	now := time.Now().UTC()
	services := []elastiflow.Service{{ID: "a", IPs: []string{"203.0.113.10", "2001:db8:1::10"}}, {ID: "b", IPs: []string{"203.0.113.11"}}}
	if _, _, err := d.Usage(context.Background(), services, now.AddDate(-1, 0, 0), now); err != nil {
		t.Fatal(err)
	}
	days := int(DevLookback/(24*time.Hour)) + 1
	if max := 3 * days * 48; d.Records() > max || d.Records() == 0 {
		t.Errorf("%d records for 3 addresses over a year, want 1 to %d (%d days)", d.Records(), max, days)
	}
}

// TestStartElastiFlow: dev mode without a cluster gets the dev traffic
// source; with one, none (the server reads the configured cluster).
func TestStartElastiFlow(t *testing.T) {
	dev, err := startElastiFlow(devConfig(t, nil))
	if err != nil || dev == nil {
		t.Fatalf("dev mode without a cluster: %v, %v", dev, err)
	}
	dev.Close()
	configured, err := startElastiFlow(devConfig(t, map[string]string{"ELASTICSEARCH_URL": "https://es.example.net:9200", "ELASTICSEARCH_API_KEY": "k"}))
	if err != nil || configured != nil {
		t.Fatalf("configured cluster: %v, %v", configured, err)
	}
}
