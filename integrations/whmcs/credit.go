package whmcs

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// creditColumns are written from WHMCS on every run; a movement of the
// history also names the invoice it was applied to.
var (
	creditColumns  = []string{"customer", "currency", "amount", "reason", "description"}
	historyColumns = append(slices.Clone(creditColumns), "invoice")
)

// Limits of the credit schema.
const creditDescriptionMax = 500

// creditDescription says where an imported balance came from.
const (
	creditDescription   = "Credit balance carried over from WHMCS"
	creditDifferenceFmt = "Credit balance carried over from WHMCS, beyond its credit history"
	creditWithApplied   = "Credit carried over from WHMCS: its balance and the credit applied to its invoices"
)

// invoiceCredit is the credit WHMCS applied to one of its invoices
// (tblinvoices.credit), with the day it was applied: paid, else issued.
type invoiceCredit struct {
	invoiceID int64
	date      sql.NullTime
	dec       string
}

// creditMove is a tblcredit row: one movement of a client's credit
// (added, applied to an invoice, refunded to credit, removed).
type creditMove struct {
	id, clientID, rel int64
	date              sql.NullTime
	description, dec  string
}

// importCredit carries each client's credit over: its history of
// movements (tblcredit) as credit entries ("credit/<id>"), each with
// WHMCS's date and description, and one entry ("client/<id>") for the part
// of the balance the history does not explain (the whole balance when
// WHMCS has no tblcredit). Later runs keep the sum of a client's entries
// equal to WHMCS's balance (tblclients.credit): a balance WHMCS has since
// used up comes to zero, so it cannot be spent twice. Credit WHMCS applied
// to an invoice of the client, or took back from it (applyCredit: "Credit
// Applied to Invoice #…", "Removal of Credit from Invoice #…"), is an
// applied entry naming the imported invoice, which holds it as its credit
// applied; every other movement is an import entry. Credit an imported
// invoice holds that the history does not explain (all of it when WHMCS
// has no tblcredit) is one applied entry naming it ("applied/<invoice
// id>"), so the invoice's credit applied is the credit its entries used,
// and the balance entry counts it back in.
func (im *importer) importCredit(ctx context.Context) error {
	if err := im.loadClients(ctx); err != nil {
		return err
	}
	history, err := im.creditHistory(ctx)
	if err != nil {
		return err
	}
	// Three views of the same collection, apart by key: balances counted as
	// credit, movements as credit_history, the credit applied to invoices
	// beyond the history as credit_applied.
	t, err := im.table("credit_entries", im.report.count("credit"), creditColumns)
	if err != nil {
		return err
	}
	h, err := im.table("credit_entries", im.report.count("credit_history"), historyColumns)
	if err != nil {
		return err
	}
	a, err := im.table("credit_entries", im.report.count("credit_applied"), historyColumns)
	if err != nil {
		return err
	}
	// One instant for all: a client's entries of one instant count credit
	// before use, so uses before the balance entry makes up the difference
	// never show a negative balance.
	h.now, a.now = t.now, t.now
	invoices, err := im.table("invoices", &Count{}, []string{"customer", "number"})
	if err != nil {
		return err
	}
	used, err := im.invoiceCredits(ctx, a)
	if err != nil {
		return err
	}
	rows, err := im.rows(ctx, "SELECT id, credit FROM tblclients ORDER BY id")
	if err != nil {
		return err
	}
	defer rows.Close()
	seen := map[int64]bool{}
	for rows.Next() {
		var id int64
		var credit string
		if err := rows.Scan(&id, &credit); err != nil {
			return err
		}
		seen[id] = true
		im.clientCredit(clientCredit{t, h, a, invoices}, id, credit, history[id], used[id])
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for id, moves := range history { // movements of deleted clients
		if seen[id] {
			continue
		}
		for _, mv := range moves {
			h.count.Read++
			im.report.skip(h.count, mv.id, "client %d no longer exists in WHMCS", id)
			moved := im.money["credit"].at(unresolvedMoney, "history")
			if v, err := minor(mv.dec, im.defaultCur); err == nil {
				moved.WHMCS += v
				moved.Excluded += v
			}
		}
	}
	for _, tab := range []*table{h, a} {
		if err := im.flush(ctx, tab); err != nil {
			return err
		}
	}
	return im.flush(ctx, t)
}

// clientCredit are the tables a client's credit goes to: the balance
// entry, the history, the credit applied to invoices the history leaves
// out, and the imported invoices they name.
type clientCredit struct {
	balance, history, applied, invoices *table
}

// clientCredit imports one client's credit history, the credit applied to
// its invoices that the history leaves out, and its balance.
func (im *importer) clientCredit(tabs clientCredit, id int64, credit string, moves []creditMove, used []invoiceCredit) {
	t, h, a, invoices := tabs.balance, tabs.history, tabs.applied, tabs.invoices
	key := fmt.Sprintf("client/%d", id)
	cl := im.clients[id]
	if isZeroDecimal(credit) && t.id(key) == "" && len(moves) == 0 && len(used) == 0 {
		return
	}
	h.count.Read += len(moves)
	skip := func(format string, args ...any) {
		t.count.Read++
		im.report.skip(t.count, id, format, args...)
		for _, mv := range moves {
			im.report.skip(h.count, mv.id, "the credit of client %d is not imported", id)
		}
		for _, u := range used {
			if invoices.id(strconv.FormatInt(u.invoiceID, 10)) != "" {
				a.count.Read++
				im.report.skip(a.count, u.invoiceID, "the credit of client %d is not imported", id)
			}
		}
	}
	switch {
	case cl == nil: // created in WHMCS since the clients were read
		skip("client %d was not imported", id)
		return
	case cl.currency == "":
		skip("credit %s: the client's currency is not imported", credit)
		return
	}
	amount, err := minor(credit, cl.currency)
	if err != nil {
		t.count.Read++
		im.report.fail(t.count, id, fmt.Errorf("credit %q: %w", credit, err))
		return
	}
	balance := im.money["credit"].at(cl.currency, "balance")
	moved := &Sum{} // the history's sum, reported only for a client that has one
	if len(moves) > 0 {
		moved = im.money["credit"].at(cl.currency, "history")
	}
	balance.WHMCS += amount
	type entry struct {
		key, description, reason, invoice string
		amount                            int64
	}
	var entries []entry
	var historySum int64
	explained := map[string]int64{} // applied entries of the history, by invoice record
	for _, mv := range moves {
		v, err := minor(mv.dec, cl.currency)
		if err != nil {
			im.report.fail(h.count, mv.id, fmt.Errorf("amount %q: %w", mv.dec, err))
			continue
		}
		moved.WHMCS += v
		if v == 0 {
			im.report.skip(h.count, mv.id, "moves no credit")
			continue
		}
		historySum += v
		reason, invoice := "import", ""
		if inv := invoices.byWHMCS[strconv.FormatInt(appliedTo(mv), 10)]; inv != nil && inv.values["customer"] == cl.record {
			reason, invoice = "applied", inv.id
			explained[inv.id] += v
		}
		entries = append(entries, entry{"credit/" + strconv.FormatInt(mv.id, 10), clip(creditMoveText(mv), creditDescriptionMax),
			reason, invoice, v})
	}
	if cl.record == "" || amount < 0 {
		balance.Excluded += amount
		moved.Excluded += historySum
		if cl.record == "" {
			skip("client %d was not imported", id)
		} else {
			skip("negative credit balance %s", credit)
		}
		return
	}
	for _, e := range entries {
		h.put(e.key, map[string]any{"customer": cl.record, "currency": cl.currency, "amount": e.amount, "reason": e.reason,
			"description": e.description, "invoice": e.invoice})
	}
	appliedSum := im.unexplainedCredit(a, invoices, cl, used, explained)
	moved.Imported += historySum
	balance.Imported += amount
	rest := amount - historySum - appliedSum
	if rest == 0 && t.id(key) == "" {
		return // the history and the invoices' credit are the whole balance
	}
	desc := creditDescription
	switch {
	case len(entries) > 0:
		desc = creditDifferenceFmt
		im.report.note("credit", id, "credit history sums to %s, the balance is %s: the difference %s is one entry",
			decimal(historySum+appliedSum, cl.currency), decimal(amount, cl.currency), decimal(rest, cl.currency))
	case appliedSum != 0:
		desc = creditWithApplied
	}
	t.count.Read++
	t.put(key, map[string]any{"customer": cl.record, "currency": cl.currency, "amount": rest, "reason": "import",
		"description": desc})
}

// unexplainedCredit writes, for each imported invoice of the client, an
// applied entry for the credit WHMCS applied to it (used) that the
// history's applied entries (explained, by invoice record) leave out, and
// answers their sum. It is dated, like a movement, at the invoice's date
// paid, else its date. An entry written before whose credit the history
// now explains comes to zero, as a used-up balance does.
func (im *importer) unexplainedCredit(a, invoices *table, cl *client, used []invoiceCredit, explained map[string]int64) int64 {
	var sum int64
	for _, u := range used {
		inv := invoices.byWHMCS[strconv.FormatInt(u.invoiceID, 10)]
		if inv == nil || inv.values["customer"] != cl.record {
			continue // not imported (its reason is listed with the invoices), or no longer this client's
		}
		v, err := minor(u.dec, cl.currency)
		if err != nil {
			continue // the invoice step failed it with the reason
		}
		key := appliedKey(u.invoiceID)
		rest := -v - explained[inv.id]
		if rest == 0 && a.id(key) == "" {
			continue
		}
		a.count.Read++
		desc := "Credit applied to invoice " + inv.values["number"]
		if at := date(u.date); !at.IsZero() {
			desc = at.Format("2006-01-02") + ": " + desc
		}
		a.put(key, map[string]any{"customer": cl.record, "currency": cl.currency, "amount": rest, "reason": "applied",
			"description": clip(desc, creditDescriptionMax), "invoice": inv.id})
		sum += rest
	}
	if sum != 0 {
		im.report.note("credit", cl.id, "credit %s applied to its invoices is not in WHMCS's credit history: imported as applied entries, "+
			"counted back in its balance entry", decimal(-sum, cl.currency))
	}
	return sum
}

// appliedKey is the key of the applied entry of a WHMCS invoice's credit.
func appliedKey(invoiceID int64) string { return "applied/" + strconv.FormatInt(invoiceID, 10) }

// invoiceCredits reads the credit WHMCS applied to its invoices, by client:
// each invoice holding credit, and each whose applied entry (in a) an
// earlier run wrote, so credit WHMCS has since taken back comes to zero.
func (im *importer) invoiceCredits(ctx context.Context, a *table) (map[int64][]invoiceCredit, error) {
	rows, err := im.rows(ctx, "SELECT id, userid, credit, date, datepaid FROM tblinvoices ORDER BY userid, id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]invoiceCredit{}
	for rows.Next() {
		var u invoiceCredit
		var clientID int64
		var paid sql.NullTime
		if err := rows.Scan(&u.invoiceID, &clientID, &u.dec, &u.date, &paid); err != nil {
			return nil, err
		}
		if isZeroDecimal(u.dec) && a.id(appliedKey(u.invoiceID)) == "" {
			continue
		}
		if !date(paid).IsZero() {
			u.date = paid
		}
		out[clientID] = append(out[clientID], u)
	}
	return out, rows.Err()
}

// creditHistory reads tblcredit by client, oldest first; none when the
// WHMCS database has no tblcredit.
func (im *importer) creditHistory(ctx context.Context) (map[int64][]creditMove, error) {
	ok, err := im.hasTable(ctx, "tblcredit")
	if err != nil || !ok {
		return nil, err
	}
	rows, err := im.rows(ctx, "SELECT id, clientid, date, description, amount, relid FROM tblcredit ORDER BY clientid, date, id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]creditMove{}
	for rows.Next() {
		var mv creditMove
		if err := rows.Scan(&mv.id, &mv.clientID, &mv.date, &mv.description, &mv.dec, &mv.rel); err != nil {
			return nil, err
		}
		out[mv.clientID] = append(out[mv.clientID], mv)
	}
	return out, rows.Err()
}

// creditMoveText is a movement as the customer reads it: its WHMCS date
// (an entry's own is when it was imported) and description.
func creditMoveText(mv creditMove) string {
	d := text(mv.description)
	if d == "" {
		d = "Credit movement"
	}
	if at := date(mv.date); !at.IsZero() {
		return at.Format("2006-01-02") + ": " + d
	}
	return d
}

// What WHMCS writes when it applies credit to an invoice and takes it back.
const (
	creditAppliedPrefix = "Credit Applied to Invoice #"
	creditRemovedPrefix = "Removal of Credit from Invoice #"
)

// appliedTo is the WHMCS invoice a movement applied credit to or took it
// back from (relid, else the number its description ends with); 0 for any
// other movement.
func appliedTo(mv creditMove) int64 {
	d := strings.TrimSpace(mv.description)
	var rest string
	switch {
	case strings.HasPrefix(d, creditAppliedPrefix):
		rest = d[len(creditAppliedPrefix):]
	case strings.HasPrefix(d, creditRemovedPrefix):
		rest = d[len(creditRemovedPrefix):]
	default:
		return 0
	}
	if mv.rel > 0 {
		return mv.rel
	}
	n, err := strconv.ParseInt(strings.TrimSpace(rest), 10, 64)
	if err != nil {
		return 0
	}
	return n
}
