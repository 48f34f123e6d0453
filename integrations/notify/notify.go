// Package notify decides what EZSCALE tells its customers and staff and how
// it is worded. Every notice is rendered here, from templates embedded in
// the binary (or a staff override in the email_templates collection), into
// an outbox message queued in the caller's transaction: callers say which
// notice and with what facts, never how it reads.
package notify

import (
	"context"
	"fmt"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/customers"
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
	// RenderAtDelivery queues the key and facts, rendered by the outbox
	// when it sends the message: for a notice queued on a hot write path
	// (a paid invoice's receipt), whose transaction holds the write lock.
	RenderAtDelivery bool
	// NotBefore holds the email back until then (zero: at once).
	NotBefore time.Time
	// UnlessSettled is an invoice: when it is no longer open by the time
	// the email is sent (paid, or voided), the email is dropped. It implies
	// RenderAtDelivery, where the invoice is read.
	UnlessSettled string
}

// Alert is a notice to staff on Discord.
type Alert struct {
	Key       string       // one of StaffKeys
	Customer  *core.Record // who it is about, when anyone
	Data      Data
	DedupeKey string
	// RenderAtDelivery queues the key and facts, as for an Email.
	RenderAtDelivery bool
}

// Data holds the facts a template shows.
type Data = map[string]any

// Customer renders an email notice and queues it for the customer, in app's
// transaction when app is one.
func Customer(ctx context.Context, app core.App, e Email) (*core.Record, error) {
	if e.Customer == nil {
		return nil, fmt.Errorf("notice %s: no recipient", e.Key)
	}
	if e.RenderAtDelivery || e.UnlessSettled != "" {
		m, err := queuedEmail(e)
		if err != nil {
			return nil, err
		}
		return outbox.Queue(ctx, app, m)
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
	m := outbox.Message{Channel: "discord", Template: a.Key, Severity: n.severity, CustomerID: customerID, DedupeKey: a.DedupeKey}
	var err error
	if a.RenderAtDelivery {
		m.Facts, err = queuedFacts("discord", a.Key, data)
	} else {
		m.Subject, m.BodyText, err = renderStaff(a.Key, data)
	}
	if err != nil {
		return nil, err
	}
	return outbox.Queue(ctx, app, m)
}

// queuedEmail is e as an outbox message rendered at delivery.
func queuedEmail(e Email) (outbox.Message, error) {
	if _, ok := emailNotices[e.Key]; !ok {
		return outbox.Message{}, fmt.Errorf("unknown email notice %q", e.Key)
	}
	facts, err := encodeQueued(queued{Notice: "email", Key: e.Key, UnlessSettled: e.UnlessSettled}, withCustomer(e.Data, e.Customer))
	if err != nil {
		return outbox.Message{}, err
	}
	to, template := e.address()
	return outbox.Message{Channel: "email", Recipient: to, CustomerID: e.Customer.Id, Template: template,
		Facts: facts, Attachments: e.Attachments, DedupeKey: e.DedupeKey, NotBefore: e.NotBefore}, nil
}

// address is where e goes and the outbox template name it goes under.
func (e Email) address() (to, template string) {
	to, template = e.To, e.Template
	if to == "" {
		to = e.Customer.Email()
	}
	if template == "" {
		template = e.Key
	}
	return to, template
}

// withCustomer adds the customer's name, email and company to a copy of d.
func withCustomer(d Data, c *core.Record) Data {
	out := Data{}
	for k, v := range d {
		out[k] = v
	}
	if _, ok := out["Customer"]; !ok {
		customer := customers.As(c)
		name := customer.Name()
		if name == "" {
			name = customer.Email()
		}
		out["Customer"] = Data{"ID": customer.Id, "Name": name, "Email": customer.Email(), "Company": customer.Company()}
	}
	return out
}
