package notify

import (
	"context"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/settings"
)

// ServiceReady queues the email telling a customer their new service is
// live: its name, addresses and panel, and a link to its portal page,
// where revealing the login is audited. The portal promises the login
// stays sealed there, so the email carries it only for the platforms the
// business opted in (settings.email_credentials_platforms), and then as a
// reference the delivery opens and audits, so the outbox never holds it.
// panelURL is the platform's panel for this service, when it has one that
// is not a sign-in link.
func ServiceReady(ctx context.Context, app core.App, customer, svc *core.Record, planName, panelURL string) (*core.Record, error) {
	s, err := settings.Load(app)
	if err != nil {
		return nil, err
	}
	emailed := s.EmailsCredentials(svc.GetString("platform")) && svc.GetString("credentials") != ""
	e := Email{Key: "service_ready", Customer: customer, DedupeKey: "service:" + svc.Id + ":ready",
		Data: Data{"Service": ReadyServiceFacts(svc, planName, panelURL), "Link": ServiceLink(app, svc.Id), "CredentialsEmailed": emailed}}
	if emailed {
		e.Attachments = []map[string]string{{"kind": "service_credentials", "service": svc.Id}}
	}
	return Customer(ctx, app, e)
}

// ReadyServiceFacts are what the service-ready email shows of a service:
// how to reach it, never how to log in.
func ReadyServiceFacts(svc *core.Record, planName, panelURL string) Data {
	var ips []string
	_ = svc.UnmarshalJSONField("ip_addresses", &ips)
	return Data{"ID": svc.Id, "Label": ServiceLabel(svc), "Plan": planName, "Hostname": svc.GetString("hostname"),
		"Addresses": ips, "PanelURL": panelURL}
}
