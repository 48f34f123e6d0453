package outbox

import (
	"html"
	"regexp"
	"strings"

	"github.com/pocketbase/pocketbase/tools/mailer"
)

// FromMail turns an email PocketBase composed (verification, password
// reset, email change, login alert) into an outbox message, so it is
// delivered, retried and audited like every other message.
func FromMail(msg *mailer.Message, template, customerID string) Message {
	to := ""
	if len(msg.To) > 0 {
		to = msg.To[0].Address
	}
	text := msg.Text
	if text == "" {
		text = TextFromHTML(msg.HTML)
	}
	return Message{
		Channel: "email", Recipient: to, CustomerID: customerID, Template: template,
		Subject: msg.Subject, BodyText: text, BodyHTML: msg.HTML,
	}
}

var (
	headless   = regexp.MustCompile(`(?is)<head[\s>].*?</head>|<style[\s>].*?</style>|<!DOCTYPE[^>]*>`)
	anchor     = regexp.MustCompile(`(?is)<a\s[^>]*href="([^"]*)"[^>]*>(.*?)</a>`)
	blockEnd   = regexp.MustCompile(`(?i)</(p|div|h[1-6]|li|tr)>|<br\s*/?>`)
	anyTag     = regexp.MustCompile(`(?s)<[^>]*>`)
	blankLines = regexp.MustCompile(`\n{3,}`)
)

// TextFromHTML is the plain-text part of an HTML email: links written out
// as "text: URL", one paragraph a line.
func TextFromHTML(s string) string {
	s = headless.ReplaceAllString(s, "")
	s = anchor.ReplaceAllString(s, "$2: $1")
	s = blockEnd.ReplaceAllString(s, "\n\n")
	s = anyTag.ReplaceAllString(s, "")
	lines := strings.Split(html.UnescapeString(s), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return strings.TrimSpace(blankLines.ReplaceAllString(strings.Join(lines, "\n"), "\n\n"))
}
