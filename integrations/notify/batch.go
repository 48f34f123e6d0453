package notify

import (
	"sync"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/integrations/outbox"
	"github.com/ezscale/ezscale/internal/settings"
)

// Batch renders emails with one read of the settings and of each notice's
// override, and each template parsed once: what a job that sends
// thousands (the renewal run) needs. A Batch is for one goroutine.
type Batch struct {
	app       core.App
	common    Data
	templates map[string][]*compiled // override first when there is one, then the default
}

// NewBatch reads the company details and portal address every email shows.
func NewBatch(app core.App) (*Batch, error) {
	s, err := settings.Load(app)
	if err != nil {
		return nil, err
	}
	return &Batch{app: app, common: Data{"Company": settingsCompany(s), "PortalURL": PortalURL(app)},
		templates: map[string][]*compiled{}}, nil
}

// Render renders an email notice with data: staff's override when there is
// one and it works, else the default (a failing override is logged).
func (b *Batch) Render(key string, data Data) (Rendered, error) {
	ts, err := b.load(key)
	if err != nil {
		return Rendered{}, err
	}
	full := Data{}
	for k, v := range b.common {
		full[k] = v
	}
	for k, v := range data {
		full[k] = v
	}
	if len(ts) == 2 {
		r, err := ts[0].execute(key, full)
		if err == nil {
			return r, nil
		}
		b.app.Logger().Warn("email template override fails; using the default", "key", key, "error", err)
	}
	return ts[len(ts)-1].execute(key, full)
}

// Message renders an email notice into the outbox message to queue.
func (b *Batch) Message(e Email) (outbox.Message, error) {
	r, err := b.Render(e.Key, withCustomer(e.Data, e.Customer))
	if err != nil {
		return outbox.Message{}, err
	}
	to, template := e.address()
	return outbox.Message{Channel: "email", Recipient: to, CustomerID: e.Customer.Id, Template: template,
		Subject: r.Subject, BodyText: r.Text, BodyHTML: r.HTML, Attachments: e.Attachments, DedupeKey: e.DedupeKey}, nil
}

func (b *Batch) load(key string) ([]*compiled, error) {
	if ts, ok := b.templates[key]; ok {
		return ts, nil
	}
	def, err := Default(key)
	if err != nil {
		return nil, err
	}
	dc, err := compiledDefault(key, def)
	if err != nil {
		return nil, err
	}
	ts := []*compiled{dc}
	over, ok, err := Override(b.app, key)
	switch {
	case err != nil:
		b.app.Logger().Warn("email template override unreadable; using the default", "key", key, "error", err)
	case ok:
		if oc, err := compile(key, merge(def, over)); err != nil {
			b.app.Logger().Warn("email template override fails; using the default", "key", key, "error", err)
		} else {
			ts = []*compiled{oc, dc}
		}
	}
	b.templates[key] = ts
	return ts, nil
}

// defaultsCompiled caches the embedded templates, parsed once per process.
var defaultsCompiled sync.Map // key → *compiled

func compiledDefault(key string, def Parts) (*compiled, error) {
	if c, ok := defaultsCompiled.Load(key); ok {
		return c.(*compiled), nil
	}
	c, err := compile(key, def)
	if err != nil {
		return nil, err
	}
	defaultsCompiled.Store(key, c)
	return c, nil
}
