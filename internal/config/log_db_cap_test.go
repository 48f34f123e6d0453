package config

import (
	"strings"
	"testing"
)

func TestLogDBMaxMB(t *testing.T) {
	cases := []struct {
		value   string
		want    int
		wantErr bool
	}{
		{"", 64, false},
		{"128", 128, false},
		{"1", 1, false},
		{"0", 0, true},
		{"-5", 0, true},
		{"64MB", 0, true},
		{"2000000", 0, true},
	}
	for _, tc := range cases {
		c, err := FromEnv(env(map[string]string{"EZ_DEV": "1", "EZ_LOG_DB_MAX_MB": tc.value}))
		if tc.wantErr {
			if err == nil || !strings.Contains(err.Error(), "EZ_LOG_DB_MAX_MB") {
				t.Errorf("EZ_LOG_DB_MAX_MB=%q: error %v, want one naming the variable", tc.value, err)
			}
			continue
		}
		if err != nil || c.LogDBMaxMB != tc.want {
			t.Errorf("EZ_LOG_DB_MAX_MB=%q: %d, %v; want %d", tc.value, c.LogDBMaxMB, err, tc.want)
		}
	}
}
