package stripe

import (
	"context"
	"strings"
	"testing"
)

func TestEnsureCustomer(t *testing.T) {
	tests := []struct {
		name       string
		existingID string
		info       CustomerInfo
		wantID     string // exact, or "" for "a new cus_… id"
		wantCalls  int
		wantErr    string
	}{
		{
			name:      "creates one with our id",
			info:      CustomerInfo{ID: "c0ffee123456789", Email: "ann@example.com", Name: "Ann Example"},
			wantCalls: 1,
		},
		{
			name:       "reuses the stored id",
			existingID: "cus_Stored123",
			info:       CustomerInfo{ID: "c0ffee123456789", Email: "ann@example.com"},
			wantID:     "cus_Stored123",
		},
		{
			name:    "refuses without our id",
			info:    CustomerInfo{Email: "ann@example.com"},
			wantErr: "our customer id is required",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, rec := newTestClient(t, stripeMockURL)
			id, err := c.EnsureCustomer(context.Background(), tt.existingID, tt.info)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if reqs := rec.requests(); len(reqs) != tt.wantCalls {
				t.Fatalf("%d requests, want %d", len(reqs), tt.wantCalls)
			}
			if tt.wantID != "" {
				if id != tt.wantID {
					t.Fatalf("id = %q, want %q", id, tt.wantID)
				}
				return
			}
			if !strings.HasPrefix(id, "cus_") {
				t.Errorf("id = %q, want a cus_ id", id)
			}
			req := rec.last(t)
			if req.Method != "POST" || req.Path != "/v1/customers" {
				t.Errorf("request %s %s", req.Method, req.Path)
			}
			for param, want := range map[string]string{
				"metadata[customer_id]": tt.info.ID,
				"email":                 tt.info.Email,
				"name":                  tt.info.Name,
			} {
				if got := req.Form.Get(param); got != want {
					t.Errorf("%s = %q, want %q", param, got, want)
				}
			}
			if got, want := req.Header.Get("Idempotency-Key"), "customer-create-"+tt.info.ID; got != want {
				t.Errorf("Idempotency-Key = %q, want %q", got, want)
			}
		})
	}
}
