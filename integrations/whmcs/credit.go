package whmcs

import (
	"context"
	"fmt"
)

// creditColumns are written from WHMCS on every run.
var creditColumns = []string{"customer", "currency", "amount", "reason", "description"}

// creditDescription says where an imported balance came from.
const creditDescription = "Credit balance carried over from WHMCS"

// importCredit carries each client's credit balance over as one credit
// entry ("client/<id>"), which later runs keep equal to WHMCS's balance:
// a balance WHMCS has since used up is set to zero, so it cannot be
// spent twice. WHMCS's history of credit movements is not imported.
func (im *importer) importCredit(ctx context.Context) error {
	c := im.report.count("credit")
	if err := im.loadClients(ctx); err != nil {
		return err
	}
	t, err := im.table("credit_entries", c, creditColumns)
	if err != nil {
		return err
	}
	rows, err := im.rows(ctx, "SELECT id, credit FROM tblclients ORDER BY id")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var credit string
		if err := rows.Scan(&id, &credit); err != nil {
			return err
		}
		key := fmt.Sprintf("client/%d", id)
		if isZeroDecimal(credit) && t.id(key) == "" {
			continue
		}
		c.Read++
		cl := im.clients[id]
		if cl == nil { // created in WHMCS since the clients were read
			im.report.skip(c, id, "client %d was not imported", id)
			continue
		}
		if cl.currency == "" {
			im.report.skip(c, id, "credit %s: the client's currency is not imported", credit)
			continue
		}
		amount, err := minor(credit, cl.currency)
		if err != nil {
			im.report.fail(c, id, fmt.Errorf("credit %q: %w", credit, err))
			continue
		}
		sum := im.money["credit"].at(cl.currency, "balance")
		sum.WHMCS += amount
		switch {
		case cl.record == "":
			sum.Excluded += amount
			im.report.skip(c, id, "client %d was not imported", id)
			continue
		case amount < 0:
			sum.Excluded += amount
			im.report.skip(c, id, "negative credit balance %s", credit)
			continue
		}
		t.put(key, map[string]any{"customer": cl.record, "currency": cl.currency, "amount": amount, "reason": "import",
			"description": creditDescription})
		sum.Imported += amount
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return im.flush(ctx, t)
}
