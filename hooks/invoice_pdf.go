package hooks

import (
	"net/http"
	"strings"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/store"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/pdf"
)

// pdfCacheSize bounds the rendered PDFs kept in memory.
const pdfCacheSize = 500

// bindInvoicePDF adds GET /api/invoices/{id}/pdf for the invoice's owner and
// staff. PDFs are rendered on demand and cached until the invoice changes:
// the cache key holds the invoice's update time.
func bindInvoicePDF(app core.App) {
	cache := store.New[string, []byte](nil)
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.GET("/api/invoices/{id}/pdf", func(e *core.RequestEvent) error {
			inv, err := ledger.FindInvoice(e.App, e.Request.PathValue("id"))
			staff := e.HasSuperuserAuth()
			// Another customer's invoice, or a draft, looks missing.
			if err != nil || (!staff && (inv.CustomerID() != e.Auth.Id || inv.Status() == ledger.StatusDraft)) {
				return e.NotFoundError("", nil)
			}
			key := inv.Id + "@" + inv.GetString("updated")
			body, ok := cache.GetOk(key)
			if !ok {
				doc, err := ledger.Document(e.App, inv)
				if err != nil {
					return err
				}
				if body, err = pdf.Render(doc); err != nil {
					return err
				}
				if cache.Length() >= pdfCacheSize {
					cache.RemoveAll()
				}
				cache.Set(key, body)
			}
			name := inv.Number()
			if name == "" {
				name = strings.TrimSpace("invoice " + inv.GetString("proforma_number"))
			}
			e.Response.Header().Set("Content-Disposition", `inline; filename="`+strings.ReplaceAll(name, `"`, "")+`.pdf"`)
			e.Response.Header().Set("Cache-Control", "private, no-cache")
			return e.Blob(http.StatusOK, "application/pdf", body)
		}).Bind(fileTokenAuth(), apis.RequireAuth(customers.Collection, core.CollectionNameSuperusers))

		se.Router.GET("/api/credit-notes/{id}/pdf", func(e *core.RequestEvent) error {
			note, err := e.App.FindRecordById("credit_notes", e.Request.PathValue("id"))
			if err != nil || (!e.HasSuperuserAuth() && note.GetString("customer") != e.Auth.Id) {
				return e.NotFoundError("", nil)
			}
			doc, err := ledger.CreditNoteDocument(e.App, note)
			if err != nil {
				return err
			}
			body, err := pdf.Render(doc)
			if err != nil {
				return err
			}
			e.Response.Header().Set("Content-Disposition", `inline; filename="`+strings.ReplaceAll(note.GetString("number"), `"`, "")+`.pdf"`)
			return e.Blob(http.StatusOK, "application/pdf", body)
		}).Bind(fileTokenAuth(), apis.RequireAuth(customers.Collection, core.CollectionNameSuperusers))
		return se.Next()
	})
}

// fileTokenAuth lets a PDF be a plain link, which sends no Authorization
// header: the portal appends a short-lived file token (POST
// /api/files/token, PocketBase's own kind for protected files) as ?token=.
// An auth token there is not accepted, so full tokens stay out of URLs.
func fileTokenAuth() *hook.Handler[*core.RequestEvent] {
	return &hook.Handler[*core.RequestEvent]{Func: func(e *core.RequestEvent) error {
		if token := e.Request.URL.Query().Get("token"); e.Auth == nil && token != "" {
			if rec, err := e.App.FindAuthRecordByToken(token, core.TokenTypeFile); err == nil {
				e.Auth = rec
			}
		}
		return e.Next()
	}}
}
