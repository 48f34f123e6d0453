package outbox

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
)

// Printer is the dev-mode email sender without Mailgun: it prints each
// message (recipient, subject, text part, attachment names) and counts it
// as sent, so it stays in the outbox to inspect.
type Printer struct {
	Out io.Writer // os.Stdout when nil
	mu  sync.Mutex
}

// Send prints m.
func (p *Printer) Send(_ context.Context, m *Outgoing) (string, error) {
	out := p.Out
	if out == nil {
		out = os.Stdout
	}
	var b strings.Builder
	fmt.Fprintf(&b, "──── email (outbox %s, dev mode: printed, not sent) ────\n", m.ID)
	fmt.Fprintf(&b, "To: %s\nSubject: %s\n\n%s\n", m.To, m.Subject, strings.TrimSpace(m.Text))
	for _, f := range m.Files {
		fmt.Fprintf(&b, "[attachment: %s, %d bytes]\n", f.Name, len(f.Data))
	}
	b.WriteString("────\n")
	p.mu.Lock()
	defer p.mu.Unlock()
	_, err := io.WriteString(out, b.String())
	return "printed", err
}
