// Package ledgercheck verifies the whole database against the invariants
// the books must keep, whatever path wrote them: the real code, a bulk
// import, the seeder, or staff in the dashboard. The rules read whole
// tables with aggregate queries (GROUP BY over a table, never a query per
// record), all on one read snapshot, and every violation names its record
// and the figures that disagree. Run takes the present from the clock;
// RunAt from the caller (a simulation's clock).
//
// The identities, per invoice i, where C is the sum of its succeeded
// charges, R of its succeeded refunds, and O, A and V the sums of the
// credit entries naming it with reason overpayment, applied and void
// (a positive entry naming the invoice returns what it held):
//
//	invoice.amount_paid      amount_paid = C − O (a charge beyond what is due is booked as an overpayment entry)
//	invoice.credit_applied   credit_applied = −A (a use is negative; a use reversed by WithdrawLines is a positive applied entry)
//	invoice.amount_refunded  amount_refunded = R
//	invoice.amount_due       open, uncollectible: amount_due = total − credit_applied − amount_paid;
//	                         draft: the same, never below 0 (what issuing will ask for);
//	                         every other status: amount_due = 0
//	invoice.status           draft: nothing applied or paid; open: amount_due > 0 unless total is 0;
//	                         paid and refunded: credit_applied + amount_paid = total; paid: nothing refunded;
//	                         partially_refunded: 0 < amount_refunded < amount_paid; refunded: amount_refunded = amount_paid
//	invoice.void_returned    void: V = credit_applied + amount_paid − amount_refunded (nothing applied is left
//	                         on it); any other status: V = 0
//	invoice.total            an issued invoice's subtotal, tax_total and total are the sums of its lines (not
//	                         for invoices imported from WHMCS, whose lines carry no tax)
//
// Credit (credit_entries, the ledger per customer and currency):
//
//	credit.balance   the balance is the sum of the entries: it is never negative, neither at the end nor at
//	                 any entry in created order (entries of the same instant count credit before use)
//	credit.cause     every entry names its cause: applied, overpayment, void and refund an invoice of the same
//	                 customer; downgrade and cancellation a subscription of the same customer and the period
//	                 (period_start < period_end) they return; manual and import a description; no amount is
//	                 zero, except an imported entry a later import brought to zero (WHMCS used it up)
//
// Periods:
//
//	period.unique    a subscription period (a period line on an invoice that is not void) is billed once
//	period.overlap   the billed periods of one subscription do not overlap
//	period.credit    downgrade and cancellation credit of a subscription never exceeds what was paid for its
//	                 period and proration lines (gross, net of the coupon discount of the same service on the
//	                 same invoice, less the invoice's refunds), and every such credit returns time that lies
//	                 within a period paid for
//
// Refunds:
//
//	refund.charge    a refund names a succeeded charge of the same invoice and currency, and the pending and
//	                 succeeded refunds of a charge never exceed it
//	refund.invoice   an invoice's amount_refunded never exceeds its amount_paid
//	refund.credit    the credit entries with reason refund naming an invoice never exceed its succeeded
//	                 refunds to credit (gateway credit); WHMCS's refunds to credit bring theirs as import
//
// Numbers (number_sequences: one counter per series and key, the key being
// the number format with the date filled in and {SEQ} left):
//
//	number.gapless   the invoice, proforma and credit note numbers of each key are exactly 1..last, each once,
//	                 and every number belongs to a counter
//
// Services:
//
//	service.create     a pending or provisioning service whose subscription has a paid invoice has a create job
//	                   that is queued or running (or failed for staff on the manual platform); an invoice imported
//	                   from WHMCS counts once a payment or credit made here settles it (WHMCS provisions what it
//	                   was paid for)
//	service.terminate  a service active or suspended, whose subscription is cancelled or expired and past its
//	                   period end, has a terminate job queued or running (or failed for staff, manual platform)
//
// Currencies:
//
//	currency.known    every currency column holds a code of billing/money's table
//	currency.invoice  payments, credit entries, credit notes and the subscriptions billed on an invoice
//	                  are in the invoice's currency
package ledgercheck
