package outbox

import (
	"fmt"
	"html"
	"sort"
	"strings"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/audit"
	"github.com/ezscale/ezscale/internal/secrets"
	"github.com/ezscale/ezscale/internal/settings"
)

// credentialLabels name the platforms' credential fields as a customer
// reads them; a field not listed is spelled out from its name.
var credentialLabels = map[string]string{
	"username":           "Username",
	"user":               "Username",
	"password":           "Password",
	"root_password":      "Root password",
	"email":              "Email",
	"virtfusion_user_id": "Panel user",
	"srv_id":             "Server ID",
	"identifier":         "Server identifier",
	"panel_url":          "Panel URL",
	"url":                "URL",
	"ip":                 "IP address",
}

// CredentialLabel is how an email names a credential field.
func CredentialLabel(field string) string {
	if l, ok := credentialLabels[field]; ok {
		return l
	}
	words := strings.Fields(strings.ReplaceAll(field, "_", " "))
	if len(words) == 0 {
		return field
	}
	words[0] = strings.ToUpper(words[0][:1]) + words[0][1:]
	return strings.Join(words, " ")
}

// attachCredentials adds a service's login to m when its platform is one
// the business opted in to emailing (settings.email_credentials_platforms,
// read now, so a message queued before the opt-in was withdrawn, or by an
// older release, carries nothing). Opening the login to send it is
// audited like a reveal in the portal.
func attachCredentials(app core.App, box *secrets.Box, m *Outgoing, serviceID string) error {
	svc, err := app.FindRecordById("services", serviceID)
	if err != nil {
		return missing("service", serviceID, err)
	}
	sealed := svc.GetString("credentials")
	if sealed == "" {
		return nil // nothing stored (e.g. a manual service): the message stands as written
	}
	s, err := settings.Load(app)
	if err != nil {
		return err
	}
	if !s.EmailsCredentials(svc.GetString("platform")) {
		return nil // the portal's audited reveal is the only way to the login
	}
	if box == nil {
		return Permanent(fmt.Errorf("service %s has sealed credentials but no encryption key is configured", svc.Id))
	}
	creds, err := box.Open(sealed)
	if err != nil {
		return Permanent(fmt.Errorf("service %s: %w", svc.Id, err))
	}
	if err := audit.Record(app, audit.Job("outbox"), "credentials.email", svc, "emailed to "+m.To+" (outbox "+m.ID+")"); err != nil {
		return err
	}
	addCredentials(m, first(svc.GetString("hostname"), svc.GetString("label"), svc.Id), creds)
	return nil
}

// addCredentials writes the login into both parts, each field under its
// customer-facing label: after the text, and before </body> in the HTML
// (or at its end).
func addCredentials(m *Outgoing, service string, creds map[string]string) {
	keys := make([]string, 0, len(creds))
	for k := range creds {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var text, rows strings.Builder
	text.WriteString("\n\nLogin details for " + service + ":\n")
	for _, k := range keys {
		label := CredentialLabel(k)
		text.WriteString(label + ": " + creds[k] + "\n")
		rows.WriteString("<tr><th align=\"left\">" + html.EscapeString(label) + "</th><td><code>" + html.EscapeString(creds[k]) + "</code></td></tr>")
	}
	m.Text = strings.TrimRight(m.Text, "\n") + text.String()
	if m.HTML == "" {
		return
	}
	block := "<p>Login details for " + html.EscapeString(service) + ":</p><table>" + rows.String() + "</table>"
	if i := strings.LastIndex(strings.ToLower(m.HTML), "</body>"); i >= 0 {
		m.HTML = m.HTML[:i] + block + m.HTML[i:]
	} else {
		m.HTML += block
	}
}
