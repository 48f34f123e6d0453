package outbox

import (
	"bytes"
	"context"
	"io"
	"net/mail"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/mailer"
)

// SMTP sends email through PocketBase's own mailer: the SMTP settings of
// the dashboard (or sendmail when SMTP is off), from the sender name and
// address in the application settings. It cannot be asked afterwards
// whether a message went out.
type SMTP struct{ App core.App }

// Send hands m to the mailer; ctx cannot interrupt an SMTP session.
func (s SMTP) Send(_ context.Context, m *Outgoing) (string, error) {
	meta := s.App.Settings().Meta
	msg := &mailer.Message{
		From:    mail.Address{Name: meta.SenderName, Address: meta.SenderAddress},
		To:      []mail.Address{{Address: m.To}},
		Subject: m.Subject,
		HTML:    m.HTML,
		Text:    m.Text,
		Headers: map[string]string{},
	}
	if m.MessageID != "" {
		msg.Headers["Message-ID"] = m.MessageID
	}
	if len(m.Files) > 0 {
		msg.Attachments = map[string]io.Reader{}
		for _, f := range m.Files {
			msg.Attachments[f.Name] = bytes.NewReader(f.Data)
		}
	}
	if err := s.App.NewMailClient().Send(msg); err != nil {
		return "", err
	}
	return m.MessageID, nil
}
