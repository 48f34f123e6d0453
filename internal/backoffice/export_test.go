package backoffice

// IndexedLookups are the search's exact look-ups by the index each must
// use, for the query-plan test.
var IndexedLookups = map[string]string{
	"idx_service_addresses_address":    addressSQL,
	"idx_services_platform_service_id": serviceByPlatformIDSQL,
	"idx_invoices_number":              invoiceByNumberSQL,
	"idx_invoices_proforma_number":     invoiceByProformaSQL,
	"idx_invoices_whmcs_id":            invoiceByWHMCSIDSQL,
	"idx_support_tickets_number":       mirrorTicketSQL,
	"idx_ticket_archive_number":        archiveTicketSQL,
}
