package mailgun

import (
	"context"
	"errors"
	"net/http"
	"testing"

	mg "github.com/mailgun/mailgun-go/v4"

	"github.com/ezscale/ezscale/integrations/mailgun/mailgunsim"
	"github.com/ezscale/ezscale/integrations/outbox"
	"github.com/ezscale/ezscale/internal/config"
)

func TestNewPicksTheAPIBase(t *testing.T) {
	for _, tc := range []struct {
		cfg  config.Mailgun
		base string
		err  bool
	}{
		{config.Mailgun{Domain: "mg.example.com", APIKey: "k"}, mg.APIBaseUS, false},
		{config.Mailgun{Domain: "mg.example.com", APIKey: "k", Region: "us"}, mg.APIBaseUS, false},
		{config.Mailgun{Domain: "mg.example.com", APIKey: "k", Region: "eu"}, mg.APIBaseEU, false},
		{config.Mailgun{Domain: "mg.example.com", APIKey: "k", Region: "eu", APIBase: "http://127.0.0.1:9/v3/"}, "http://127.0.0.1:9/v3", false},
		{config.Mailgun{Domain: "", APIKey: "k"}, "", true},
		{config.Mailgun{Domain: "mg.example.com"}, "", true},
	} {
		s, err := New(tc.cfg)
		if (err != nil) != tc.err || (err == nil && s.client.APIBase() != tc.base) {
			t.Errorf("%+v: %v", tc.cfg, err)
		}
	}
}

// The sender against the simulator: wrong key and unknown domain are
// answers (retried, staff can fix them), a refused message is permanent,
// an unreachable server leaves the outcome unknown; Confirm finds what
// was accepted.
func TestSendAndConfirm(t *testing.T) {
	sim := mailgunsim.New("mg.example.com", "key-right")
	defer sim.Close()
	m := &outbox.Outgoing{ID: "abc", To: "a@example.com", Subject: "s", Text: "t", MessageID: "<outbox.abc@mg.example.com>",
		Files: []outbox.File{{Name: "INV-1.pdf", Data: []byte("%PDF-1.7")}}}
	for _, tc := range []struct {
		name     string
		cfg      config.Mailgun
		fail     int
		want     string // "", permanent, unknown, retry
		accepted bool
	}{
		{"accepted", config.Mailgun{Domain: "mg.example.com", APIKey: "key-right", APIBase: sim.APIBase()}, 0, "", true},
		{"wrong key", config.Mailgun{Domain: "mg.example.com", APIKey: "key-wrong", APIBase: sim.APIBase()}, 0, "retry", false},
		{"unknown domain", config.Mailgun{Domain: "other.example.com", APIKey: "key-right", APIBase: sim.APIBase()}, 0, "retry", false},
		{"refused", config.Mailgun{Domain: "mg.example.com", APIKey: "key-right", APIBase: sim.APIBase()}, http.StatusBadRequest, "permanent", false},
		{"unreachable", config.Mailgun{Domain: "mg.example.com", APIKey: "key-right", APIBase: "http://127.0.0.1:1/v3"}, 0, "unknown", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := New(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if tc.fail != 0 {
				sim.FailNext(tc.fail)
			}
			before := sim.Count(m.MessageID)
			id, err := s.Send(context.Background(), m)
			var perm *outbox.PermanentError
			var unknown *outbox.UnknownError
			got := ""
			switch {
			case err == nil:
			case errors.As(err, &perm):
				got = "permanent"
			case errors.As(err, &unknown):
				got = "unknown"
			default:
				got = "retry"
			}
			if got != tc.want || (err == nil && id != m.MessageID) {
				t.Fatalf("send: %q %v (%s), want %s", id, err, got, tc.want)
			}
			if accepted := sim.Count(m.MessageID) > before; accepted != tc.accepted {
				t.Fatalf("accepted %v, want %v", accepted, tc.accepted)
			}
		})
	}
	s, _ := New(config.Mailgun{Domain: "mg.example.com", APIKey: "key-right", APIBase: sim.APIBase()})
	if pid, ok, err := s.Confirm(context.Background(), m); err != nil || !ok || pid != m.MessageID {
		t.Errorf("confirm an accepted message: %q %v %v", pid, ok, err)
	}
	if _, ok, err := s.Confirm(context.Background(), &outbox.Outgoing{MessageID: "<outbox.never@mg.example.com>"}); err != nil || ok {
		t.Errorf("confirm a message never sent: %v %v", ok, err)
	}
	if got := sim.Received()[0].Attachments["INV-1.pdf"]; string(got) != "%PDF-1.7" {
		t.Errorf("attachment as received: %q", got)
	}
}
