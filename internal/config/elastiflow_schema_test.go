package config

import (
	"strings"
	"testing"
)

// TestElastiflowSchema: ELASTIFLOW_SCHEMA names the index's field names
// (any case); anything but codex or ecs is refused, naming the variable.
func TestElastiflowSchema(t *testing.T) {
	cases := []struct {
		value, want, wantErr string
	}{
		{"", "", ""},
		{"ecs", "ecs", ""},
		{"CODEX", "codex", ""},
		{"ecs8", "", "ELASTIFLOW_SCHEMA"},
	}
	for _, tc := range cases {
		c, err := FromEnv(env(map[string]string{"EZ_DEV": "1", "ELASTIFLOW_SCHEMA": tc.value}))
		switch {
		case tc.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%q: want error %q, got %v", tc.value, tc.wantErr, err)
			}
		case err != nil:
			t.Errorf("%q: %v", tc.value, err)
		case c.Elastiflow.Schema != tc.want:
			t.Errorf("%q: schema %q, want %q", tc.value, c.Elastiflow.Schema, tc.want)
		}
	}
}
