package whmcs

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/ezscale/ezscale/billing/money"
)

// Report is what an import did: counts per entity, the money on both
// sides, and every WHMCS record it did not import, with the reason.
type Report struct {
	DryRun     bool      `json:"dry_run"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	Entities   []*Count  `json:"entities"`
	// Invoices are invoice totals per currency and WHMCS status; Payments
	// and Credit money in, out and held per currency.
	Invoices []*Sum `json:"invoice_totals"`
	Payments []*Sum `json:"payments"`
	Credit   []*Sum `json:"credit"`
	// NotImported lists the records left out; Notes the ones imported that
	// staff should look at (a total that disagrees with its lines, a
	// renamed coupon code, addresses that differ only in case, …).
	NotImported []Problem `json:"not_imported"`
	Notes       []Problem `json:"notes"`
	Reconciled  bool      `json:"reconciled"`
}

// Count is one entity's tally.
type Count struct {
	Entity    string `json:"entity"`
	Read      int    `json:"read"`
	Created   int    `json:"created"`
	Updated   int    `json:"updated"`
	Unchanged int    `json:"unchanged"`
	Skipped   int    `json:"skipped"`
	Failed    int    `json:"failed"`
}

// Sum compares one figure on both sides, in minor units. Status is the
// WHMCS status (invoices) or what is summed (payments: "in", "out", "fees").
type Sum struct {
	Currency string `json:"currency"`
	Status   string `json:"status"`
	WHMCS    int64  `json:"whmcs"`
	Imported int64  `json:"imported"`
	// Excluded is the part of WHMCS not imported (listed in not_imported):
	// the figures reconcile when WHMCS − Excluded = Imported.
	Excluded int64 `json:"excluded"`
	OK       bool  `json:"ok"`
}

// Problem names a WHMCS record and what about it.
type Problem struct {
	Entity string `json:"entity"`
	ID     string `json:"whmcs_id"`
	Reason string `json:"reason"`
}

func (r *Report) count(entity string) *Count {
	for _, c := range r.Entities {
		if c.Entity == entity {
			return c
		}
	}
	c := &Count{Entity: entity}
	r.Entities = append(r.Entities, c)
	return c
}

// skip records a WHMCS row that is not imported.
func (r *Report) skip(c *Count, id any, format string, args ...any) {
	c.Skipped++
	r.NotImported = append(r.NotImported, Problem{Entity: c.Entity, ID: fmt.Sprint(id), Reason: fmt.Sprintf(format, args...)})
}

// fail records a WHMCS row whose import failed.
func (r *Report) fail(c *Count, id any, err error) {
	c.Failed++
	r.NotImported = append(r.NotImported, Problem{Entity: c.Entity, ID: fmt.Sprint(id), Reason: "failed: " + err.Error()})
}

// note records something staff should know about an imported row.
func (r *Report) note(entity string, id any, format string, args ...any) {
	r.Notes = append(r.Notes, Problem{Entity: entity, ID: fmt.Sprint(id), Reason: fmt.Sprintf(format, args...)})
}

// sums is a set of Sum by currency and status.
type sums map[[2]string]*Sum

func (s sums) at(currency, status string) *Sum {
	k := [2]string{currency, status}
	if s[k] == nil {
		s[k] = &Sum{Currency: currency, Status: status}
	}
	return s[k]
}

// list is the sums sorted, each checked.
func (s sums) list() []*Sum {
	out := make([]*Sum, 0, len(s))
	for _, v := range s {
		v.OK = v.WHMCS-v.Excluded == v.Imported
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Currency != out[j].Currency {
			return out[i].Currency < out[j].Currency
		}
		return out[i].Status < out[j].Status
	})
	return out
}

// reconcile sets Reconciled: every sum agrees.
func (r *Report) reconcile() {
	r.Reconciled = true
	for _, list := range [][]*Sum{r.Invoices, r.Payments, r.Credit} {
		for _, s := range list {
			r.Reconciled = r.Reconciled && s.OK
		}
	}
}

// JSON writes the report as indented JSON.
func (r *Report) JSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// Print writes the report for a person: the counts, the sums (marking the
// ones that disagree), then every record not imported and every note.
func (r *Report) Print(w io.Writer) {
	mode := ""
	if r.DryRun {
		mode = " (dry run: nothing written)"
	}
	fmt.Fprintf(w, "\nWHMCS import%s, %s\n\n", mode, r.FinishedAt.Sub(r.StartedAt).Round(time.Millisecond))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "entity\tread\tcreated\tupdated\tunchanged\tskipped\tfailed\t")
	for _, c := range r.Entities {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t\n", c.Entity, c.Read, c.Created, c.Updated, c.Unchanged, c.Skipped, c.Failed)
	}
	tw.Flush()
	for _, part := range []struct {
		title string
		sums  []*Sum
	}{{"Invoice totals (WHMCS total = our total − credit applied)", r.Invoices}, {"Payments", r.Payments}, {"Credit balances", r.Credit}} {
		if len(part.sums) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s\n", part.title)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "currency\tstatus\tWHMCS\tnot imported\timported\t\t")
		for _, s := range part.sums {
			mark := "ok"
			if !s.OK {
				mark = "MISMATCH"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t\n", s.Currency, s.Status, decimal(s.WHMCS, s.Currency),
				decimal(s.Excluded, s.Currency), decimal(s.Imported, s.Currency), mark)
		}
		tw.Flush()
	}
	for _, part := range []struct {
		title string
		list  []Problem
	}{{"Not imported", r.NotImported}, {"Notes", r.Notes}} {
		if len(part.list) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s (%d)\n", part.title, len(part.list))
		for _, g := range grouped(part.list) {
			fmt.Fprintf(w, "  %s %s: %s\n", g.Entity, g.ID, g.Reason)
		}
	}
	if r.Reconciled {
		fmt.Fprintln(w, "\nEvery sum reconciles.")
	} else {
		fmt.Fprintln(w, "\nSome sums do NOT reconcile: see MISMATCH above.")
	}
}

// grouped joins the problems of one entity that have the same reason, so a
// note every service shares is one line naming them all.
func grouped(list []Problem) []Problem {
	var out []Problem
	at := map[[2]string]int{}
	for _, p := range list {
		k := [2]string{p.Entity, p.Reason}
		if i, ok := at[k]; ok {
			out[i].ID += "," + p.ID
			continue
		}
		at[k] = len(out)
		out = append(out, p)
	}
	return out
}

// decimal prints minor units of currency as a plain decimal ("12.34");
// amounts of no known currency (an invoice of a deleted client) in WHMCS's
// two decimals.
func decimal(minor int64, currency string) string {
	if _, err := money.LookupCurrency(currency); err != nil {
		currency = "USD"
	}
	return money.Amount{Minor: minor, Currency: currency}.FormatDecimal()
}
