package notify

import (
	"github.com/pocketbase/pocketbase/core"

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
