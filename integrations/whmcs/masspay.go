package whmcs

import (
	"context"
	"strconv"
	"strings"
)

// loadMassPay finds WHMCS's mass-pay invoices (read once): an invoice whose
// every item has type Invoice, each naming (relid) an invoice it pays.
// WHMCS takes the money on the mass-pay invoice, books it as credit ("Mass
// Invoice Payment Credit for Invoice #…") and applies that credit to each
// invoice named (processPaidInvoice, applyCredit): the revenue is on those
// invoices, whose credit pays them, and the mass-pay invoice is only how
// the money came in. Importing it as an invoice too would count the
// revenue twice, so its payment is imported without an invoice and it is
// listed. An invoice mixing Invoice items with others is not one.
func (im *importer) loadMassPay(ctx context.Context) (map[int64][]int64, error) {
	if im.massPay != nil {
		return im.massPay, nil
	}
	rows, err := im.rows(ctx, `SELECT invoiceid, type, relid FROM tblinvoiceitems
		WHERE invoiceid IN (SELECT invoiceid FROM tblinvoiceitems WHERE type = 'Invoice') ORDER BY invoiceid, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]int64{}
	mixed := map[int64]bool{}
	for rows.Next() {
		var invoice, rel int64
		var kind string
		if err := rows.Scan(&invoice, &kind, &rel); err != nil {
			return nil, err
		}
		if !strings.EqualFold(strings.TrimSpace(kind), "Invoice") {
			mixed[invoice] = true
			continue
		}
		out[invoice] = append(out[invoice], rel)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for id := range mixed {
		delete(out, id)
	}
	im.massPay = out
	return out, nil
}

// idList prints WHMCS ids as "12, 13".
func idList(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ", ")
}
