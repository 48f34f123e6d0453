package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// The customer portal: the pages collection (legal pages and the knowledge
// base, Markdown that staff edit in the dashboard), the customers' email
// templates pointing at the portal's own pages, and read access for a
// customer to their own second factors (the secrets stay hidden fields).
func init() {
	m.Register(func(app core.App) error {
		pages := core.NewBaseCollection("pages")
		pages.ListRule = types.Pointer(`published = true`)
		pages.ViewRule = pages.ListRule
		pages.Fields.Add(
			&core.TextField{Name: "title", Required: true, Max: 200, Presentable: true},
			&core.TextField{Name: "slug", Required: true, Max: 120, Pattern: `^[a-z0-9]+(?:-[a-z0-9]+)*$`},
			&core.SelectField{Name: "kind", Required: true, MaxSelect: 1, Values: []string{"legal", "kb"},
				Help: "legal: terms, privacy, acceptable-use; kb: knowledge-base article"},
			&core.TextField{Name: "category", Max: 100, Help: "knowledge-base section, e.g. Billing"},
			&core.TextField{Name: "body", Max: 200000, Help: "Markdown; raw HTML is not rendered"},
			&core.BoolField{Name: "published"},
			&core.NumberField{Name: "sort_order", OnlyInt: true},
		)
		timestamps(pages)
		pages.AddIndex("idx_pages_slug", true, "kind, slug", "")
		pages.AddIndex("idx_pages_published", false, "published, kind, sort_order", "")
		if err := app.Save(pages); err != nil {
			return err
		}

		for _, name := range []string{"customer_totp", "customer_passkeys"} {
			c, err := app.FindCollectionByNameOrId(name)
			if err != nil {
				return err
			}
			c.ListRule, c.ViewRule = ownerRule, ownerRule
			if err := app.Save(c); err != nil {
				return err
			}
		}

		customers, err := app.FindCollectionByNameOrId("customers")
		if err != nil {
			return err
		}
		customers.VerificationTemplate = core.EmailTemplate{
			Subject: "Verify your email address for {APP_NAME}",
			Body: `<p>Hello,</p>
<p>Thank you for signing up. Please confirm your email address to start ordering:</p>
<p><a class="btn" href="{APP_URL}/verify/{TOKEN}" target="_blank" rel="noopener">Verify my email</a></p>
<p>If you did not sign up, you can ignore this message.</p>
<p>The {APP_NAME} team</p>`,
		}
		customers.ResetPasswordTemplate = core.EmailTemplate{
			Subject: "Reset your {APP_NAME} password",
			Body: `<p>Hello,</p>
<p>Someone asked to reset the password of your account. Choose a new one here:</p>
<p><a class="btn" href="{APP_URL}/reset-password/{TOKEN}" target="_blank" rel="noopener">Reset my password</a></p>
<p>If it was not you, ignore this message: your password stays as it is.</p>
<p>The {APP_NAME} team</p>`,
		}
		customers.ConfirmEmailChangeTemplate = core.EmailTemplate{
			Subject: "Confirm your new {APP_NAME} email address",
			Body: `<p>Hello,</p>
<p>Confirm this address as the new email of your account:</p>
<p><a class="btn" href="{APP_URL}/confirm-email/{TOKEN}" target="_blank" rel="noopener">Confirm my new email</a></p>
<p>If you did not ask for this, ignore this message.</p>
<p>The {APP_NAME} team</p>`,
		}
		if err := app.Save(customers); err != nil {
			return err
		}

		// The name the emails sign with, unless staff already chose one.
		if s := app.Settings(); s.Meta.AppName == "Acme" {
			s.Meta.AppName = "EZSCALE"
			return app.Save(s)
		}
		return nil
	}, func(app core.App) error {
		for _, name := range []string{"customer_totp", "customer_passkeys"} {
			c, err := app.FindCollectionByNameOrId(name)
			if err != nil {
				return err
			}
			c.ListRule, c.ViewRule = nil, nil
			if err := app.Save(c); err != nil {
				return err
			}
		}
		return deleteAll(app, "pages")
	})
}
