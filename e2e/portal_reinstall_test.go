//go:build e2e

package e2e

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/internal/testutil"
)

// vpsServer creates a customer with a paid VPS (Debian 12) and lets the
// platform's worker build it on the VirtFusion simulator.
func vpsServer(t *testing.T, pf *platform, email, label string) string {
	t.Helper()
	c := testutil.Customer(t, pf.App, email, "USD")
	plan, err := pf.App.FindFirstRecordByData("plans", "slug", "vps-start")
	if err != nil {
		t.Fatal(err)
	}
	price, err := pf.App.FindFirstRecordByFilter("plan_prices", "plan = {:p} && currency = 'USD' && cycle = 'monthly'", dbx.Params{"p": plan.Id})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	sub := testutil.Create(t, pf.App, "subscriptions", map[string]any{
		"customer": c.Id, "plan": plan.Id, "plan_price": price.Id, "status": "active", "cycle": "monthly",
		"currency": "USD", "amount": price.GetInt("amount"), "anchor_at": now, "anchor_day": now.Day(),
		"current_period_start": now, "current_period_end": now.AddDate(0, 1, 0), "billed_until": now.AddDate(0, 1, 0),
	})
	svc := testutil.Create(t, pf.App, "services", map[string]any{
		"customer": c.Id, "subscription": sub.Id, "plan": plan.Id, "label": label, "service_type": "vps",
		"platform": "virtfusion", "status": "provisioning", "options": map[string]string{"os": "debian-12", "hostname": label + ".example.net"},
	})
	if _, err := provisioning.Enqueue(context.Background(), pf.App, provisioning.Job{ServiceID: svc.Id, Action: provisioning.ActionCreate,
		DedupeKey: "e2e:" + svc.Id + ":create", RequestedBy: "e2e"}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(stepTimeout); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if s, err := pf.App.FindRecordById("services", svc.Id); err == nil && s.GetString("status") == "active" {
			return svc.Id
		}
	}
	t.Fatal("the VPS was not built")
	return ""
}

// reinstallFromThePage opens the service's reinstall form, picks choice,
// types the confirmation, and submits while the platform answers slowly,
// so the page shows "Reinstalling…" until the queue is done. name is the
// screenshots' prefix.
func reinstallFromThePage(t *testing.T, p *page, serviceID, choice, confirm, name string, slow func(time.Duration)) {
	t.Helper()
	p.visit("/services/" + serviceID)
	p.waitFor("reinstall-open")
	p.clickID("reinstall-open")
	p.waitFor("reinstall-choice")
	if eval[bool](p, "submit enabled unconfirmed", `!document.querySelector('[data-testid="reinstall-submit"]').disabled`) {
		t.Error("the reinstall can be sent before the name is typed")
	}
	p.fill(map[bool]string{true: "Game", false: "Operating system"}[name == "reinstall-game"], choice)
	p.fill("Type "+confirm, confirm)
	p.screenshot(name + "-form")
	p.phone(true)
	p.screenshot(name + "-form-phone")
	p.phone(false)

	slow(3 * time.Second)
	p.clickID("reinstall-submit")
	p.waitFor("reinstall-state")
	if got := p.text("service-status"); !strings.EqualFold(got, "reinstalling…") {
		t.Errorf("status badge while reinstalling: %q", got)
	}
	if eval[bool](p, "power offered while reinstalling", `[...document.querySelectorAll('[data-testid^="power-"]')].some((b) => !b.disabled)`) {
		t.Error("a power action is offered while the server is being reinstalled")
	}
	p.screenshot(name + "-reinstalling")
	p.phone(true)
	p.screenshot(name + "-reinstalling-phone")
	p.phone(false)
	slow(0)
}

// TestPortalReinstall: a customer reinstalls their VPS with another OS,
// typing its name to confirm, watches "Reinstalling…" and then sees the
// new OS on the page without reloading it; another changes their game
// server's game (egg).
func TestPortalReinstall(t *testing.T) {
	pf := startPlatform(t)

	vps := vpsServer(t, pf, "rebuild@example.com", "web-1")
	p := newPage(t, pf.URL)
	p.visit("/login")
	p.fill("Email", "rebuild@example.com")
	p.fill("Password", testPassword)
	p.click("Log in")
	p.waitFor("service-row")
	reinstallFromThePage(t, p, vps, "2", "web-1", "reinstall-vps", pf.VPS.SetLatency)
	p.waitText("Reinstalled with Ubuntu 24.04 LTS")
	if strings.HasPrefix(strings.ToLower(p.text("service-status")), "reinstalling") {
		t.Error("the badge still says reinstalling")
	}
	p.screenshot("reinstall-vps-done")
	p.phone(true)
	p.screenshot("reinstall-vps-done-phone")
	p.phone(false)
	svc, _ := pf.App.FindRecordById("services", vps)
	id, _ := strconv.Atoi(svc.GetString("platform_service_id"))
	if template, rebuilds, _, _ := pf.VPS.ServerOS(id); template != 2 || rebuilds != 1 {
		t.Errorf("VirtFusion's server: template %d after %d rebuilds", template, rebuilds)
	}

	game := gameServer(t, pf, "gamer2@example.com", "mc-1")
	g := newPage(t, pf.URL)
	g.visit("/login")
	g.fill("Email", "gamer2@example.com")
	g.fill("Password", testPassword)
	g.click("Log in")
	g.waitFor("service-row")
	pf.Game.SetInstallTime(200 * time.Millisecond)
	reinstallFromThePage(t, g, game, "6", "mc-1", "reinstall-game", pf.Game.SetLatency)
	g.waitText("Reinstalled with Rust")
	g.screenshot("reinstall-game-done")
	if sv, _ := pf.Game.Server(game); sv.Egg != 6 {
		t.Errorf("the panel's server has egg %d, want Rust (6)", sv.Egg)
	}
}
