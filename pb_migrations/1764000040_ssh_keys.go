package migrations

import (
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// ssh_keys are the OpenSSH public keys a customer saves on the account and
// chooses at order, so a new server lets them in without a password. The
// owner lists, adds, renames and deletes their keys; the key itself is
// never edited (delete and add again). The server checks the key and
// computes its SHA256 fingerprint (integrations/provisioning/sshkeys.go),
// and refuses a second copy of a key or a twenty-first key.
func init() {
	m.Register(func(app core.App) error {
		c := core.NewBaseCollection("ssh_keys")
		owner := `@request.auth.collectionName = "customers" && customer = @request.auth.id`
		c.ListRule = types.Pointer(owner)
		c.ViewRule = types.Pointer(owner)
		c.CreateRule = types.Pointer(owner)
		c.UpdateRule = types.Pointer(owner + ` && @request.body.customer:isset = false && @request.body.public_key:isset = false && @request.body.fingerprint:isset = false`)
		c.DeleteRule = types.Pointer(owner)
		if err := addRelations(app, c,
			relationSpec{"customer", "customers", true, true},
		); err != nil {
			return err
		}
		c.Fields.Add(
			&core.TextField{Name: "name", Required: true, Max: 100, Presentable: true},
			&core.TextField{Name: "public_key", Required: true, Max: 16000, Help: "OpenSSH authorized_keys line, as the server normalised it"},
			&core.TextField{Name: "fingerprint", Max: 100, Help: "SHA256:… computed by the server"},
		)
		timestamps(c)
		c.AddIndex("idx_ssh_keys_customer_fingerprint", true, "customer, fingerprint", "")
		if err := app.Save(c); err != nil {
			return err
		}
		// VPS plans offer the keys at order from now on; saving a plan
		// keeps this in step with its platform (hooks/plan_order_options.go).
		plans, err := app.FindAllRecords("plans", dbx.HashExp{"platform": "virtfusion"})
		if err != nil {
			return err
		}
		for _, p := range plans {
			options := map[string]any{}
			if err := p.UnmarshalJSONField("order_options", &options); err != nil {
				continue // not an object: left for staff, as the plan's validation reports it
			}
			if options == nil {
				options = map[string]any{}
			}
			options["ssh_keys"] = true
			p.Set("order_options", options)
			if err := app.Save(p); err != nil {
				return err
			}
		}
		return nil
	}, func(app core.App) error {
		return deleteAll(app, "ssh_keys")
	})
}
