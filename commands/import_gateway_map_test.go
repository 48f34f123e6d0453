package commands

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadGatewayMap(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, content, wantErr string
		want                   map[string]string
	}{
		{name: "modules named", content: `{"gocardless": "manual", "Stripe_BACS": "stripe"}`,
			want: map[string]string{"gocardless": "manual", "stripe_bacs": "stripe"}},
		{name: "bad JSON", content: `{"gocardless": manual}`, wantErr: "--gateway-map"},
		{name: "unknown gateway", content: `{"gocardless": "sepa"}`, wantErr: `gateway "sepa" is not one of`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".json")
			if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			m, err := readGatewayMap(path)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), path) {
					t.Fatalf("err = %v, want %q naming the file", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(m) != len(tc.want) {
				t.Fatalf("got %v, want %v", m, tc.want)
			}
			for k, v := range tc.want {
				if m[k] != v {
					t.Errorf("%s = %q, want %q", k, m[k], v)
				}
			}
		})
	}
	if _, err := readGatewayMap(filepath.Join(dir, "missing.json")); err == nil || !strings.Contains(err.Error(), "--gateway-map") {
		t.Errorf("a missing file: %v", err)
	}
}
