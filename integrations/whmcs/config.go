package whmcs

import (
	"context"
	"strings"
)

// taxConfig is how the WHMCS install computed tax (tblconfiguration):
// WHMCS stored each invoice's subtotal, tax and total by these rules, so
// they decide how the stored figures add up.
type taxConfig struct {
	// inclusive (TaxType = Inclusive): item amounts already hold the tax;
	// WHMCS's subtotal is the items less the tax and its total the items
	// less credit, tax not added again.
	inclusive bool
	// perLine (TaxPerLineItem): tax rounded per line rather than on the
	// taxed sum; it only changes the rounding of the tax WHMCS stored,
	// which is imported as stored.
	perLine bool
	// compound (TaxL2Compound): the level 2 tax is charged on the taxed
	// amount plus the level 1 tax.
	compound bool
}

// loadTaxConfig reads the tax settings once; a WHMCS database without
// tblconfiguration (or without the settings) taxes exclusively, WHMCS's
// default.
func (im *importer) loadTaxConfig(ctx context.Context) (taxConfig, error) {
	if im.tax != nil {
		return *im.tax, nil
	}
	var cfg taxConfig
	ok, err := im.hasTable(ctx, "tblconfiguration")
	if err != nil {
		return cfg, err
	}
	if ok {
		rows, err := im.rows(ctx, "SELECT setting, value FROM tblconfiguration WHERE setting IN ('TaxType', 'TaxPerLineItem', 'TaxL2Compound')")
		if err != nil {
			return cfg, err
		}
		defer rows.Close()
		for rows.Next() {
			var setting, value string
			if err := rows.Scan(&setting, &value); err != nil {
				return cfg, err
			}
			value = strings.TrimSpace(value)
			switch setting {
			case "TaxType":
				cfg.inclusive = strings.EqualFold(value, "Inclusive")
			case "TaxPerLineItem":
				cfg.perLine = configOn(value)
			case "TaxL2Compound":
				cfg.compound = configOn(value)
			}
		}
		if err := rows.Err(); err != nil {
			return cfg, err
		}
	}
	im.tax = &cfg
	return cfg, nil
}

// configOn reads a WHMCS checkbox setting: "on" (or "1") when ticked.
func configOn(v string) bool {
	return strings.EqualFold(v, "on") || v == "1"
}

// hasColumn says whether a WHMCS table has a column (older versions lack
// some WHMCS 8 ones, e.g. tbltickets.merged_ticket_id).
func (im *importer) hasColumn(ctx context.Context, table, column string) (bool, error) {
	var n int
	err := im.src.QueryRowContext(ctx, `SELECT COUNT(*) FROM information_schema.columns
		WHERE table_schema = DATABASE() AND table_name = ? AND column_name = ?`, table, column).Scan(&n)
	return n > 0, err
}
