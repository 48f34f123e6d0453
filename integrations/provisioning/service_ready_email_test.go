package provisioning_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/integrations/enhance/enhancesim"
	"github.com/ezscale/ezscale/integrations/outbox"
	"github.com/ezscale/ezscale/integrations/platforms"
	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/integrations/pterodactyl/pterodactylsim"
	"github.com/ezscale/ezscale/integrations/synergycp/synergycpsim"
	"github.com/ezscale/ezscale/integrations/virtfusion/virtfusionsim"
	"github.com/ezscale/ezscale/internal/config"
	"github.com/ezscale/ezscale/internal/secrets"
	"github.com/ezscale/ezscale/internal/seed"
	"github.com/ezscale/ezscale/internal/settings"
	"github.com/ezscale/ezscale/internal/testutil"
)

// captured keeps what the deliverer sends.
type captured struct {
	mu   sync.Mutex
	sent map[string]*outbox.Outgoing // by outbox id
}

func (c *captured) Send(_ context.Context, m *outbox.Outgoing) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sent[m.ID] = m
	return "", nil
}

// readyService is one service built on a platform's simulator, its
// service-ready email as queued and as sent, and the login it got.
type readyService struct {
	svc   *core.Record
	row   *core.Record
	sent  *outbox.Outgoing
	creds map[string]string
}

// simulatedPanels starts every platform's simulator and answers a
// configuration reaching them.
func simulatedPanels(t *testing.T) *config.Config {
	t.Helper()
	vfURL, stopVF := virtfusionsim.New("vf-token").Start()
	t.Cleanup(stopVF)
	ptURL, stopPT := pterodactylsim.New("ptla_app", "ptlc_client").Start()
	t.Cleanup(stopPT)
	scURL, stopSC := synergycpsim.New("scp-key").Start()
	t.Cleanup(stopSC)
	en := enhancesim.New("en-token")
	enURL, stopEN := en.Start()
	t.Cleanup(stopEN)
	return &config.Config{
		VirtFusion:  config.Panel{URL: vfURL, Token: "vf-token"},
		Pterodactyl: config.Panel{URL: ptURL, Token: "ptla_app", ClientKey: "ptlc_client"},
		SynergyCP:   config.Panel{URL: scURL, Token: "scp-key"},
		Enhance:     config.Panel{URL: enURL, Token: "en-token", OrgID: en.MOOrgID()},
	}
}

// provisionEveryPlatform orders one demo plan of each platform for one
// customer, builds them on the simulators, and delivers the emails.
func provisionEveryPlatform(t *testing.T, optIn []string) (core.App, map[string]readyService) {
	t.Helper()
	app := testutil.NewApp(t)
	if err := seed.DemoCatalog(app); err != nil {
		t.Fatal(err)
	}
	if optIn != nil {
		rec, err := settings.Record(app)
		if err != nil {
			t.Fatal(err)
		}
		rec.Set("email_credentials_platforms", optIn)
		if err := app.Save(rec); err != nil {
			t.Fatal(err)
		}
	}
	drivers, err := platforms.FromConfig(simulatedPanels(t))
	if err != nil {
		t.Fatal(err)
	}
	box, _ := secrets.New([]byte("0123456789abcdef0123456789abcdef"))
	customer := testutil.Customer(t, app, "ready@example.com", "USD")

	orders := map[string]struct {
		slug, serviceType string
		options           map[string]string
	}{
		"virtfusion":  {"vps-start", "vps", map[string]string{"hostname": "vps.example.net", "os": "debian-12"}},
		"synergycp":   {"dedicated-e3-1270v6", "dedicated", map[string]string{"hostname": "metal.example.net", "os": "debian-12"}},
		"enhance":     {"web-starter", "hosting", map[string]string{"domain": "shop.example.net"}},
		"pterodactyl": {"minecraft-8gb", "game_server", map[string]string{"game": "paper"}},
	}
	services := map[string]*core.Record{}
	for platform, o := range orders {
		plan, err := app.FindFirstRecordByData("plans", "slug", o.slug)
		if err != nil {
			t.Fatal(err)
		}
		svc := testutil.Create(t, app, "services", map[string]any{"customer": customer.Id, "plan": plan.Id,
			"service_type": o.serviceType, "platform": platform, "status": "provisioning", "options": o.options})
		if _, err := provisioning.Enqueue(context.Background(), app, provisioning.Job{ServiceID: svc.Id, Action: provisioning.ActionCreate,
			DedupeKey: "create:" + svc.Id, RunAfter: time.Now().UTC().Add(-time.Second)}); err != nil {
			t.Fatal(err)
		}
		services[platform] = svc
	}
	worker := &provisioning.Worker{App: app, Drivers: drivers, Box: box, Workers: 1, BaseDelay: time.Minute}
	for {
		job, err := worker.Claim("w")
		if err != nil {
			t.Fatal(err)
		}
		if job == nil {
			break
		}
		worker.Process(context.Background(), job)
	}

	sender := &captured{sent: map[string]*outbox.Outgoing{}}
	d := &outbox.Deliverer{App: app, Email: sender, Box: box, Settle: -1}
	for {
		n, err := d.Pass(context.Background(), outbox.ChannelEmail)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}

	out := map[string]readyService{}
	for platform, svc := range services {
		fresh, err := app.FindRecordById("services", svc.Id)
		if err != nil {
			t.Fatal(err)
		}
		if fresh.GetString("status") != "active" {
			job, _ := app.FindFirstRecordByData("provisioning_jobs", "service", svc.Id)
			t.Fatalf("%s: service %s, job %v", platform, fresh.GetString("status"), job.FieldsData())
		}
		creds, err := box.Open(fresh.GetString("credentials"))
		if err != nil {
			t.Fatalf("%s: %v", platform, err)
		}
		row, err := app.FindFirstRecordByFilter(outbox.Collection, "template = 'service_ready' && dedupe_key = {:k}",
			dbx.Params{"k": "service:" + svc.Id + ":ready"})
		if err != nil {
			t.Fatalf("%s: no service-ready email: %v", platform, err)
		}
		row, _ = app.FindRecordById(outbox.Collection, row.Id)
		if row.GetString("status") != "sent" || sender.sent[row.Id] == nil {
			t.Fatalf("%s: email %s not sent: %s", platform, row.GetString("status"), row.GetString("last_error"))
		}
		out[platform] = readyService{svc: fresh, row: row, sent: sender.sent[row.Id], creds: creds}
	}
	return app, out
}

// secretsOf are the values of a login nobody may read outside the portal.
func secretsOf(creds map[string]string) []string {
	var out []string
	for _, k := range []string{"password", "root_password"} {
		if creds[k] != "" {
			out = append(out, creds[k])
		}
	}
	return out
}

// rawNames are the stored credential field names as they would print
// unlabelled ("virtfusion_user_id: 7", "password: ...").
func rawNames(creds map[string]string) []string {
	var out []string
	for k := range creds {
		out = append(out, "\n"+k+": ", ">"+k+"<")
		if strings.Contains(k, "_") {
			out = append(out, k)
		}
	}
	return out
}

func outboxRow(rec *core.Record) string {
	var b strings.Builder
	for _, f := range []string{"recipient", "subject", "body_text", "body_html", "attachments", "last_error", "provider_id", "dedupe_key"} {
		b.WriteString(rec.GetString(f) + "\n")
	}
	return b.String()
}

// The service-ready email of every platform names the service, how to
// reach it and its portal page (where the reveal is audited), and carries
// neither its password nor a raw field name; neither does its outbox row.
func TestServiceReadyEmailCarriesNoSecret(t *testing.T) {
	app, ready := provisionEveryPlatform(t, nil)
	for platform, r := range ready {
		t.Run(platform, func(t *testing.T) {
			if len(secretsOf(r.creds)) == 0 {
				t.Fatalf("the simulator gave no password to look for: %v", keys(r.creds))
			}
			row, mail := outboxRow(r.row), r.sent.Subject+"\n"+r.sent.Text+"\n"+r.sent.HTML
			for _, secret := range secretsOf(r.creds) {
				if strings.Contains(row, secret) {
					t.Errorf("the password is in the outbox row")
				}
				if strings.Contains(mail, secret) {
					t.Errorf("the password is in the email:\n%s", r.sent.Text)
				}
			}
			for _, name := range rawNames(r.creds) {
				if strings.Contains(mail, name) {
					t.Errorf("the email shows the raw field %q:\n%s", name, r.sent.Text)
				}
			}
			if strings.Contains(r.row.GetString("attachments"), outbox.KindServiceCredentials) {
				t.Errorf("the message references the login: %s", r.row.GetString("attachments"))
			}
			link := "/services/" + r.svc.Id
			if !strings.Contains(r.sent.Text, link) || !strings.Contains(r.sent.HTML, link) || !strings.Contains(r.sent.Text, "reveal them") {
				t.Errorf("no link to the portal's reveal:\n%s", r.sent.Text)
			}
			var ips []string
			_ = r.svc.UnmarshalJSONField("ip_addresses", &ips)
			for _, want := range append(ips, r.svc.GetString("hostname")) {
				if want != "" && !strings.Contains(r.sent.Text, want) {
					t.Errorf("the email does not say how to reach the service (%s):\n%s", want, r.sent.Text)
				}
			}
		})
	}
	if n, _ := app.CountRecords("audit_logs", dbx.HashExp{"action": "credentials.email"}); n != 0 {
		t.Errorf("%d logins emailed without an opt-in", n)
	}
}

// With the opt-in for one platform, only that platform's email carries the
// login, labelled for the customer and saying it is also in the portal, and
// its sending is audited; the outbox row still holds no secret.
func TestServiceReadyEmailCarriesTheLoginOnlyWhereOptedIn(t *testing.T) {
	app, ready := provisionEveryPlatform(t, []string{"pterodactyl"})
	for platform, r := range ready {
		t.Run(platform, func(t *testing.T) {
			for _, secret := range secretsOf(r.creds) {
				if strings.Contains(outboxRow(r.row), secret) {
					t.Errorf("the password is in the outbox row")
				}
				carried := strings.Contains(r.sent.Text, secret) && strings.Contains(r.sent.HTML, secret)
				if carried != (platform == "pterodactyl") {
					t.Errorf("password in the email: %v, want %v:\n%s", carried, platform == "pterodactyl", r.sent.Text)
				}
			}
			for _, name := range rawNames(r.creds) {
				if strings.Contains(r.sent.Text+r.sent.HTML, name) {
					t.Errorf("the email shows the raw field %q:\n%s", name, r.sent.Text)
				}
			}
			entries, err := app.FindAllRecords("audit_logs", dbx.HashExp{"action": "credentials.email", "record_id": r.svc.Id})
			if err != nil {
				t.Fatal(err)
			}
			if platform != "pterodactyl" {
				if len(entries) != 0 || strings.Contains(r.sent.Text, "end of this email") {
					t.Errorf("%d audit entries; text:\n%s", len(entries), r.sent.Text)
				}
				return
			}
			if !strings.Contains(r.sent.Text, "Password: "+r.creds["password"]) || !strings.Contains(r.sent.Text, "also in the portal") ||
				!strings.Contains(r.sent.Text, "/services/"+r.svc.Id) {
				t.Errorf("the opted-in email:\n%s", r.sent.Text)
			}
			if len(entries) != 1 || entries[0].GetString("customer") != r.svc.GetString("customer") ||
				!strings.Contains(entries[0].GetString("message"), r.row.Id) {
				t.Errorf("audit of the emailed login: %d entries", len(entries))
			}
		})
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
