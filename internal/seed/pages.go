package seed

import (
	"embed"
	"strings"

	"github.com/pocketbase/pocketbase/core"
)

//go:embed pages/*.md
var pageFiles embed.FS

// demoPages are the legal pages and knowledge-base articles of dev mode:
// Markdown files whose first line is the "# Title".
var demoPages = []struct {
	file, slug, kind, category string
}{
	{"terms.md", "terms", "legal", ""},
	{"privacy.md", "privacy", "legal", ""},
	{"acceptable-use.md", "acceptable-use", "legal", ""},
	{"kb-getting-started.md", "getting-started-vps", "kb", "Servers"},
	{"kb-game-servers.md", "game-servers", "kb", "Servers"},
	{"kb-billing-cycles.md", "billing-cycles-upgrades-credit", "kb", "Billing"},
	{"kb-two-factor.md", "two-factor-authentication", "kb", "Account"},
}

func saveDemoPages(app core.App) error {
	col, err := app.FindCollectionByNameOrId("pages")
	if err != nil {
		return err
	}
	for i, p := range demoPages {
		raw, err := pageFiles.ReadFile("pages/" + p.file)
		if err != nil {
			return err
		}
		title, body, _ := strings.Cut(string(raw), "\n")
		rec := core.NewRecord(col)
		rec.Set("title", strings.TrimPrefix(title, "# "))
		rec.Set("slug", p.slug)
		rec.Set("kind", p.kind)
		rec.Set("category", p.category)
		rec.Set("body", strings.TrimSpace(body))
		rec.Set("published", true)
		rec.Set("sort_order", i)
		if err := app.Save(rec); err != nil {
			return err
		}
	}
	return nil
}
