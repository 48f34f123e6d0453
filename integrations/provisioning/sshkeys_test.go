package provisioning_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"golang.org/x/crypto/ssh"

	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/internal/testutil"
)

// authorizedKey is pub as ssh-keygen writes it to a .pub file.
func authorizedKey(t testing.TB, pub any, comment string) string {
	t.Helper()
	key, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	line := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(key)))
	if comment != "" {
		line += " " + comment
	}
	return line
}

func ed25519Key(t testing.TB, comment string) string {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return authorizedKey(t, pub, comment)
}

func ecdsaKey(t testing.TB, curve elliptic.Curve) string {
	t.Helper()
	k, err := ecdsa.GenerateKey(curve, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return authorizedKey(t, &k.PublicKey, "ec@host")
}

func rsaKey(t testing.TB, bits int) string {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	return authorizedKey(t, &k.PublicKey, "rsa@host")
}

func TestParseSSHKey(t *testing.T) {
	ed := ed25519Key(t, "me@laptop")
	fields := strings.Fields(ed)
	cases := []struct {
		name, in, wantType, wantErr string
	}{
		{name: "ed25519", in: ed, wantType: "ssh-ed25519"},
		{name: "ed25519 with spaces and no comment", in: "  " + fields[0] + " " + fields[1] + "\t", wantType: "ssh-ed25519"},
		{name: "ecdsa p256", in: ecdsaKey(t, elliptic.P256()), wantType: "ecdsa-sha2-nistp256"},
		{name: "ecdsa p384", in: ecdsaKey(t, elliptic.P384()), wantType: "ecdsa-sha2-nistp384"},
		{name: "ecdsa p521", in: ecdsaKey(t, elliptic.P521()), wantType: "ecdsa-sha2-nistp521"},
		{name: "rsa 2048", in: rsaKey(t, 2048), wantType: "ssh-rsa"},
		{name: "rsa 1024 is too short", in: rsaKey(t, 1024), wantErr: "at least 2048 bits"},
		{name: "empty", in: "  ", wantErr: "paste a public key"},
		{name: "bad base64", in: "ssh-ed25519 AAAA!!!notbase64 me@laptop", wantErr: "not an OpenSSH public key"},
		{name: "type and body disagree", in: "ssh-rsa " + fields[1], wantErr: "not an OpenSSH public key"},
		{name: "truncated body", in: fields[0] + " " + fields[1][:30], wantErr: "not an OpenSSH public key"},
		{name: "private key", in: "-----BEGIN OPENSSH PRIVATE KEY----- b3BlbnNzaC1rZXktdjEAAAAA", wantErr: "private key"},
		{name: "two keys", in: ed + "\n" + ed25519Key(t, "other"), wantErr: "one key only"},
		{name: "authorized_keys options", in: `command="/bin/sh" ` + ed, wantErr: "without authorized_keys options"},
		{name: "unsupported type", in: "ssh-dss " + base64.StdEncoding.EncodeToString(sshString("ssh-dss")) + " old", wantErr: "not an OpenSSH public key"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := provisioning.ParseSSHKey(c.in)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			key, _, _, _, err := ssh.ParseAuthorizedKey([]byte(c.in))
			if err != nil {
				t.Fatal(err)
			}
			if key.Type() != c.wantType || !strings.HasPrefix(got.Line, c.wantType+" ") {
				t.Errorf("type %s, line %q; want %s", key.Type(), got.Line, c.wantType)
			}
			if want := ssh.FingerprintSHA256(key); got.Fingerprint != want {
				t.Errorf("fingerprint %q, want %q", got.Fingerprint, want)
			}
			if strings.Fields(got.Line)[1] != strings.Fields(c.in)[1] {
				t.Errorf("line %q lost the key of %q", got.Line, c.in)
			}
		})
	}
}

// sshString is s in the SSH wire format (length-prefixed).
func sshString(s string) []byte {
	return append([]byte{0, 0, 0, byte(len(s))}, s...)
}

func TestSSHKeysOnTheAccount(t *testing.T) {
	app := testutil.NewApp(t)
	api := testutil.NewAPI(t, app)
	a := testutil.Customer(t, app, "a@example.com", "USD")
	b := testutil.Customer(t, app, "b@example.com", "USD")
	tokA, tokB := testutil.Token(t, a), testutil.Token(t, b)
	records := "/api/collections/ssh_keys/records"

	key := ed25519Key(t, "me@laptop")
	res := api.Do(http.MethodPost, records, tokA, map[string]any{"customer": a.Id, "public_key": "  " + key + "\n", "fingerprint": "SHA256:forged"})
	if res.Status != http.StatusOK {
		t.Fatalf("add: %d %s", res.Status, res.Body)
	}
	got := res.Object(t)
	parsed, _ := provisioning.ParseSSHKey(key)
	if got["fingerprint"] != parsed.Fingerprint || got["public_key"] != key || got["name"] != "me@laptop" {
		t.Errorf("saved %v; want the server's fingerprint %s, the trimmed key and its comment as name", got, parsed.Fingerprint)
	}
	id := got["id"].(string)

	refusals := []struct {
		name   string
		token  string
		body   map[string]any
		status int
		field  string
	}{
		{"the same key again", tokA, map[string]any{"customer": a.Id, "name": "again", "public_key": key}, 400, "already on your account"},
		{"the same key with another comment", tokA, map[string]any{"customer": a.Id, "public_key": strings.TrimSuffix(key, "me@laptop") + "other"}, 400, "already on your account"},
		{"a short RSA key", tokA, map[string]any{"customer": a.Id, "public_key": rsaKey(t, 1024)}, 400, "2048 bits"},
		{"not a key", tokA, map[string]any{"customer": a.Id, "public_key": "ssh-ed25519 AAAA!!!"}, 400, "OpenSSH public key"},
		{"a key for another customer", tokB, map[string]any{"customer": a.Id, "public_key": ed25519Key(t, "")}, 400, ""},
		{"a key without signing in", "", map[string]any{"customer": a.Id, "public_key": ed25519Key(t, "")}, 400, ""},
	}
	for _, r := range refusals {
		t.Run(r.name, func(t *testing.T) {
			res := api.Do(http.MethodPost, records, r.token, r.body)
			if res.Status != r.status || !strings.Contains(string(res.Body), r.field) {
				t.Fatalf("%d %s; want %d naming %q", res.Status, res.Body, r.status, r.field)
			}
		})
	}
	if n := countKeys(t, app, a.Id); n != 1 {
		t.Fatalf("A has %d keys after the refusals, want 1", n)
	}

	// B's key may equal A's: duplicates are per account.
	if res := api.Do(http.MethodPost, records, tokB, map[string]any{"customer": b.Id, "public_key": key}); res.Status != http.StatusOK {
		t.Fatalf("B adds the same key: %d %s", res.Status, res.Body)
	}
	if ids := api.Do(http.MethodGet, records, tokB, nil).IDs(t); len(ids) != 1 || ids[0] == id {
		t.Errorf("B lists %v; want only B's own key", ids)
	}
	if res := api.Do(http.MethodGet, records+"/"+id, tokB, nil); res.Status != http.StatusNotFound {
		t.Errorf("B views A's key: %d", res.Status)
	}
	if res := api.Do(http.MethodDelete, records+"/"+id, tokB, nil); res.Status != http.StatusNotFound {
		t.Errorf("B deletes A's key: %d", res.Status)
	}

	// The owner renames a key but never edits it.
	if res := api.Do(http.MethodPatch, records+"/"+id, tokA, map[string]any{"name": "Work laptop"}); res.Status != http.StatusOK {
		t.Errorf("rename: %d %s", res.Status, res.Body)
	}
	if res := api.Do(http.MethodPatch, records+"/"+id, tokA, map[string]any{"public_key": ed25519Key(t, "")}); res.Status != http.StatusNotFound {
		t.Errorf("edit the key itself: %d %s", res.Status, res.Body)
	}

	// At most MaxSSHKeys per account.
	for countKeys(t, app, a.Id) < provisioning.MaxSSHKeys {
		testutil.Create(t, app, "ssh_keys", map[string]any{"customer": a.Id, "public_key": ed25519Key(t, "")})
	}
	res = api.Do(http.MethodPost, records, tokA, map[string]any{"customer": a.Id, "public_key": ed25519Key(t, "")})
	if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), fmt.Sprintf("at most %d", provisioning.MaxSSHKeys)) {
		t.Errorf("key %d: %d %s", provisioning.MaxSSHKeys+1, res.Status, res.Body)
	}
	if res := api.Do(http.MethodDelete, records+"/"+id, tokA, nil); res.Status != http.StatusNoContent {
		t.Errorf("the owner deletes: %d %s", res.Status, res.Body)
	}
}

func countKeys(t *testing.T, app core.App, customerID string) int {
	t.Helper()
	n, err := app.CountRecords(provisioning.SSHKeysCollection, dbx.HashExp{"customer": customerID})
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}
