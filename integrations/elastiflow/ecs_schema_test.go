package elastiflow

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ezscale/ezscale/integrations/elastiflow/elastiflowsim"
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
	sim := elastiflowsim.New("")
	sim.SetMapping("elastiflow-flow-ecs-2.5-000001", elastiflowsim.Fields(ECSFields()))
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
