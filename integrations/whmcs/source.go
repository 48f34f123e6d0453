package whmcs

import (
	"context"
	"database/sql"
	"fmt"
	"html"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ezscale/ezscale/billing/money"
)

// text is a WHMCS text column as people wrote it: WHMCS stores form input
// HTML-escaped ("O&#039;Brien &amp; Sons"), decoded here exactly once, so
// a literal "&amp;" someone typed (stored "&amp;amp;") survives as "&amp;".
func text(s string) string {
	return strings.TrimSpace(html.UnescapeString(s))
}

// clip cuts s to max characters (not bytes).
func clip(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max])
}

// minor reads a WHMCS decimal column ("12.30", "-5.00") exactly into minor
// units of currency; WHMCS keeps two decimals, so no rounding happens.
func minor(dec, currency string) (int64, error) {
	a, err := money.ParseDecimal(strings.TrimSpace(dec), currency)
	if err != nil {
		return 0, err
	}
	return a.Minor, nil
}

// date is a DATE/DATETIME column read with parseTime: NULL and WHMCS's
// "0000-00-00" (the zero time) are no date.
func date(t sql.NullTime) time.Time {
	if !t.Valid || t.Time.IsZero() || t.Time.Year() < 1971 {
		return time.Time{}
	}
	return t.Time.UTC()
}

// rows runs a query on the WHMCS database.
func (im *importer) rows(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	r, err := im.src.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("read WHMCS: %w", err)
	}
	return r, nil
}

// hasTable says whether the WHMCS database has a table (older versions lack
// the WHMCS 8 user tables).
func (im *importer) hasTable(ctx context.Context, name string) (bool, error) {
	var n int
	err := im.src.QueryRowContext(ctx,
		"SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?", name).Scan(&n)
	return n > 0, err
}

// currency is the code of a WHMCS currency id; 0 (WHMCS: "the client's")
// and unknown ids are "".
func (im *importer) currency(id int64) string { return im.currencies[id] }
