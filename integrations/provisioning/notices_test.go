package provisioning_test

import (
	"testing"

	"github.com/pocketbase/dbx"

	"github.com/ezscale/ezscale/integrations/provisioning"
)

// When the platform has done it, the customer hears that their service is
// suspended (by staff; dunning announces its own), back, or terminated:
// one email per job.
func TestStatusNotices(t *testing.T) {
	tests := []struct {
		name, status, reason string
		action               provisioning.Action
		template             string // "" = no email
	}{
		{"staff suspension", "suspended", "staff", "suspend", "service_suspended"},
		{"abuse suspension", "suspended", "abuse", "suspend", "service_suspended"},
		{"overdue suspension", "suspended", "overdue", "suspend", ""},
		{"unsuspension", "suspended", "overdue", "unsuspend", "service_unsuspended"},
		{"termination", "active", "", "terminate", "service_terminated"},
		{"plan change", "active", "", "change_plan", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			svc := w.service(t, tc.status)
			svc.Set("suspend_reason", tc.reason)
			svc.Set("label", "<i>db</i>")
			if err := w.app.Save(svc); err != nil {
				t.Fatal(err)
			}
			job := w.enqueue(t, svc, tc.action)
			w.drain(t)
			w.drain(t)
			msgs, err := w.app.FindAllRecords("outbox", dbx.HashExp{"channel": "email"})
			if err != nil {
				t.Fatal(err)
			}
			if tc.template == "" {
				if len(msgs) != 0 {
					t.Errorf("%d emails, want none", len(msgs))
				}
				return
			}
			if len(msgs) != 1 {
				t.Fatalf("%d emails, want one", len(msgs))
			}
			m := msgs[0]
			if m.GetString("template") != tc.template || m.GetString("recipient") != w.customer.Email() ||
				m.GetString("dedupe_key") != "job:"+job.Id+":"+tc.template || m.GetString("body_text") == "" {
				t.Errorf("email %v", m.FieldsData())
			}
		})
	}
}
