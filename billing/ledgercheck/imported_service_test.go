package ledgercheck_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledgercheck"
)

// TestCreateJobOfImportedPaidInvoices: a pending service whose only paid
// invoice WHMCS was paid for needs no create job here (WHMCS provisions
// it); once a payment made here settles an imported invoice, it does, as
// a native invoice always does.
func TestCreateJobOfImportedPaidInvoices(t *testing.T) {
	b := newBooks(t)
	inv, svc := b.overpaid.Invoice.Id, b.overpaid.Service.Id
	pending := []string{
		`UPDATE provisioning_jobs SET status = 'cancelled' WHERE action = 'create' AND service = '` + svc + `'`,
		`UPDATE services SET status = 'pending' WHERE id = '` + svc + `'`,
	}
	imported := `UPDATE invoices SET whmcs_id = '73' WHERE id = '` + inv + `'`
	paidInWHMCS := `UPDATE payments SET whmcs_id = 'p' || id WHERE invoice = '` + inv + `'`
	tests := []struct {
		name    string
		sql     []string
		flagged bool
	}{
		{"native invoice", nil, true},
		{"imported invoice paid in WHMCS", []string{imported, paidInWHMCS}, false},
		{"imported invoice paid here", []string{imported}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var report *ledgercheck.Report
			err := b.app.RunInTransaction(func(tx core.App) error {
				for _, q := range append(append([]string{}, pending...), tt.sql...) {
					if _, err := tx.DB().NewQuery(q).Execute(); err != nil {
						return fmt.Errorf("%s: %w", q, err)
					}
				}
				var err error
				if report, err = ledgercheck.Run(tx); err != nil {
					return err
				}
				return errRollback
			})
			if !errors.Is(err, errRollback) {
				t.Fatal(err)
			}
			flagged := false
			for _, v := range report.Violations {
				if v.Rule == "service.create" && v.RecordID == svc {
					flagged = true
				} else {
					t.Errorf("another rule broke: %s", v)
				}
			}
			if flagged != tt.flagged {
				t.Errorf("service.create names the service: %v, want %v (%v)", flagged, tt.flagged, report.Violations)
			}
		})
	}
}
