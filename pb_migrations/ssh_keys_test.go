package migrations_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"golang.org/x/crypto/ssh"

	"github.com/ezscale/ezscale/internal/testutil"
)

// newSSHKey is a fresh ed25519 public key line, as a customer pastes it.
func newSSHKey() string {
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	key, err := ssh.NewPublicKey(pub)
	if err != nil {
		panic(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(key))) + " me@laptop"
}

// sshKeyBody is a new key for A's account, whoever sends it.
func sshKeyBody(f *fixture, _ string, _ actor) map[string]any {
	return map[string]any{"customer": f.id("customers", "A"), "name": "New", "public_key": newSSHKey()}
}

// TestSSHKeysMigrationOffersKeysOnVPSPlans: the VPS plans already sold
// offer saved keys at order once the collection exists; other plans and
// staff's own order options are left as they were.
func TestSSHKeysMigrationOffersKeysOnVPSPlans(t *testing.T) {
	app := testutil.NewMigratedApp(t)
	var m *core.Migration
	for _, item := range core.AppMigrations.Items() {
		if strings.HasPrefix(item.File, "1764000040_") {
			m = item
		}
	}
	if m == nil {
		t.Fatal("migration 1764000040 is not registered")
	}
	if err := m.Down(app); err != nil {
		t.Fatal(err)
	}
	vps := testutil.Create(t, app, "plans", map[string]any{"name": "VPS", "slug": "vps", "service_type": "vps", "platform": "virtfusion",
		"status": "active", "order_options": map[string]any{"hostname": true}})
	bare := testutil.Create(t, app, "plans", map[string]any{"name": "VPS 2", "slug": "vps-2", "service_type": "vps", "platform": "virtfusion", "status": "active"})
	game := testutil.Create(t, app, "plans", map[string]any{"name": "Game", "slug": "game", "service_type": "game_server", "platform": "pterodactyl",
		"status": "active", "order_options": map[string]any{"game": []string{"paper"}}})
	if err := m.Up(app); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		id, want string
	}{
		{vps.Id, `{"hostname":true,"ssh_keys":true}`},
		{bare.Id, `{"ssh_keys":true}`},
		{game.Id, `{"game":["paper"]}`},
	} {
		p, err := app.FindRecordById("plans", c.id)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.GetString("order_options"); got != c.want {
			t.Errorf("plan %s: order_options %s, want %s", p.GetString("slug"), got, c.want)
		}
	}
}
