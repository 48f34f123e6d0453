package backoffice

import (
	"encoding/csv"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/ezscale/ezscale/billing/analytics"
	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/billing/subscriptions"
	"github.com/ezscale/ezscale/integrations/provisioning"
)

// Customer list pages: PerPage by default, at most MaxPerPage; the CSV
// export reads csvBatch customers at a time, whatever the page.
const (
	PerPage    = 25
	MaxPerPage = 100
	csvBatch   = 500
)

// endedServices are the service states that no longer count as a service
// the customer has.
var endedServices = []any{string(provisioning.ServiceTerminated), string(provisioning.ServiceCancelled)}

// mrrStatuses are the subscriptions that bring revenue in, as in the
// analytics report's MRR.
var mrrStatuses = []any{string(subscriptions.StatusActive), string(subscriptions.StatusPastDue)}

// sorts are the orders the list offers, each ending on the id so pages
// never overlap.
var sorts = map[string][]string{
	"-created": {"created DESC", "id DESC"},
	"created":  {"created ASC", "id ASC"},
	"name":     {"name COLLATE NOCASE ASC", "id ASC"},
	"-name":    {"name COLLATE NOCASE DESC", "id DESC"},
	"email":    {"email ASC", "id ASC"},
}

// ListParams are the customer list's filters, page and order.
type ListParams struct {
	Query       string // part of the name, email or company
	Status      string // the account's status
	ServiceType string // has a service of this type (not ended)
	Platform    string // has a service on this platform (not ended)
	Currency    string // the account's currency
	Overdue     bool   // has an open invoice past its due date
	Page        int
	PerPage     int
	Sort        string
}

// ParamError is a filter staff sent that the list does not take.
type ParamError struct {
	Field   string
	Message string
}

func (e *ParamError) Error() string { return e.Field + ": " + e.Message }

// ParseListParams reads the list's query string. A value the field cannot
// take (a status, service type or platform the schema does not know, a
// currency that is not ISO 4217, a page that is not a positive number) is
// a *ParamError naming it.
func ParseListParams(app core.App, v url.Values) (ListParams, error) {
	p := ListParams{Query: strings.TrimSpace(v.Get("q")), Page: 1, PerPage: PerPage, Sort: "-created"}
	var err error
	if p.Status, err = selectValue(app, customers.Collection, "status", v.Get("status")); err != nil {
		return p, err
	}
	if p.ServiceType, err = selectValue(app, provisioning.ServicesCollection, "service_type", v.Get("service_type")); err != nil {
		return p, err
	}
	if p.Platform, err = selectValue(app, provisioning.ServicesCollection, "platform", v.Get("platform")); err != nil {
		return p, err
	}
	if c := strings.TrimSpace(v.Get("currency")); c != "" {
		if p.Currency, err = money.NormalizeCurrency(c); err != nil {
			return p, &ParamError{"currency", fmt.Sprintf("%q is not a currency.", c)}
		}
	}
	switch v.Get("overdue") {
	case "", "0", "false":
	case "1", "true":
		p.Overdue = true
	default:
		return p, &ParamError{"overdue", "Must be true or false."}
	}
	if p.Page, err = positive(v, "page", p.Page, 0); err != nil {
		return p, err
	}
	if p.PerPage, err = positive(v, "perPage", p.PerPage, MaxPerPage); err != nil {
		return p, err
	}
	if s := v.Get("sort"); s != "" {
		if _, ok := sorts[s]; !ok {
			return p, &ParamError{"sort", fmt.Sprintf("Cannot sort by %q.", s)}
		}
		p.Sort = s
	}
	return p, nil
}

// selectValue checks value against the values the schema allows in a
// select field, so the filters follow the collections.
func selectValue(app core.App, collection, field, value string) (string, error) {
	value = strings.TrimSpace(value)
	if value == "" {
		return "", nil
	}
	col, err := app.FindCachedCollectionByNameOrId(collection)
	if err != nil {
		return "", err
	}
	sf, ok := col.Fields.GetByName(field).(*core.SelectField)
	if !ok {
		return "", fmt.Errorf("%s.%s is not a select field", collection, field)
	}
	if !slices.Contains(sf.Values, value) {
		return "", &ParamError{field, fmt.Sprintf("%q is not one of %s.", value, strings.Join(sf.Values, ", "))}
	}
	return value, nil
}

func positive(v url.Values, name string, def, max int) (int, error) {
	s := v.Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || (max > 0 && n > max) {
		if max > 0 {
			return 0, &ParamError{name, fmt.Sprintf("Must be a whole number from 1 to %d.", max)}
		}
		return 0, &ParamError{name, "Must be a whole number from 1."}
	}
	return n, nil
}

// CustomerRow is one customer of the list with their figures, each money
// figure in minor units per currency (a customer may have been billed in
// more than one).
type CustomerRow struct {
	ID       string           `db:"id" json:"id"`
	Name     string           `db:"name" json:"name"`
	Email    string           `db:"email" json:"email"`
	Company  string           `db:"company" json:"company"`
	Status   string           `db:"status" json:"status"`
	Currency string           `db:"currency" json:"currency"`
	Verified bool             `db:"verified" json:"verified"`
	Created  string           `db:"created" json:"created"`
	Services int64            `db:"-" json:"services"` // not terminated or cancelled
	MRR      map[string]int64 `db:"-" json:"mrr"`      // active and past-due subscriptions, made monthly
	Balance  map[string]int64 `db:"-" json:"balance"`  // account credit
	Overdue  map[string]int64 `db:"-" json:"overdue"`  // what open invoices past due still ask for
}

// CustomerList is one page of the list.
type CustomerList struct {
	Page       int           `json:"page"`
	PerPage    int           `json:"perPage"`
	TotalItems int64         `json:"totalItems"`
	TotalPages int64         `json:"totalPages"`
	Items      []CustomerRow `json:"items"`
}

// ListCustomers is the page p asks for, as of now (which decides what is
// overdue).
func ListCustomers(app core.App, p ListParams, now time.Time) (CustomerList, error) {
	where := p.where(now)
	out := CustomerList{Page: p.Page, PerPage: p.PerPage, Items: []CustomerRow{}}
	if err := app.DB().Select("COUNT(*)").From(customers.Collection).Where(where).Row(&out.TotalItems); err != nil {
		return out, fmt.Errorf("counting customers: %w", err)
	}
	out.TotalPages = (out.TotalItems + int64(p.PerPage) - 1) / int64(p.PerPage)
	rows, err := page(app, where, p.Sort, p.PerPage, (p.Page-1)*p.PerPage, now)
	if err != nil {
		return out, err
	}
	out.Items = append(out.Items, rows...)
	return out, nil
}

// where is the filters as one expression over customers.
func (p ListParams) where(now time.Time) dbx.Expression {
	var and []dbx.Expression
	if p.Query != "" {
		like := dbx.Params{"like": likeContains(p.Query)}
		and = append(and, dbx.NewExp(`(name LIKE {:like} ESCAPE '\' OR email LIKE {:like} ESCAPE '\' OR company LIKE {:like} ESCAPE '\')`, like))
	}
	if p.Status != "" {
		and = append(and, dbx.HashExp{"status": p.Status})
	}
	if p.Currency != "" {
		and = append(and, dbx.HashExp{"currency": p.Currency})
	}
	if p.Overdue {
		and = append(and, dbx.NewExp(`EXISTS (SELECT 1 FROM invoices i WHERE i.customer = customers.id AND i.status = 'open'
			AND i.due_at != '' AND i.due_at < {:now})`, dbx.Params{"now": now.UTC().Format(types.DefaultDateLayout)}))
	}
	if p.ServiceType != "" || p.Platform != "" {
		// Two fresh names: both filters may be bound in one statement.
		and = append(and, dbx.NewExp(`EXISTS (SELECT 1 FROM services s WHERE s.customer = customers.id
			AND s.status NOT IN ('terminated', 'cancelled')
			AND ({:type} = '' OR s.service_type = {:type}) AND ({:platform} = '' OR s.platform = {:platform}))`,
			dbx.Params{"type": p.ServiceType, "platform": p.Platform}))
	}
	return dbx.And(and...)
}

// page reads customers and their figures: four grouped queries over the
// page's ids, each through the customer index of its table.
func page(app core.App, where dbx.Expression, sort string, limit, offset int, now time.Time) ([]CustomerRow, error) {
	var rows []CustomerRow
	err := app.DB().Select("id", "name", "email", "company", "status", "currency", "verified", "created").
		From(customers.Collection).Where(where).OrderBy(sorts[sort]...).Limit(int64(limit)).Offset(int64(offset)).All(&rows)
	if err != nil || len(rows) == 0 {
		return rows, err
	}
	ids := make([]any, len(rows))
	index := make(map[string]*CustomerRow, len(rows))
	for i := range rows {
		ids[i] = rows[i].ID
		rows[i].MRR, rows[i].Balance, rows[i].Overdue = map[string]int64{}, map[string]int64{}, map[string]int64{}
		index[rows[i].ID] = &rows[i]
	}
	var counts []struct {
		Customer string `db:"customer"`
		N        int64  `db:"n"`
	}
	err = app.DB().Select("customer", "COUNT(*) AS n").From(provisioning.ServicesCollection).
		Where(dbx.And(dbx.In("customer", ids...), dbx.NotIn("status", endedServices...))).GroupBy("customer").All(&counts)
	if err != nil {
		return nil, fmt.Errorf("services of customers: %w", err)
	}
	for _, c := range counts {
		index[c.Customer].Services = c.N
	}
	type sum struct {
		Customer string `db:"customer"`
		Currency string `db:"currency"`
		Cycle    string `db:"cycle"`
		Amount   int64  `db:"amount"`
	}
	var subs []sum
	err = app.DB().Select("customer", "currency", "cycle", "SUM(amount) AS amount").From(subscriptions.Collection).
		Where(dbx.And(dbx.In("customer", ids...), dbx.In("status", mrrStatuses...))).GroupBy("customer", "currency", "cycle").All(&subs)
	if err != nil {
		return nil, fmt.Errorf("subscriptions of customers: %w", err)
	}
	mrr := map[string]*analytics.MRR{}
	for _, s := range subs {
		if mrr[s.Customer] == nil {
			mrr[s.Customer] = &analytics.MRR{}
		}
		if err := mrr[s.Customer].Add(s.Currency, s.Cycle, s.Amount); err != nil {
			return nil, fmt.Errorf("MRR of customer %s: %w", s.Customer, err)
		}
	}
	for id, m := range mrr {
		if index[id].MRR, err = m.ByCurrency(); err != nil {
			return nil, fmt.Errorf("MRR of customer %s: %w", id, err)
		}
	}
	var credit []sum
	err = app.DB().Select("customer", "currency", "SUM(amount) AS amount").From(ledger.CreditCollection).
		Where(dbx.In("customer", ids...)).GroupBy("customer", "currency").All(&credit)
	if err != nil {
		return nil, fmt.Errorf("credit of customers: %w", err)
	}
	for _, c := range credit {
		if c.Amount != 0 {
			index[c.Customer].Balance[c.Currency] = c.Amount
		}
	}
	var overdue []sum
	err = app.DB().Select("customer", "currency", "SUM(amount_due) AS amount").From(ledger.InvoicesCollection).
		Where(dbx.And(dbx.In("customer", ids...), dbx.NewExp("status = 'open' AND due_at != '' AND due_at < {:now}",
			dbx.Params{"now": now.UTC().Format(types.DefaultDateLayout)}))).GroupBy("customer", "currency").All(&overdue)
	if err != nil {
		return nil, fmt.Errorf("overdue invoices of customers: %w", err)
	}
	for _, o := range overdue {
		if o.Amount != 0 {
			index[o.Customer].Overdue[o.Currency] = o.Amount
		}
	}
	return rows, nil
}

// CSVHeader are the export's columns. A customer is one line per
// currency they have figures in (most have one: their account's), or one
// line in their account's currency with zeros when they have none; the
// amounts are decimals in that currency, as a spreadsheet reads them.
var CSVHeader = []string{"customer_id", "name", "email", "company", "status", "signed_up", "services",
	"currency", "mrr", "balance", "overdue"}

// WriteCustomersCSV writes every customer p's filters select (its page
// ignored), in p's order.
func WriteCustomersCSV(app core.App, p ListParams, now time.Time, w io.Writer) (rows int, err error) {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return 0, err
	}
	where := p.where(now)
	for offset := 0; ; offset += csvBatch {
		batch, err := page(app, where, p.Sort, csvBatch, offset, now)
		if err != nil {
			return rows, err
		}
		for _, c := range batch {
			for _, line := range csvLines(c) {
				if err := cw.Write(line); err != nil {
					return rows, err
				}
			}
		}
		rows += len(batch)
		cw.Flush()
		if err := cw.Error(); err != nil {
			return rows, err
		}
		if len(batch) < csvBatch {
			return rows, nil
		}
	}
}

// csvLines are a customer's lines of the export. Amounts are this
// package's own decimals, kept as numbers; only text a person typed goes
// through CSVText.
func csvLines(c CustomerRow) [][]string {
	currencies := map[string]bool{}
	for _, m := range []map[string]int64{c.MRR, c.Balance, c.Overdue} {
		for code := range m {
			currencies[code] = true
		}
	}
	if len(currencies) == 0 {
		currencies[c.Currency] = true
	}
	codes := make([]string, 0, len(currencies))
	for code := range currencies {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	lines := make([][]string, 0, len(codes))
	for _, code := range codes {
		lines = append(lines, []string{c.ID, CSVText(c.Name), CSVText(c.Email), CSVText(c.Company), c.Status,
			signedUp(c.Created), strconv.FormatInt(c.Services, 10), code,
			decimal(c.MRR[code], code), decimal(c.Balance[code], code), decimal(c.Overdue[code], code)})
	}
	return lines
}

// decimal is an amount as a decimal string of its currency ("12.50");
// a currency the table does not know keeps its minor units.
func decimal(minor int64, code string) string {
	a, err := money.New(minor, code)
	if err != nil {
		return strconv.FormatInt(minor, 10)
	}
	return a.FormatDecimal()
}

func signedUp(created string) string {
	if len(created) >= len("2006-01-02") {
		return created[:len("2006-01-02")]
	}
	return created
}

// CSVText makes a typed text safe to open in a spreadsheet: one starting
// with = + - @ (or a tab or carriage return, which some spreadsheets skip
// before reading a formula) is prefixed with ' so it is shown, never
// evaluated (OWASP's CSV injection advice).
func CSVText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
