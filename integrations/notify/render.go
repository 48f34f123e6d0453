package notify

import (
	"bytes"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/settings"
)

// TemplatesCollection holds the staff's overrides of the email templates.
const TemplatesCollection = "email_templates"

//go:embed templates
var defaults embed.FS

// Rendered is an email ready to queue.
type Rendered struct {
	Subject string `json:"subject"`
	HTML    string `json:"html"`
	Text    string `json:"text"`
}

// Parts are the three templates of an email notice. An empty part of an
// override keeps the default's.
type Parts struct {
	Subject, HTML, Text string
}

var funcs = map[string]any{
	"date": func(t time.Time) string { return t.UTC().Format("2 January 2006") },
	"bytes": func(n int64) string {
		const unit = 1000 // what the bandwidth quotas are sold in
		if n < unit {
			return fmt.Sprintf("%d B", n)
		}
		div, exp := int64(unit), 0
		for m := n / unit; m >= unit; m /= unit {
			div *= unit
			exp++
		}
		return fmt.Sprintf("%d.%d %cB", n/div, (n%div)*10/div, "kMGTPE"[exp])
	},
	"join": strings.Join,
}

// Default returns the embedded templates of an email notice.
func Default(key string) (Parts, error) {
	if _, ok := emailNotices[key]; !ok {
		return Parts{}, fmt.Errorf("unknown email notice %q", key)
	}
	read := func(ext string) (string, error) {
		b, err := defaults.ReadFile("templates/email/" + key + "." + ext)
		return string(b), err
	}
	var p Parts
	var err error
	if p.Subject, err = read("subject"); err != nil {
		return p, err
	}
	if p.HTML, err = read("html"); err != nil {
		return p, err
	}
	p.Text, err = read("txt")
	return p, err
}

// Override returns staff's enabled override of an email notice, if any.
func Override(app core.App, key string) (Parts, bool, error) {
	rec, err := app.FindFirstRecordByFilter(TemplatesCollection, "key = {:k} && enabled = true", dbx.Params{"k": key})
	if errors.Is(err, sql.ErrNoRows) {
		return Parts{}, false, nil
	}
	if err != nil {
		return Parts{}, false, fmt.Errorf("email template %s: %w", key, err)
	}
	return Parts{Subject: rec.GetString("subject"), HTML: rec.GetString("body_html"), Text: rec.GetString("body_text")}, true, nil
}

// RenderEmail renders an email notice with data plus the company details
// and portal address: with staff's override when there is one, or with the
// default when there is none or it fails (logged, so staff can fix it).
func RenderEmail(app core.App, key string, data Data) (Rendered, error) {
	b, err := NewBatch(app)
	if err != nil {
		return Rendered{}, err
	}
	return b.Render(key, data)
}

// Check parses an override of key's templates and renders it with the
// notice's sample facts, so a template that would fail is refused when
// staff save it rather than when a customer should get it.
func Check(key string, over Parts) error {
	def, err := Default(key)
	if err != nil {
		return err
	}
	c, err := compile(key, merge(def, over))
	if err != nil {
		return err
	}
	sample, _ := SampleData(key)
	sample["Company"] = settingsCompany(&settings.Settings{CompanyName: "EZSCALE"})
	sample["PortalURL"] = samplePortal
	_, err = c.execute(key, sample)
	return err
}

// Preview renders key with its sample facts: staff's override when enabled
// and working, else the default.
func Preview(app core.App, key string) (Rendered, error) {
	sample, ok := SampleData(key)
	if !ok {
		return Rendered{}, fmt.Errorf("unknown email notice %q", key)
	}
	return RenderEmail(app, key, sample)
}

func merge(def, over Parts) Parts {
	if over.Subject != "" {
		def.Subject = over.Subject
	}
	if over.HTML != "" {
		def.HTML = over.HTML
	}
	if over.Text != "" {
		def.Text = over.Text
	}
	return def
}

// compiled are an email notice's parsed templates: the HTML body inside
// the shared layout, the text body followed by the shared footer.
type compiled struct {
	subject, text *texttemplate.Template
	html          *htmltemplate.Template
}

var (
	layoutHTML = mustRead("templates/layout.html")
	layoutText = mustRead("templates/layout.txt")
)

func mustRead(name string) string {
	b, err := defaults.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func compile(key string, p Parts) (*compiled, error) {
	c := &compiled{}
	var err error
	if c.subject, err = texttemplate.New(key + ".subject").Funcs(funcs).Option("missingkey=error").Parse(p.Subject); err != nil {
		return nil, fmt.Errorf("%s.subject: %w", key, err)
	}
	c.html = htmltemplate.Must(htmltemplate.New("layout").Funcs(funcs).Option("missingkey=error").Parse(layoutHTML))
	if _, err := c.html.New("content").Parse(p.HTML); err != nil {
		return nil, fmt.Errorf("%s.html: %w", key, err)
	}
	if c.text, err = texttemplate.New(key + ".txt").Funcs(funcs).Option("missingkey=error").Parse(p.Text); err != nil {
		return nil, fmt.Errorf("%s.txt: %w", key, err)
	}
	texttemplate.Must(c.text.New("footer").Parse(layoutText))
	return c, nil
}

// execute fills the three parts. html/template escapes every fact, so
// customer-supplied text (a company name, a service label) never becomes
// markup; the text part carries it verbatim.
func (c *compiled) execute(key string, data Data) (Rendered, error) {
	var r Rendered
	var buf bytes.Buffer
	if err := c.subject.Execute(&buf, data); err != nil {
		return r, fmt.Errorf("%s.subject: %w", key, err)
	}
	r.Subject = strings.Join(strings.Fields(buf.String()), " ")
	buf.Reset()
	if err := c.html.ExecuteTemplate(&buf, "layout", data); err != nil {
		return r, fmt.Errorf("%s.html: %w", key, err)
	}
	r.HTML = buf.String()
	buf.Reset()
	if err := c.text.Execute(&buf, data); err != nil {
		return r, fmt.Errorf("%s.txt: %w", key, err)
	}
	body := strings.TrimSpace(buf.String())
	buf.Reset()
	if err := c.text.ExecuteTemplate(&buf, "footer", data); err != nil {
		return r, fmt.Errorf("%s.txt footer: %w", key, err)
	}
	r.Text = body + "\n\n" + strings.TrimSpace(buf.String()) + "\n"
	return r, nil
}

func execText(name, src string, data Data) (string, error) {
	t, err := texttemplate.New(name).Funcs(funcs).Option("missingkey=error").Parse(src)
	if err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	return buf.String(), nil
}

// renderStaff renders a Discord notice: a one-line subject and the facts.
func renderStaff(key string, data Data) (subject, body string, err error) {
	src, err := defaults.ReadFile("templates/discord/" + key + ".subject")
	if err != nil {
		return "", "", fmt.Errorf("staff notice %s: %w", key, err)
	}
	if subject, err = execText(key+".subject", string(src), data); err != nil {
		return "", "", err
	}
	if src, err = defaults.ReadFile("templates/discord/" + key + ".txt"); err != nil {
		return "", "", fmt.Errorf("staff notice %s: %w", key, err)
	}
	if body, err = execText(key+".txt", string(src), data); err != nil {
		return "", "", err
	}
	return strings.Join(strings.Fields(subject), " "), strings.TrimSpace(body), nil
}

func settingsCompany(s *settings.Settings) Data {
	return Data{"Name": s.CompanyName, "Address": s.CompanyAddress, "Country": s.CompanyCountry, "Email": s.CompanyEmail,
		"Phone": s.CompanyPhone, "VATID": s.CompanyVATID, "Registration": s.CompanyRegistration}
}

// PortalURL is the portal's public address (EZ_PUBLIC_URL, kept in
// PocketBase's application URL at start).
func PortalURL(app core.App) string {
	return strings.TrimRight(app.Settings().Meta.AppURL, "/")
}
