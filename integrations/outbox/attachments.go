package outbox

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/pdf"
	"github.com/ezscale/ezscale/internal/secrets"
)

// Attachment kinds a message may reference; each is resolved when the
// message is sent, so the outbox holds neither files nor secrets.
const (
	KindInvoicePDF         = "invoice_pdf"         // {"kind", "invoice"}: the invoice's PDF
	KindCreditNotePDF      = "credit_note_pdf"     // {"kind", "credit_note"}: the credit note's PDF
	KindServiceCredentials = "service_credentials" // {"kind", "service"}: the login, added to the text and HTML
)

// compose builds what goes out from a row: its content (rendered now when
// it was queued as facts, returned to store once sent), the PDFs it
// references and the service credentials it names, opened with box.
func compose(app core.App, box *secrets.Box, rec *core.Record) (*Outgoing, dbx.Params, error) {
	m := &Outgoing{
		ID: rec.Id, Channel: rec.GetString("channel"), To: rec.GetString("recipient"),
		Subject: rec.GetString("subject"), Text: rec.GetString("body_text"), HTML: rec.GetString("body_html"),
		Severity: rec.GetString("severity"), Template: rec.GetString("template"), Queued: rec.GetDateTime("created").Time(),
	}
	rendered, err := render(app, rec, m)
	if err != nil {
		return nil, nil, err
	}
	var refs []map[string]string
	if raw, _ := json.Marshal(rec.Get("attachments")); len(raw) > 0 && string(raw) != "null" && string(raw) != `""` {
		if err := json.Unmarshal(raw, &refs); err != nil {
			return nil, nil, Permanent(fmt.Errorf("attachments are not a list of references: %w", err))
		}
	}
	for _, ref := range refs {
		if err := attach(app, box, m, ref); err != nil {
			return nil, nil, fmt.Errorf("attachment %s: %w", ref["kind"], err)
		}
	}
	return m, rendered, nil
}

func attach(app core.App, box *secrets.Box, m *Outgoing, ref map[string]string) error {
	switch ref["kind"] {
	case KindInvoicePDF:
		inv, err := ledger.FindInvoice(app, first(ref["invoice"], ref["id"]))
		if err != nil {
			return missing("invoice", first(ref["invoice"], ref["id"]), err)
		}
		doc, err := ledger.Document(app, inv)
		if err != nil {
			return err
		}
		body, err := pdf.Render(doc)
		if err != nil {
			return err
		}
		name := first(inv.Number(), inv.GetString("proforma_number"), inv.Id)
		m.Files = append(m.Files, File{Name: fileName(name), ContentType: "application/pdf", Data: body})
	case KindCreditNotePDF:
		note, err := app.FindRecordById("credit_notes", first(ref["credit_note"], ref["id"]))
		if err != nil {
			return missing("credit note", first(ref["credit_note"], ref["id"]), err)
		}
		doc, err := ledger.CreditNoteDocument(app, note)
		if err != nil {
			return err
		}
		body, err := pdf.Render(doc)
		if err != nil {
			return err
		}
		m.Files = append(m.Files, File{Name: fileName(first(note.GetString("number"), note.Id)), ContentType: "application/pdf", Data: body})
	case KindServiceCredentials:
		return attachCredentials(app, box, m, first(ref["service"], ref["id"]))
	default:
		return Permanent(fmt.Errorf("unknown kind %q", ref["kind"]))
	}
	return nil
}

// missing is permanent when the record is gone, retryable otherwise.
func missing(what, id string, err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return Permanent(fmt.Errorf("%s %q not found", what, id))
	}
	return fmt.Errorf("%s %q: %w", what, id, err)
}

func fileName(s string) string {
	return strings.NewReplacer(`"`, "", "/", "-", `\`, "-").Replace(strings.TrimSpace(s)) + ".pdf"
}

func first(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
