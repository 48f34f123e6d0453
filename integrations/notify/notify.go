// Package notify decides what EZSCALE tells its customers and staff and how
// it is worded. Every notice is rendered here, from templates embedded in
// the binary (or a staff override in the email_templates collection), into
// an outbox message queued in the caller's transaction: callers say which
// notice and with what facts, never how it reads.
package notify

import (
	"context"
	"fmt"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/integrations/outbox"
)

// Email is a notice to one customer.
type Email struct {
	Key      string       // one of EmailKeys
	Customer *core.Record // the recipient
	Data     Data         // the notice's facts; see the samples in notices.go
	// Attachments are references the delivery resolves when it sends, e.g.
	// {"kind":"invoice_pdf","invoice":id} or {"kind":"service_credentials","service":id}.
	Attachments []map[string]string
	DedupeKey   string // the cause, so the same event queues one message
	// To overrides the customer's address (an email change goes to the new one).
	To string
	// Template is the outbox row's template name when it differs from Key
	// (the account emails keep PocketBase's account_* names).
	Template string
}

// Alert is a notice to staff on Discord.
type Alert struct {
	Key       string       // one of StaffKeys
	Customer  *core.Record // who it is about, when anyone
	Data      Data
	DedupeKey string
}

// Data holds the facts a template shows.
type Data = map[string]any

// Customer renders an email notice and queues it for the customer, in app's
// transaction when app is one.
func Customer(ctx context.Context, app core.App, e Email) (*core.Record, error) {
	if e.Customer == nil {
		return nil, fmt.Errorf("notice %s: no recipient", e.Key)
	}
	b, err := NewBatch(app)
	if err != nil {
		return nil, err
	}
	m, err := b.Message(e)
	if err != nil {
		return nil, err
	}
	return outbox.Queue(ctx, app, m)
}

// Staff renders a Discord notice and queues it for the staff channel.
func Staff(ctx context.Context, app core.App, a Alert) (*core.Record, error) {
	n, ok := staffNotices[a.Key]
	if !ok {
		return nil, fmt.Errorf("unknown staff notice %q", a.Key)
	}
	data := a.Data
	customerID := ""
	if a.Customer != nil {
		data = withCustomer(data, a.Customer)
		customerID = a.Customer.Id
	}
	subject, body, err := renderStaff(a.Key, data)
	if err != nil {
		return nil, err
	}
	return outbox.Queue(ctx, app, outbox.Message{
		Channel: "discord", Template: a.Key, Severity: n.severity, CustomerID: customerID,
		Subject: subject, BodyText: body, DedupeKey: a.DedupeKey,
	})
}

// withCustomer adds the customer's name, email and company to a copy of d.
func withCustomer(d Data, c *core.Record) Data {
	out := Data{}
	for k, v := range d {
		out[k] = v
	}
	if _, ok := out["Customer"]; !ok {
		name := c.GetString("name")
		if name == "" {
			name = c.Email()
		}
		out["Customer"] = Data{"ID": c.Id, "Name": name, "Email": c.Email(), "Company": c.GetString("company")}
	}
	return out
}
