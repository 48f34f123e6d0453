package seed_test

import (
	"encoding/json"
	"io"
	"testing"

	"github.com/pocketbase/dbx"

	"github.com/ezscale/ezscale/internal/seed"
	"github.com/ezscale/ezscale/internal/testutil"
)

// TestSyntheticAddressesAreUnique: bandwidth is attributed by address, so
// no two seeded services may share one (the seeder used to draw them at
// random from 203.0.113.0/24, and gave every hosting service 198.51.100.10).
func TestSyntheticAddressesAreUnique(t *testing.T) {
	app := testutil.NewApp(t)
	if _, err := seed.Synthetic(app, seed.SyntheticOptions{Customers: 40, Seed: 1}, io.Discard); err != nil {
		t.Fatal(err)
	}
	var rows []struct {
		ID  string `db:"id"`
		IPs string `db:"ip_addresses"`
	}
	if err := app.DB().Select("id", "ip_addresses").From("services").Where(dbx.NewExp("ip_addresses IS NOT NULL")).All(&rows); err != nil {
		t.Fatal(err)
	}
	owner := map[string]string{}
	n := 0
	for _, r := range rows {
		var ips []string
		if r.IPs == "" || json.Unmarshal([]byte(r.IPs), &ips) != nil {
			continue
		}
		for _, ip := range ips {
			if o, ok := owner[ip]; ok {
				t.Errorf("%s is on services %s and %s", ip, o, r.ID)
			}
			owner[ip] = r.ID
			n++
		}
	}
	if n < 40 {
		t.Fatalf("only %d addresses seeded", n)
	}
}
