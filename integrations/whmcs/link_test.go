package whmcs_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/integrations/enhance"
	"github.com/ezscale/ezscale/integrations/enhance/enhancesim"
	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/integrations/pterodactyl"
	"github.com/ezscale/ezscale/integrations/pterodactyl/pterodactylsim"
	"github.com/ezscale/ezscale/integrations/synergycp"
	"github.com/ezscale/ezscale/integrations/synergycp/synergycpsim"
	"github.com/ezscale/ezscale/integrations/virtfusion"
	"github.com/ezscale/ezscale/integrations/virtfusion/virtfusionsim"
	"github.com/ezscale/ezscale/integrations/whmcs"
	"github.com/ezscale/ezscale/internal/mariadbtest"
	"github.com/ezscale/ezscale/internal/testutil"
)

// panels are the four simulators with a driver each.
type panels struct {
	pt      *pterodactylsim.Simulator
	vf      *virtfusionsim.Simulator
	sc      *synergycpsim.Simulator
	en      *enhancesim.Simulator
	drivers map[string]provisioning.Provisioner
}

func startPanels(t *testing.T) *panels {
	t.Helper()
	p := &panels{pt: pterodactylsim.New("app-key", "client-key"), vf: virtfusionsim.New("vf-token"),
		sc: synergycpsim.New("scp-key"), en: enhancesim.New("en-token")}
	start := func(s interface{ Start() (string, func()) }) string {
		url, stop := s.Start()
		t.Cleanup(stop)
		return url
	}
	pt, err1 := pterodactyl.New(pterodactyl.Config{URL: start(p.pt), AppKey: "app-key", ClientKey: "client-key"})
	vf, err2 := virtfusion.New(virtfusion.Config{URL: start(p.vf), Token: "vf-token"})
	sc, err3 := synergycp.New(synergycp.Config{URL: start(p.sc), Key: "scp-key"})
	en, err4 := enhance.New(enhance.Config{URL: start(p.en), Token: "en-token", OrgID: p.en.MOOrgID()})
	for _, err := range []error{err1, err2, err3, err4} {
		if err != nil {
			t.Fatal(err)
		}
	}
	p.drivers = map[string]provisioning.Provisioner{"manual": provisioning.Manual{}, "pterodactyl": pt, "virtfusion": vf,
		"synergycp": sc, "enhance": en}
	return p
}

// linkSource is a WHMCS database of its own (the sample, plus what the
// VirtFusion module records), as the shared one is only read.
func linkSource(t *testing.T) *sql.DB {
	t.Helper()
	server.CreateDatabase(t, "whmcs_link")
	server.LoadSQL(t, "whmcs_link", mariadbtest.FixturePath("whmcs-sample.sql"))
	db := server.Open(t, "whmcs_link")
	// The table as VirtFusion's WHMCS module creates it (lib/Database.php).
	if _, err := db.Exec("CREATE TABLE mod_virtfusion_direct (service_id BIGINT UNSIGNED NULL DEFAULT NULL, " +
		"server_id BIGINT UNSIGNED NULL DEFAULT NULL, created_at TIMESTAMP NULL, updated_at TIMESTAMP NULL, " +
		"server_object LONGTEXT NULL, INDEX (service_id))"); err != nil {
		t.Fatal(err)
	}
	return db
}

func service(t *testing.T, app core.App, whmcsID string) *core.Record {
	t.Helper()
	rec, err := app.FindFirstRecordByData("services", "whmcs_id", whmcsID)
	if err != nil {
		t.Fatalf("service %s: %v", whmcsID, err)
	}
	return rec
}

func outcomes(rep *whmcs.LinkReport) map[string]whmcs.LinkEntry {
	out := map[string]whmcs.LinkEntry{}
	for _, e := range rep.Services {
		out[e.WHMCSID] = e
	}
	return out
}

func auditCount(t *testing.T, app core.App) int {
	t.Helper()
	n, err := app.CountRecords("audit_logs")
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// TestLinkImportedServices imports the WHMCS sample, plants on the four
// panels the servers WHMCS's modules made for some of its live services —
// leaving others missing, or found twice — and links them: a dry run
// reports without writing, the run writes exactly what it reported, the
// linked services are then suspended through their drivers, and a second
// run finds them linked.
func TestLinkImportedServices(t *testing.T) {
	ctx := context.Background()
	app := testutil.NewApp(t)
	src := linkSource(t)
	if _, err := whmcs.Import(ctx, app, src, whmcs.Options{}); err != nil {
		t.Fatal(err)
	}
	p := startPanels(t)

	// Pterodactyl: 22 (client 8) built by the module; 28 never built.
	ptServer := p.pt.PlantWHMCSServer(8, 22, "client8@example.com", "Survival")
	// SynergyCP: 10 (client 25) on server 501; 30 twice; 33 nowhere.
	scClient := p.sc.PlantWHMCSServer(501, "198.51.100.101", 25, 10, "client25@example.com")
	p.sc.PlantWHMCSServer(502, "192.0.2.97", 18, 30, "client18@example.com")
	p.sc.PlantWHMCSServer(503, "192.0.2.98", 18, 30, "client18@example.com")
	// VirtFusion: 3 and 4 recorded by the module; 11 recorded but the
	// server is another client's; 12 recorded twice; 14 and 31 not
	// recorded but found by hostname and by IP; 20 nowhere.
	vf3 := p.vf.PlantWHMCSServer(5, "c5@example.com", "vps3.example.net", "192.0.2.194")
	vf4 := p.vf.PlantWHMCSServer(13, "c13@example.com", "vps4.example.net", "192.0.2.242")
	vfOther := p.vf.PlantWHMCSServer(99, "c99@example.com", "vps11.example.net", "203.0.113.99")
	vf14 := p.vf.PlantWHMCSServer(20, "c20@example.com", "vps14.example.net")
	vf31 := p.vf.PlantWHMCSServer(23, "c23@example.com", "renamed.example.net", "203.0.113.42")
	p.vf.PlantWHMCSServer(23, "c23@example.com", "other.example.net", "203.0.113.250")
	for _, row := range [][2]int{{3, vf3}, {4, vf4}, {11, vfOther}, {12, 7001}, {12, 7002}} {
		if _, err := src.Exec("INSERT INTO mod_virtfusion_direct (service_id, server_id) VALUES (?, ?)", row[0], row[1]); err != nil {
			t.Fatal(err)
		}
	}
	// Enhance: 1, 5, 18 and the suspended 39 have websites; 24's domain is
	// on two; 8, 17 (pending), 29 and 40 have none.
	sites := map[string][3]string{}
	for _, id := range []string{"1", "5", "18", "39"} {
		org, sub, site := p.en.PlantWebsite("Customer of "+id, "site"+id+".example.org", 1)
		sites[id] = [3]string{org, strconv.Itoa(sub), site}
	}
	p.en.PlantWebsite("First", "site24.example.org", 1)
	p.en.PlantWebsite("Second", "site24.example.org", 2)

	// Not configured: without a SynergyCP panel its services are listed so.
	withoutSCP := map[string]provisioning.Provisioner{}
	for k, v := range p.drivers {
		if k != "synergycp" {
			withoutSCP[k] = v
		}
	}
	rep, err := whmcs.Link(ctx, app, src, whmcs.LinkOptions{DryRun: true, Drivers: withoutSCP})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"10", "30", "33"} {
		if e := outcomes(rep)[id]; e.Outcome != whmcs.LinkNotConfigured {
			t.Errorf("service %s without a SynergyCP panel: %+v", id, e)
		}
	}

	want := map[string]string{
		"22": whmcs.LinkLinked, "28": whmcs.LinkNotFound,
		"10": whmcs.LinkLinked, "30": whmcs.LinkAmbiguous, "33": whmcs.LinkNotFound,
		"3": whmcs.LinkLinked, "4": whmcs.LinkLinked, "11": whmcs.LinkNotFound, "12": whmcs.LinkAmbiguous,
		"14": whmcs.LinkLinked, "31": whmcs.LinkLinked, "20": whmcs.LinkNotFound,
		"1": whmcs.LinkLinked, "5": whmcs.LinkLinked, "18": whmcs.LinkLinked, "39": whmcs.LinkLinked,
		"24": whmcs.LinkAmbiguous, "8": whmcs.LinkNotFound, "17": whmcs.LinkNotFound, "29": whmcs.LinkNotFound,
		"40": whmcs.LinkNotFound,
	}
	wantIDs := map[string][2]string{
		"22": {strconv.Itoa(ptServer), "1"}, "10": {"501", strconv.Itoa(scClient)},
		"3": {strconv.Itoa(vf3), "5"}, "4": {strconv.Itoa(vf4), "13"}, "14": {strconv.Itoa(vf14), "20"}, "31": {strconv.Itoa(vf31), "23"},
	}
	for id, s := range sites {
		wantIDs[id] = [2]string{s[0] + "/" + s[1] + "/" + s[2], s[0]}
	}
	check := func(rep *whmcs.LinkReport, linked string) {
		t.Helper()
		got := outcomes(rep)
		if len(got) != len(want) {
			t.Errorf("report has %d services, want the %d live imported ones on panels: %+v", len(got), len(want), rep.Services)
		}
		for id, outcome := range want {
			if outcome == whmcs.LinkLinked {
				outcome = linked
			}
			e := got[id]
			if e.Outcome != outcome {
				t.Errorf("service %s: %s (%s), want %s", id, e.Outcome, e.Reason, outcome)
				continue
			}
			if ids, ok := wantIDs[id]; ok && (e.PlatformServiceID != ids[0] || e.PlatformUserID != ids[1]) {
				t.Errorf("service %s linked to %s/%s, want %s/%s", id, e.PlatformServiceID, e.PlatformUserID, ids[0], ids[1])
			}
			if outcome != whmcs.LinkLinked && outcome != whmcs.LinkAlready && e.Reason == "" {
				t.Errorf("service %s: %s without a reason", id, outcome)
			}
		}
	}

	// Dry run: the full report, nothing written.
	before := auditCount(t, app)
	rep, err = whmcs.Link(ctx, app, src, whmcs.LinkOptions{DryRun: true, Drivers: p.drivers})
	if err != nil {
		t.Fatal(err)
	}
	check(rep, whmcs.LinkLinked)
	if n, _ := app.CountRecords("services", dbx.NewExp("platform_service_id != ''")); n != 0 || auditCount(t, app) != before {
		t.Fatalf("dry run wrote: %d services linked, %d audit entries", n, auditCount(t, app)-before)
	}
	if !strings.Contains(outcomes(rep)["11"].Reason, "extRelationId 99") || !strings.Contains(outcomes(rep)["12"].Reason, "7001, 7002") {
		t.Errorf("reasons do not say why: 11 %q, 12 %q", outcomes(rep)["11"].Reason, outcomes(rep)["12"].Reason)
	}

	// The run: what the dry run said, written and audited.
	rep, err = whmcs.Link(ctx, app, src, whmcs.LinkOptions{Drivers: p.drivers})
	if err != nil {
		t.Fatal(err)
	}
	check(rep, whmcs.LinkLinked)
	var printed strings.Builder
	rep.Print(&printed)
	t.Logf("link report:\n%s", printed.String())
	for id, ids := range wantIDs {
		rec := service(t, app, id)
		if rec.GetString("platform_service_id") != ids[0] || rec.GetString("platform_user_id") != ids[1] {
			t.Errorf("service %s stored %q/%q, want %s/%s", id, rec.GetString("platform_service_id"), rec.GetString("platform_user_id"), ids[0], ids[1])
		}
	}
	if n := auditCount(t, app) - before; n != len(wantIDs) {
		t.Errorf("%d audit entries for %d links", n, len(wantIDs))
	}

	// The drivers reach every linked server: status, then suspension.
	for id := range wantIDs {
		rec := service(t, app, id)
		drv := p.drivers[rec.GetString("platform")]
		ref := provisioning.Ref{ServiceID: rec.Id, PlatformServiceID: rec.GetString("platform_service_id"), PlatformUserID: rec.GetString("platform_user_id")}
		st, err := drv.Status(ctx, []provisioning.Ref{ref})
		// Reached: a state, and for SynergyCP (whose API gives no power
		// reading, so its state is always unknown) the server's addresses.
		if reached := st[rec.Id].State != "" && (st[rec.Id].State != "unknown" || len(st[rec.Id].IPs) > 0); err != nil || !reached {
			t.Errorf("service %s: status %+v, %v", id, st[rec.Id], err)
		}
		if err := drv.Suspend(ctx, ref); err != nil {
			t.Errorf("service %s: suspend: %v", id, err)
		}
		if st, err := drv.Status(ctx, []provisioning.Ref{ref}); err != nil || st[rec.Id].State != "suspended" {
			t.Errorf("service %s: after suspend %+v, %v", id, st[rec.Id], err)
		}
	}
	if sv, _ := p.pt.Server("22"); !sv.Suspended() {
		t.Error("Pterodactyl server of 22 is not suspended on the panel")
	}
	if sv, _ := p.sc.Server(501); sv.Active {
		t.Error("SynergyCP server 501 is not suspended on the panel")
	}
	if _, suspended, _, _, _ := p.vf.ServerState(vf31); !suspended {
		t.Error("VirtFusion server of 31 is not suspended on the panel")
	}
	if !p.en.Suspended(sites["5"][2]) {
		t.Error("Enhance website of 5 is not suspended on the panel")
	}

	// Again: the linked are already linked, nothing else changes.
	before = auditCount(t, app)
	rep, err = whmcs.Link(ctx, app, src, whmcs.LinkOptions{Drivers: p.drivers})
	if err != nil {
		t.Fatal(err)
	}
	check(rep, whmcs.LinkAlready)
	if n := auditCount(t, app) - before; n != 0 {
		t.Errorf("second run wrote %d audit entries", n)
	}
}

// TestLinkPanelErrors: a panel that fails is asked no more after three
// errors in a row; its services are listed as panel errors and nothing is
// written, so the next run links them.
func TestLinkPanelErrors(t *testing.T) {
	ctx := context.Background()
	app := testutil.NewApp(t)
	runImport(t, app, whmcs.Options{})
	p := startPanels(t)
	for _, id := range []string{"1", "5", "18", "24", "29", "40"} {
		p.en.PlantWebsite("Customer of "+id, "site"+id+".example.org", 1)
	}
	p.en.FailNext(1000, http.StatusServiceUnavailable, 0)
	before := p.en.Requests()
	rep, err := whmcs.Link(ctx, app, source(t), whmcs.LinkOptions{Drivers: p.drivers})
	if err != nil {
		t.Fatal(err)
	}
	var enhanceServices int
	for _, c := range rep.Platforms {
		if c.Platform == "enhance" {
			enhanceServices = c.Services
			if c.PanelError != c.Services || c.Linked != 0 {
				t.Errorf("enhance failing: %+v", c)
			}
		}
	}
	if asked := p.en.Requests() - before; asked != 3 || enhanceServices <= 3 {
		t.Errorf("the failing panel was asked %d times for %d services, want 3", asked, enhanceServices)
	}
	if rep.PanelErrors() != enhanceServices {
		t.Errorf("PanelErrors %d, want %d", rep.PanelErrors(), enhanceServices)
	}
	if rec := service(t, app, "5"); rec.GetString("platform_service_id") != "" {
		t.Errorf("a failed lookup wrote %q", rec.GetString("platform_service_id"))
	}

	p.en.Recover()
	rep, err = whmcs.Link(ctx, app, source(t), whmcs.LinkOptions{Drivers: p.drivers})
	if err != nil {
		t.Fatal(err)
	}
	if e := outcomes(rep)["5"]; e.Outcome != whmcs.LinkLinked || service(t, app, "5").GetString("platform_service_id") == "" {
		t.Errorf("after the panel recovered: %+v", e)
	}
}

// TestLinkConflicts: a server linked to another service already is not
// linked a second time, and a service staff linked by hand is left alone.
// This WHMCS has no mod_virtfusion_direct: VirtFusion servers are matched
// by their owner's hostnames and addresses.
func TestLinkConflicts(t *testing.T) {
	ctx := context.Background()
	app := testutil.NewApp(t)
	runImport(t, app, whmcs.Options{})
	p := startPanels(t)
	byIP := p.vf.PlantWHMCSServer(5, "c5@example.com", "one.example.net", "192.0.2.194")
	vps4 := p.vf.PlantWHMCSServer(13, "c13@example.com", "vps4.example.net")
	// Staff linked 12 by hand to the server that is 4's.
	manual := service(t, app, "12")
	manual.Set("platform_service_id", strconv.Itoa(vps4))
	manual.Set("platform_user_id", "12")
	if err := app.Save(manual); err != nil {
		t.Fatal(err)
	}

	for _, dryRun := range []bool{true, false} {
		rep, err := whmcs.Link(ctx, app, source(t), whmcs.LinkOptions{DryRun: dryRun, Drivers: p.drivers})
		if err != nil {
			t.Fatal(err)
		}
		got := outcomes(rep)
		if e := got["3"]; e.Outcome != whmcs.LinkLinked || e.PlatformServiceID != strconv.Itoa(byIP) {
			t.Errorf("dry run %v: 3 by its address: %+v", dryRun, e)
		}
		if e := got["4"]; e.Outcome != whmcs.LinkConflict || !strings.Contains(e.Reason, manual.Id) || e.PlatformServiceID != "" {
			t.Errorf("dry run %v: 4, whose server is linked to 12: %+v", dryRun, e)
		}
		if e := got["12"]; e.Outcome != whmcs.LinkAlready || e.PlatformServiceID != strconv.Itoa(vps4) {
			t.Errorf("dry run %v: 12, linked by staff: %+v", dryRun, e)
		}
		if !strings.Contains(strings.Join(rep.Notes, " "), "mod_virtfusion_direct") {
			t.Errorf("no note that the module's table is missing: %v", rep.Notes)
		}
	}
	if rec := service(t, app, "4"); rec.GetString("platform_service_id") != "" {
		t.Errorf("4 was linked to %q, 12's server", rec.GetString("platform_service_id"))
	}
	if rec := service(t, app, "3"); rec.GetString("platform_service_id") != strconv.Itoa(byIP) || rec.GetString("platform_user_id") != "5" {
		t.Errorf("3 stored %q/%q", rec.GetString("platform_service_id"), rec.GetString("platform_user_id"))
	}
}

// keyless is a platform that can search by nothing the services have.
type keyless struct{ provisioning.Manual }

func (keyless) Link(context.Context, provisioning.LinkRequest) (provisioning.Linked, error) {
	return provisioning.Linked{}, fmt.Errorf("%w: no domain", provisioning.ErrNoLinkKey)
}

// TestLinkNothingToSearchBy: a service without what its panel is searched
// by is not found, with the reason; it is no panel error, and the panel is
// asked about every such service.
func TestLinkNothingToSearchBy(t *testing.T) {
	app := testutil.NewApp(t)
	runImport(t, app, whmcs.Options{})
	rep, err := whmcs.Link(context.Background(), app, source(t), whmcs.LinkOptions{
		Drivers: map[string]provisioning.Provisioner{"pterodactyl": keyless{}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"22", "28"} {
		if e := outcomes(rep)[id]; e.Outcome != whmcs.LinkNotFound || !strings.Contains(e.Reason, "no domain") {
			t.Errorf("%s: %+v", id, e)
		}
	}
	if rep.PanelErrors() != 0 {
		t.Errorf("%d panel errors", rep.PanelErrors())
	}
}
