//go:build e2e

package e2e

import (
	"crypto/ed25519"
	"crypto/rand"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"golang.org/x/crypto/ssh"

	"github.com/ezscale/ezscale/internal/testutil"
)

// TestSSHKeyAndLocationAtOrder: a customer saves an SSH key on the
// Security page (a bad one refused first), orders a VPS choosing the key
// and a location, and the VirtFusion simulator's server is built with the
// key in that location's hypervisor group. Another customer sees none of
// the keys.
func TestSSHKeyAndLocationAtOrder(t *testing.T) {
	pf := startPlatform(t)
	plan, err := pf.App.FindFirstRecordByData("plans", "slug", "vps-start")
	if err != nil {
		t.Fatal(err)
	}
	config := map[string]any{}
	if err := plan.UnmarshalJSONField("platform_config", &config); err != nil {
		t.Fatal(err)
	}
	config["locations"] = []any{map[string]any{"name": "Frankfurt", "id": 1}, map[string]any{"name": "Los Angeles", "id": 2}}
	plan.Set("platform_config", config)
	if err := pf.App.Save(plan); err != nil {
		t.Fatal(err)
	}
	const email = "ops@example.com"
	c := testutil.Customer(t, pf.App, email, "USD")
	testutil.Customer(t, pf.App, "other@example.com", "USD")

	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sshPub, _ := ssh.NewPublicKey(pub)
	key := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sshPub))) + " ops@laptop"

	p := newPage(t, pf.URL)
	signInAs(p, email)

	// The Security page: a short key is refused, a good one saved with the
	// server's fingerprint.
	p.visit("/account/security")
	p.waitFor("ssh-keys-empty")
	p.fill("Public key", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI")
	p.clickID("ssh-key-add")
	p.waitFor("ssh-key-error")
	p.screenshot("sshloc-01-bad-key")
	p.fill("Name", "Work laptop")
	p.fill("Public key", key)
	p.clickID("ssh-key-add")
	p.waitFor("ssh-key")
	if got := p.text("ssh-key-fingerprint"); got != ssh.FingerprintSHA256(sshPub) {
		t.Errorf("fingerprint shown %q, want %q", got, ssh.FingerprintSHA256(sshPub))
	}
	p.screenshot("sshloc-02-security")
	p.phone(true)
	p.screenshot("sshloc-03-security-phone")
	p.phone(false)
	saved, err := pf.App.FindFirstRecordByFilter("ssh_keys", "customer = {:c}", dbx.Params{"c": c.Id})
	if err != nil {
		t.Fatal(err)
	}

	// The order: a location among two, the saved key.
	p.visit("/order?plan=vps-start")
	p.waitFor("opt-location")
	p.fill("Hostname", "ops1.example.com")
	p.fill("Operating system", "debian-12")
	p.fill("Location", "Los Angeles")
	p.clickID("opt-ssh-key-" + saved.Id)
	p.clickID("pay-sandbox")
	p.screenshot("sshloc-04-order")
	p.phone(true)
	p.screenshot("sshloc-05-order-phone")
	p.phone(false)
	p.clickID("place-order")
	p.waitFor("order-service-status")

	var svcID string
	for deadline := time.Now().Add(stepTimeout); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		s, err := pf.App.FindFirstRecordByFilter("services", "customer = {:c}", dbx.Params{"c": c.Id})
		if err == nil && s.GetString("status") == "active" {
			svcID = s.GetString("platform_service_id")
			break
		}
	}
	if svcID == "" {
		t.Fatal("the VPS was not built")
	}
	id, _ := strconv.Atoi(svcID)
	keys, group, ok := pf.VPS.ServerSSHKeys(id)
	if !ok || len(keys) != 1 || keys[0] != key || group != 2 {
		t.Errorf("server %s built with keys %q in group %d; want the saved key in group 2 (Los Angeles)", svcID, keys, group)
	}

	// Another customer's Security page lists none of them.
	signInAs(p, "other@example.com")
	p.visit("/account/security")
	p.waitFor("ssh-keys-empty")
}
