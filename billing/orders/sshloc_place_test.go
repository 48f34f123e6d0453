package orders_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"golang.org/x/crypto/ssh"

	"github.com/ezscale/ezscale/billing/orders"
	"github.com/ezscale/ezscale/internal/testutil"
)

func sshKeyOf(t *testing.T, app core.App, customer *core.Record) *core.Record {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	key, _ := ssh.NewPublicKey(pub)
	return testutil.Create(t, app, "ssh_keys", map[string]any{"customer": customer.Id,
		"public_key": strings.TrimSpace(string(ssh.MarshalAuthorizedKey(key)))})
}

// TestOrderSSHKeysAreTheCustomersOwn: an order names only the customer's
// own keys; another customer's key is refused exactly like a missing one,
// and nothing is written.
func TestOrderSSHKeysAreTheCustomersOwn(t *testing.T) {
	app := testutil.NewApp(t)
	plan, price := testutil.Plan(t, app, "vps-keys", "USD", 1000)
	plan.Set("order_options", map[string]any{"os": []string{"debian-12"}, "locations": []string{"Frankfurt", "Los Angeles"}, "ssh_keys": true})
	if err := app.Save(plan); err != nil {
		t.Fatal(err)
	}
	a := testutil.Customer(t, app, "a@example.com", "USD")
	b := testutil.Customer(t, app, "b@example.com", "USD")
	mine, theirs := sshKeyOf(t, app, a), sshKeyOf(t, app, b)

	place := func(keys string) (*orders.Result, error) {
		return orders.Place(context.Background(), app, a, orders.Request{PlanPrice: price.Id,
			Options: map[string]string{"os": "debian-12", "location": "Los Angeles", "ssh_keys": keys}}, orders.By{}, time.Now().UTC())
	}
	for name, keys := range map[string]string{"another customer's key": mine.Id + "," + theirs.Id, "a key that does not exist": "nosuchkey123"} {
		t.Run(name, func(t *testing.T) {
			_, err := place(keys)
			var oe *orders.Error
			if !errors.As(err, &oe) || oe.Status != http.StatusBadRequest || oe.Field != "options.ssh_keys" || oe.Code != "not_found" {
				t.Fatalf("err = %#v, want a 400 not_found on options.ssh_keys", err)
			}
			if n, _ := app.CountRecords("orders"); n != 0 {
				t.Fatalf("%d orders written by a refused order", n)
			}
		})
	}

	res, err := place(mine.Id)
	if err != nil {
		t.Fatal(err)
	}
	opts := map[string]string{}
	if err := res.Service.UnmarshalJSONField("options", &opts); err != nil {
		t.Fatal(err)
	}
	if opts["ssh_keys"] != mine.Id || opts["location"] != "Los Angeles" {
		t.Errorf("service options %v; want the key %s and Los Angeles", opts, mine.Id)
	}
}
