package outbox

import (
	"errors"
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Content is what a message says, written by a Renderer from its facts.
type Content struct {
	Subject, Text, HTML string
}

// Renderer writes the content of a message queued with facts
// (Message.Facts). An error it marks Permanent fails the message; any
// other is retried like a failed send.
type Renderer func(app core.App, facts []byte) (Content, error)

// renderer is the notify package's, registered once when it loads.
var renderer Renderer

// RenderWith registers the Renderer of messages queued with facts. The
// notify package calls it when it loads; outbox cannot import notify,
// which queues through it.
func RenderWith(r Renderer) { renderer = r }

// render fills m from rec's facts, when it was queued with them, and
// returns the content to store on the row once sent (nil otherwise), so
// staff see what went out. It is the text before attachments: a login
// added to the bodies is never stored.
func render(app core.App, rec *core.Record, m *Outgoing) (dbx.Params, error) {
	raw, _ := rec.GetRaw("facts").(types.JSONRaw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if renderer == nil {
		return nil, Permanent(errors.New("queued with facts but no renderer is registered"))
	}
	c, err := renderer(app, raw)
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", rec.GetString("template"), err)
	}
	m.Subject, m.Text, m.HTML = c.Subject, c.Text, c.HTML
	return dbx.Params{"subject": c.Subject, "body_text": c.Text, "body_html": c.HTML}, nil
}
