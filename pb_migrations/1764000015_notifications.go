package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// emailTemplateKeys are the customer email notices staff may override
// (integrations/notify; its tests check the two lists agree).
var emailTemplateKeys = []string{
	"bandwidth_alert", "bandwidth_overage_charged", "cancellation_confirmed", "email_change", "email_verification",
	"invoice_issued", "invoice_overdue", "password_reset", "payment_action_required", "payment_due", "payment_failed",
	"payment_received", "payment_reminder", "paypal_revision", "refund_issued", "renewal_reminder", "service_ready",
	"service_suspended", "service_terminated", "service_unsuspended", "ticket_reply", "welcome",
}

// Notifications: staff's overrides of the email templates embedded in the
// binary (staff only; a disabled override means the default is used), and
// how many days before a renewal customers are reminded of it.
func init() {
	m.Register(func(app core.App) error {
		c := core.NewBaseCollection("email_templates")
		c.Fields.Add(
			&core.SelectField{Name: "key", Required: true, MaxSelect: 1, Values: emailTemplateKeys, Presentable: true},
			&core.TextField{Name: "subject", Max: 500, Help: "text/template; empty keeps the default subject"},
			&core.TextField{Name: "body_html", Max: 200000, Help: "html/template, inside the shared layout; empty keeps the default"},
			&core.TextField{Name: "body_text", Max: 200000, Help: "text/template; empty keeps the default"},
			&core.BoolField{Name: "enabled", Help: "off: the embedded default is sent"},
		)
		timestamps(c)
		c.AddIndex("idx_email_templates_key", true, "key", "")
		if err := app.Save(c); err != nil {
			return err
		}

		s, err := app.FindCollectionByNameOrId("settings")
		if err != nil {
			return err
		}
		s.Fields.Add(&core.NumberField{Name: "renewal_reminder_days", OnlyInt: true, Min: zero,
			Help: "remind customers this many days before a subscription renews; 0 = off"})
		if err := app.Save(s); err != nil {
			return err
		}
		recs, err := app.FindAllRecords("settings")
		if err != nil {
			return err
		}
		for _, rec := range recs {
			rec.Set("renewal_reminder_days", 7)
			if err := app.SaveNoValidate(rec); err != nil {
				return err
			}
		}
		return nil
	}, func(app core.App) error {
		if s, err := app.FindCollectionByNameOrId("settings"); err == nil {
			s.Fields.RemoveByName("renewal_reminder_days")
			if err := app.Save(s); err != nil {
				return err
			}
		}
		return deleteAll(app, "email_templates")
	})
}
