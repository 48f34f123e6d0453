package elastiflow

import (
	"context"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/ezscale/ezscale/internal/config"
)

// TestECSIndexUsesECSFields: with ELASTIFLOW_INDEX=elastiflow-flow-ecs-*
// the client used to query CODEX names (flow.bytes, flow.src.ip.addr),
// which no ECS document has: every service read 0 bytes. Through the real
// client against a simulator holding ECS documents, the totals are the
// generator's.
func TestECSIndexUsesECSFields(t *testing.T) {
	from := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(0, 0, 3)
	ds := Generate(GenConfig{Services: 8, Flows: 2000, From: from, To: to, Seed: 3})
	sim := NewSimulator("")
	sim.SetMapping("elastiflow-flow-ecs-2.5-000001", ECSFields())
	sim.Add(ds.Flows...)
	url, stop := sim.Start()
	defer stop()

	for _, tc := range []struct {
		name string
		cfg  config.Elastiflow
	}{
		{"ECS pattern", config.Elastiflow{URL: url, Index: ECSIndex}},
		{"schema named", config.Elastiflow{URL: url, Index: "elastiflow-flow-*", Schema: SchemaECS}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := FromConfig(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			got, _, err := c.Usage(context.Background(), ds.Services, from, to)
			if err != nil {
				t.Fatal(err)
			}
			if want := ds.Expected(from, to, false); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("usage differs from the generator's:\n got %v\nwant %v", got, want)
			}
		})
	}
}

func TestFieldsFor(t *testing.T) {
	tests := []struct {
		index, schema string
		want          Fields
		err           bool
	}{
		{DefaultIndex, "", DefaultFields(), false},
		{ECSIndex, "", ECSFields(), false},
		{"flows-ECS-2025.06", "", ECSFields(), false},
		{"elastiflow-flow-decs-*", "", DefaultFields(), false},
		{ECSIndex, "codex", DefaultFields(), false},
		{"netflow-*", "ECS", ECSFields(), false},
		{ECSIndex, "ecs6", Fields{}, true},
	}
	for _, tc := range tests {
		got, err := FieldsFor(tc.index, tc.schema)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("FieldsFor(%q, %q) = %v, %v; want %v (error %v)", tc.index, tc.schema, got, err, tc.want, tc.err)
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
	services := []Service{{ID: "a", IPs: []string{"203.0.113.10", "2001:db8:1::10"}}, {ID: "b", IPs: []string{"203.0.113.11"}}}
	if _, _, err := d.Usage(context.Background(), services, now.AddDate(-1, 0, 0), now); err != nil {
		t.Fatal(err)
	}
	days := int(DevLookback/day) + 1
	if max := 3 * days * 48; d.Records() > max || d.Records() == 0 {
		t.Errorf("%d records for 3 addresses over a year, want 1 to %d (%d days)", d.Records(), max, days)
	}
}

// TestSimulatorAddKeepsTimeOrder: late deliveries are merged, not appended.
func TestSimulatorAddKeepsTimeOrder(t *testing.T) {
	sim := NewSimulator("")
	at := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	a := netip.MustParseAddr("203.0.113.1")
	for _, h := range []int{5, 1, 9, 3, 3, 0} {
		sim.Add(Flow{Time: at.Add(time.Duration(h) * time.Hour), SrcIP: a, DstIP: a, Bytes: int64(h + 1)},
			Flow{Time: at.Add(time.Duration(h*2) * time.Hour), SrcIP: a, DstIP: a, Bytes: 1})
	}
	for i := 1; i < len(sim.docs); i++ {
		if sim.docs[i].ts < sim.docs[i-1].ts {
			t.Fatalf("records out of time order at %d", i)
		}
	}
	if sim.Len() != 12 {
		t.Errorf("%d records, want 12", sim.Len())
	}
}
