package whmcs

import (
	"context"
	"strings"

	"github.com/ezscale/ezscale/billing/money"
)

// importCurrencies learns WHMCS's currencies by id: amounts carry no code
// in WHMCS, only a client's or a pricing row's currency id. Nothing is
// written (currencies are codes here); a code we do not know is reported
// and everything in it is left out.
func (im *importer) importCurrencies(ctx context.Context) error {
	c := im.report.count("currencies")
	im.currencies = map[int64]string{}
	rows, err := im.rows(ctx, "SELECT id, code, `default` FROM tblcurrencies ORDER BY id")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, def int64
		var code string
		if err := rows.Scan(&id, &code, &def); err != nil {
			return err
		}
		c.Read++
		cur, err := money.LookupCurrency(strings.ToUpper(strings.TrimSpace(code)))
		if err != nil {
			im.report.skip(c, id, "currency %q: %v", code, err)
			continue
		}
		c.Unchanged++
		im.currencies[id] = cur.Code
		if def == 1 || im.defaultCur == "" {
			im.defaultCur = cur.Code
		}
	}
	return rows.Err()
}
