package ledgercheck

import (
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/tools/types"
)

// liveJob is the condition, on provisioning_jobs j of service svc, of a
// job that will still happen: queued or running, or failed on the manual
// platform, where the failure is the task handed to staff.
const liveJob = `(j.status IN ('pending', 'running') OR (j.status = 'failed' AND svc.platform = 'manual'))`

// paidHere is the condition, on a paid invoice inv, that it was paid on
// this platform: every invoice made here, and one imported from WHMCS only
// once a payment or credit written here settles it. What WHMCS took money
// for, WHMCS provisions: the import queues no job (it would build a second
// server beside the one WHMCS's module built or is to build), so a pending
// service with only WHMCS's paid invoices is WHMCS's history, not a create
// job missing here.
const paidHere = `(inv.whmcs_id = ''
	OR EXISTS (SELECT 1 FROM payments p WHERE p.invoice = inv.id AND p.kind = 'charge' AND p.status = 'succeeded' AND p.whmcs_id = '')
	OR EXISTS (SELECT 1 FROM credit_entries ce WHERE ce.invoice = inv.id AND ce.reason = 'applied' AND ce.whmcs_id = ''))`

// serviceJobs checks that what was paid for gets built and what ended gets
// taken down (rules 9 and 10).
func (c *checker) serviceJobs() error {
	var n int
	if err := c.db.NewQuery("SELECT COUNT(*) FROM services").Row(&n); err != nil {
		return err
	}
	c.count("services", n)
	err := c.each(`SELECT svc.id, svc.label, svc.status, svc.subscription,
			(SELECT GROUP_CONCAT(j.status) FROM provisioning_jobs j WHERE j.service = svc.id AND j.action = 'create')
		FROM services svc
		WHERE svc.status IN ('pending', 'provisioning') AND svc.subscription != ''
			AND EXISTS (SELECT 1 FROM invoice_items it JOIN invoices inv ON inv.id = it.invoice
				WHERE it.subscription = svc.subscription AND it.kind = 'period' AND it.subscription != '' AND inv.status IN ('paid', 'partially_refunded', 'refunded')
					AND `+paidHere+`)
			AND NOT EXISTS (SELECT 1 FROM provisioning_jobs j WHERE j.service = svc.id AND j.action = 'create' AND `+liveJob+`)`, nil,
		func(scan func(...any) error) error {
			var id, name, status, sub string
			var jobs *string
			if err := scan(&id, &name, &status, &sub, &jobs); err != nil {
				return err
			}
			c.add("service.create", "services", id, "service %q is %s and subscription %s has a paid invoice, but no create job is queued%s",
				name, status, sub, jobList(jobs))
			return nil
		})
	if err != nil {
		return err
	}
	return c.each(`SELECT svc.id, svc.label, svc.status, sub.id, sub.status, sub.current_period_end,
			(SELECT GROUP_CONCAT(j.status) FROM provisioning_jobs j WHERE j.service = svc.id AND j.action = 'terminate')
		FROM services svc JOIN subscriptions sub ON sub.id = svc.subscription
		WHERE svc.subscription != '' AND svc.status IN ('active', 'suspended') AND sub.status IN ('cancelled', 'expired')
			AND sub.current_period_end != '' AND sub.current_period_end < {:now}
			AND NOT EXISTS (SELECT 1 FROM provisioning_jobs j WHERE j.service = svc.id AND j.action = 'terminate' AND `+liveJob+`)`,
		dbx.Params{"now": c.now.Format(types.DefaultDateLayout)},
		func(scan func(...any) error) error {
			var id, name, status, sub, subStatus, end string
			var jobs *string
			if err := scan(&id, &name, &status, &sub, &subStatus, &end, &jobs); err != nil {
				return err
			}
			c.add("service.terminate", "services", id, "service %q is %s, but subscription %s is %s and ended %s, and no terminate job is queued%s",
				name, status, sub, subStatus, end, jobList(jobs))
			return nil
		})
}

// jobList tells which jobs of the kind exist that will not run.
func jobList(statuses *string) string {
	if statuses == nil {
		return ""
	}
	return " (only " + *statuses + " ones)"
}
