package provisioning_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/ezscale/ezscale/integrations/provisioning"
)

func TestChooseLocation(t *testing.T) {
	two := []provisioning.Location{{Name: "Frankfurt", ID: "3"}, {Name: "Los Angeles", ID: "7"}}
	cases := []struct {
		name    string
		locs    []provisioning.Location
		chosen  string
		wantID  string
		wantOK  bool
		wantErr string
	}{
		{"the chosen one", two, "Los Angeles", "7", true, ""},
		{"case and spaces do not matter", two, " los angeles ", "7", true, ""},
		{"none chosen: the plan's first", two, "", "3", true, ""},
		{"the only one", two[:1], "", "3", true, ""},
		{"no locations: the plan-wide setting", nil, "Paris", "", false, ""},
		{"one the plan dropped", two, "Paris", "", false, `"Paris" is not offered`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			loc, ok, err := provisioning.ChooseLocation(c.locs, c.chosen)
			if c.wantErr != "" {
				var pe *provisioning.Error
				if !errors.As(err, &pe) || !pe.Permanent || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want a permanent error containing %q", err, c.wantErr)
				}
				return
			}
			if err != nil || ok != c.wantOK || loc.ID != c.wantID {
				t.Fatalf("= %+v, %v, %v; want id %q, ok %v", loc, ok, err, c.wantID, c.wantOK)
			}
		})
	}
}

func TestParseLocations(t *testing.T) {
	cases := []struct {
		name    string
		config  map[string]any
		want    []provisioning.Location
		wantErr string
	}{
		{"absent", map[string]any{}, nil, ""},
		{"numbers and texts", map[string]any{"locations": []any{map[string]any{"name": " Frankfurt ", "id": float64(3)}, map[string]any{"name": "LA", "id": "LOC-LA1"}}},
			[]provisioning.Location{{Name: "Frankfurt", ID: "3"}, {Name: "LA", ID: "LOC-LA1"}}, ""},
		{"empty list", map[string]any{"locations": []any{}}, nil, "at least one"},
		{"no id", map[string]any{"locations": []any{map[string]any{"name": "Frankfurt"}}}, nil, "platform's id"},
		{"fractional id", map[string]any{"locations": []any{map[string]any{"name": "Frankfurt", "id": 1.5}}}, nil, "platform's id"},
		{"no name", map[string]any{"locations": []any{map[string]any{"id": float64(1)}}}, nil, "name must be"},
		{"twice", map[string]any{"locations": []any{map[string]any{"name": "A", "id": float64(1)}, map[string]any{"name": "a", "id": float64(2)}}}, nil, "listed twice"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := provisioning.ParseLocations(c.config)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil || len(got) != len(c.want) {
				t.Fatalf("= %v, %v; want %v", got, err, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Errorf("[%d] = %+v, want %+v", i, got[i], c.want[i])
				}
			}
		})
	}
}
