package notify

import (
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/cycle"
	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/money"
)

// InvoiceFacts are what notices show of an invoice; amounts stay
// money.Amount, printed by its own formatting.
func InvoiceFacts(inv *ledger.Invoice) Data {
	return Data{
		"ID": inv.Id, "Number": ledger.Label(inv),
		"Total": money.Amount{Minor: inv.Total(), Currency: inv.Currency()},
		"Due":   money.Amount{Minor: inv.AmountDue(), Currency: inv.Currency()},
		"DueAt": inv.GetDateTime("due_at").Time(),
	}
}

// InvoiceLines are what invoice emails list of inv's lines: the
// description, the period served and, for a recurring line, how it renews,
// each in the same words as the invoice page and the PDF. Waived lines are
// left out, as the PDF leaves them out.
func InvoiceLines(app core.App, inv *ledger.Invoice) []Data {
	items, err := ledger.Items(app, inv.Id)
	if err != nil {
		return nil
	}
	out := make([]Data, 0, len(items))
	for _, it := range items {
		if it.GetBool("waived") {
			continue
		}
		out = append(out, Data{
			"Description": it.GetString("description"),
			"Period":      cycle.FormatPeriod(it.GetDateTime("period_start").Time(), it.GetDateTime("period_end").Time()),
			"Renews":      ledger.LineRenewalLabel(app, inv, it),
		})
	}
	return out
}

// InvoiceLink is the portal page where the customer sees and pays inv.
func InvoiceLink(app core.App, invoiceID string) string {
	return PortalURL(app) + "/billing/invoices/" + invoiceID
}

// ServiceLink is the portal page of a service.
func ServiceLink(app core.App, serviceID string) string {
	return PortalURL(app) + "/services/" + serviceID
}

// ServiceFacts are what notices show of a service: its label (or hostname)
// and its plan's name.
func ServiceFacts(app core.App, svc *core.Record) Data {
	plan := ""
	if p, err := app.FindRecordById("plans", svc.GetString("plan")); err == nil {
		plan = p.GetString("name")
	}
	return Data{"ID": svc.Id, "Label": ServiceLabel(svc), "Plan": plan}
}

// ServiceLabel names a service to its customer.
func ServiceLabel(svc *core.Record) string {
	for _, f := range []string{"label", "hostname"} {
		if v := svc.GetString(f); v != "" {
			return v
		}
	}
	return svc.Id
}
