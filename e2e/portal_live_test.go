//go:build e2e

package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestPortalLivePower: a customer stops their VPS and watches the badge go
// from Online to Stopping… to Offline without reloading the page, with
// only the actions that apply enabled at each step, then starts it again
// (Starting… → Online). The platform takes seconds to carry out an action,
// as a real one does. The usage card shows memory and disk against the
// totals the platform reports.
func TestPortalLivePower(t *testing.T) {
	pf := startPlatform(t)
	pf.VPS.PowerDelay = 4 * time.Second
	vps := vpsServer(t, pf, "live@example.com", "live-1")

	p := newPage(t, pf.URL)
	p.visit("/login")
	p.fill("Email", "live@example.com")
	p.fill("Password", testPassword)
	p.click("Log in")
	p.waitFor("service-row")
	p.visit("/services/" + vps)
	p.poll("online", `document.querySelector('[data-testid="service-status"]')?.dataset.status === 'online'`)
	eval[bool](p, "mark the page", `window.__sameDocument = true`)
	enabled(t, p, "online", "stop", "restart", "kill")
	for _, key := range []string{"memory", "disk"} {
		if got := p.text("usage-" + key + "-text"); !strings.Contains(got, " of ") {
			t.Errorf("%s shown as %q, want used of total", key, got)
		}
	}
	p.screenshot("live-01-online")

	// Stop: Stopping… while the platform shuts it down, then Offline.
	p.clickID("power-stop")
	p.clickID("confirm")
	stopped := time.Now()
	p.poll("stopping", `document.querySelector('[data-testid="service-status"]')?.dataset.status === 'stopping'`)
	if got := p.text("service-status"); got != "stopping…" && got != "Stopping…" {
		t.Errorf("badge while stopping: %q", got)
	}
	enabled(t, p, "stopping", "kill")
	p.screenshot("live-02-stopping")
	p.phone(true)
	p.screenshot("live-02-stopping-phone")
	p.phone(false)
	waitStatus(t, p, "offline", time.Minute)
	enabled(t, p, "offline", "start")
	p.screenshot("live-03-offline")

	// Start, once the per-service power throttle lets it.
	time.Sleep(time.Until(stopped.Add(11 * time.Second)))
	p.clickID("power-start")
	p.clickID("confirm")
	p.poll("starting", `document.querySelector('[data-testid="service-status"]')?.dataset.status === 'starting'`)
	enabled(t, p, "starting")
	p.screenshot("live-04-starting")
	waitStatus(t, p, "online", time.Minute)
	enabled(t, p, "online again", "stop", "restart", "kill")
	p.screenshot("live-05-online-again")
	p.phone(true)
	p.screenshot("live-05-online-again-phone")
	p.phone(false)
	if !eval[bool](p, "same document", `window.__sameDocument === true`) {
		t.Error("the page reloaded to show the new state")
	}
	if svc, _ := pf.App.FindRecordById("services", vps); svc.GetString("power_state") != "online" {
		t.Errorf("the service's power state is %q", svc.GetString("power_state"))
	}
}

// waitStatus waits up to limit for the service badge to show state.
func waitStatus(t *testing.T, p *page, state string, limit time.Duration) {
	t.Helper()
	expr := fmt.Sprintf(`document.querySelector('[data-testid="service-status"]')?.dataset.status === %q`, state)
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
		if eval[bool](p, "status "+state, expr) {
			return
		}
	}
	t.Fatalf("the badge did not show %s within %s: %q", state, limit, p.text("service-status"))
}

// enabled checks that exactly these power buttons are enabled.
func enabled(t *testing.T, p *page, when string, actions ...string) {
	t.Helper()
	got := eval[string](p, "enabled power buttons", `['start', 'stop', 'restart', 'kill']
		.filter((a) => !document.querySelector('[data-testid="power-' + a + '"]').disabled).join(',')`)
	if want := strings.Join(actions, ","); got != want {
		t.Errorf("%s: enabled %q, want %q", when, got, want)
	}
}
