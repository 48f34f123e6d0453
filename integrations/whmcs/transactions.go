package whmcs

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/pocketbase/dbx"
)

// paymentColumns are written from WHMCS on every run.
var paymentColumns = []string{"customer", "invoice", "kind", "gateway", "gateway_id", "status", "amount", "currency", "fee",
	"reason", "paid_at", "refund_of"}

// Limits of the payments schema.
const (
	gatewayIDMax    = 255
	refundReasonMax = 1000
)

// unresolvedMoney is the report's currency of money whose currency is
// unknown (as in the fixture's expected figures).
const unresolvedMoney = "_unresolved"

// transaction is a tblaccounts row.
type transaction struct {
	id, clientID, currencyID, invoiceID, refundID int64
	gateway, description, transID                 string
	in, fees, out                                 string
	date                                          sql.NullTime
}

// importTransactions imports tblaccounts: a row that pays money in is a
// charge, one that pays it out (amountout, with the row it refunds in
// refundid) a refund. Charges are written before refunds, so a refund's
// charge exists when it is. Money with no client (an unmatched bank
// deposit) has no customer to belong to and is listed.
//
// A refund to the credit balance is two rows in WHMCS (refundInvoicePayment
// with "add as credit"), both with no gateway: "Refund of Transaction ID …
// to Credit Balance" pays the charge out, and "Credit from Refund of
// Invoice ID …" pays the same amount in. The first is a refund of the
// charge into credit (gateway credit); the second is no money the
// customer paid: it is the credit, which the credit step carries (its
// tblcredit row, and the balance), so it is listed, not made a payment.
func (im *importer) importTransactions(ctx context.Context) error {
	r := &paymentRun{im: im, c: im.report.count("payments")}
	if err := im.loadClients(ctx); err != nil {
		return err
	}
	var err error
	if r.whmcsInvoices, err = im.idSet(ctx, "tblinvoices"); err != nil {
		return err
	}
	if r.massPay, err = im.loadMassPay(ctx); err != nil {
		return err
	}
	if r.invoices, err = im.table("invoices", &Count{}, nil); err != nil {
		return err
	}
	if r.taken, err = im.foreignGatewayIDs(); err != nil {
		return err
	}
	if r.payments, err = im.table("payments", r.c, paymentColumns); err != nil {
		return err
	}
	rows, err := im.rows(ctx, `SELECT id, userid, currency, gateway, date, description, amountin, fees, amountout, transid,
		invoiceid, refundid FROM tblaccounts ORDER BY id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var charges, refunds []*transaction
	for rows.Next() {
		tx := &transaction{}
		if err := rows.Scan(&tx.id, &tx.clientID, &tx.currencyID, &tx.gateway, &tx.date, &tx.description, &tx.in, &tx.fees,
			&tx.out, &tx.transID, &tx.invoiceID, &tx.refundID); err != nil {
			return err
		}
		if isZeroDecimal(tx.out) {
			charges = append(charges, tx)
		} else {
			refunds = append(refunds, tx)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, tx := range append(charges, refunds...) {
		r.payment(tx)
	}
	return im.flush(ctx, r.payments)
}

// Descriptions WHMCS gives the two rows of a refund to the credit balance
// (refundInvoicePayment).
const (
	refundToCreditPrefix = "Refund of Transaction ID "
	refundToCreditSuffix = " to Credit Balance"
	creditFromRefund     = "Credit from Refund of Invoice ID "
)

// refundToCredit says whether a row pays a charge out into the client's
// credit balance rather than back through a gateway.
func (tx *transaction) refundToCredit() bool {
	d := strings.TrimSpace(tx.description)
	return strings.TrimSpace(tx.gateway) == "" && !isZeroDecimal(tx.out) &&
		strings.HasPrefix(d, refundToCreditPrefix) && strings.HasSuffix(d, refundToCreditSuffix)
}

// creditFromRefund says whether a row is the credit side of a refund to
// the credit balance: money in that no one paid.
func (tx *transaction) creditFromRefund() bool {
	return strings.TrimSpace(tx.gateway) == "" && isZeroDecimal(tx.out) &&
		strings.HasPrefix(strings.TrimSpace(tx.description), creditFromRefund)
}

// paymentRun is one run of the transactions step: the table it writes and
// what it matches WHMCS rows against.
type paymentRun struct {
	im            *importer
	c             *Count
	whmcsInvoices map[int64]bool // every WHMCS invoice
	invoices      *table         // imported invoices
	payments      *table
	taken         map[string]bool // gateway/gateway id already given
	massPay       map[int64][]int64
}

// payment imports one tblaccounts row as a charge or a refund, or lists
// it, and adds it to the report's sums.
func (r *paymentRun) payment(tx *transaction) {
	im := r.im
	r.c.Read++
	cl := im.clients[tx.clientID]
	cur := im.transactionCurrency(tx, cl)
	in, out, fees, err := im.transactionMoney(tx, cur)
	if err != nil {
		im.report.fail(r.c, tx.id, err)
		return
	}
	sums := im.money["payments"]
	sumIn, sumOut, sumFees := sums.at(cur, "in"), sums.at(cur, "out"), sums.at(cur, "fees")
	sumIn.WHMCS += in
	sumOut.WHMCS += out
	sumFees.WHMCS += fees
	reason := ""
	switch {
	case tx.clientID == 0:
		reason = "no client (an unmatched deposit): a payment needs a customer; record it by hand if it is still to be applied"
	case cl == nil:
		reason = fmt.Sprintf("client %d no longer exists in WHMCS", tx.clientID)
	case cl.record == "":
		reason = fmt.Sprintf("client %d was not imported", tx.clientID)
	case cur == unresolvedMoney:
		reason = fmt.Sprintf("currency id %d is not imported", tx.currencyID)
	case in < 0 || out < 0:
		reason = fmt.Sprintf("negative amount (in %s, out %s)", tx.in, tx.out)
	case tx.creditFromRefund():
		reason = "the credit side of a refund to the credit balance: no money was paid in; the credit is the client's (credit history and balance)"
	}
	if reason != "" {
		sumIn.Excluded += in
		sumOut.Excluded += out
		sumFees.Excluded += fees
		im.report.skip(r.c, tx.id, "%s", reason)
		return
	}
	// WHMCS books the fee a gateway gives back on a refund as a negative
	// fee of the refund row (refundInvoicePayment: $fees * -1): a refund's
	// fee is that fee returned. A charge's negative fee, or a refund's
	// positive one, is what is odd.
	storedFee, kind := fees, "charge"
	if out != 0 {
		storedFee, kind = -fees, "refund"
	}
	if storedFee < 0 {
		im.report.note("payments", tx.id, "fee %s of the wrong sign for a %s: not imported", tx.fees, kind)
		sumFees.Excluded += fees
		fees, storedFee = 0, 0
	}
	sumFees.Imported += fees
	gateway := im.paymentGateway(tx.gateway)
	if tx.refundToCredit() {
		gateway = "credit"
	}
	values := map[string]any{
		"customer": cl.record, "invoice": r.invoice(tx), "gateway": gateway, "gateway_id": r.gatewayID(tx, gateway),
		"status": "succeeded", "currency": cur, "fee": storedFee, "paid_at": date(tx.date), "reason": "", "refund_of": "",
	}
	if out == 0 {
		values["kind"], values["amount"] = "charge", in
		sumIn.Imported += in
	} else {
		values["kind"], values["amount"] = "refund", out
		values["reason"] = clip(text(tx.description), refundReasonMax)
		values["refund_of"] = r.refunded(tx)
		sumOut.Imported += out
		if in != 0 {
			sumIn.Excluded += in
			im.report.note("payments", tx.id, "pays %s in and %s out: imported as the refund; the %s in is not", tx.in, tx.out, tx.in)
		}
	}
	r.payments.put(strconv.FormatInt(tx.id, 10), values)
}

// invoice is the record id of the invoice a payment paid, "" (noted) when
// that invoice was not imported.
func (r *paymentRun) invoice(tx *transaction) string {
	if tx.invoiceID == 0 {
		return ""
	}
	id := r.invoices.id(strconv.FormatInt(tx.invoiceID, 10))
	switch {
	case id != "":
	case r.massPay[tx.invoiceID] != nil:
		r.im.report.note("payments", tx.id, "pays mass-pay invoice %d, which WHMCS turned into credit for invoices %s: "+
			"imported without an invoice (those invoices hold the revenue, paid by that credit)", tx.invoiceID, idList(r.massPay[tx.invoiceID]))
	case r.whmcsInvoices[tx.invoiceID]:
		r.im.report.note("payments", tx.id, "invoice %d was not imported: payment imported without it", tx.invoiceID)
	default:
		r.im.report.note("payments", tx.id, "invoice %d no longer exists in WHMCS: payment imported without it", tx.invoiceID)
	}
	return id
}

// refunded is the record id of the charge a refund returns, "" (noted)
// when it was not imported.
func (r *paymentRun) refunded(tx *transaction) string {
	id := r.payments.id(strconv.FormatInt(tx.refundID, 10))
	switch {
	case id != "":
	case tx.refundID == 0:
		r.im.report.note("payments", tx.id, "refund of no recorded transaction")
	default:
		r.im.report.note("payments", tx.id, "refunds transaction %d, which was not imported", tx.refundID)
	}
	return id
}

// gatewayID is the gateway's id of a payment, unique per gateway: WHMCS
// records a payment covering several invoices once per invoice, all with
// its transaction id; the second and later get the WHMCS id appended.
func (r *paymentRun) gatewayID(tx *transaction, gateway string) string {
	id := clip(strings.TrimSpace(tx.transID), gatewayIDMax)
	if id == "" {
		return ""
	}
	if r.taken[gateway+"/"+id] {
		suffix := "#" + strconv.FormatInt(tx.id, 10)
		alt := clip(id, gatewayIDMax-len(suffix)) + suffix
		r.im.report.note("payments", tx.id, "%s transaction id %s is also another payment's: stored as %s", gateway, id, alt)
		id = alt
	}
	r.taken[gateway+"/"+id] = true
	return id
}

// transactionCurrency is the row's own currency when it has one, else its
// client's (WHMCS leaves it 0 on a client's transactions).
func (im *importer) transactionCurrency(tx *transaction, cl *client) string {
	if tx.currencyID != 0 {
		if cur := im.currency(tx.currencyID); cur != "" {
			return cur
		}
		return unresolvedMoney
	}
	if cl != nil && cl.currency != "" {
		return cl.currency
	}
	return unresolvedMoney
}

// transactionMoney reads a row's amounts; a row whose currency is unknown
// is read in the default currency (WHMCS keeps two decimals), for the
// report's sums only.
func (im *importer) transactionMoney(tx *transaction, currency string) (in, out, fees int64, err error) {
	if currency == unresolvedMoney {
		currency = im.defaultCur
	}
	if in, err = minor(tx.in, currency); err != nil {
		return 0, 0, 0, fmt.Errorf("amountin %q: %w", tx.in, err)
	}
	if out, err = minor(tx.out, currency); err != nil {
		return 0, 0, 0, fmt.Errorf("amountout %q: %w", tx.out, err)
	}
	if fees, err = minor(tx.fees, currency); err != nil {
		return 0, 0, 0, fmt.Errorf("fees %q: %w", tx.fees, err)
	}
	return in, out, fees, nil
}

// foreignGatewayIDs are the gateway and gateway id ("stripe/ch_…") of the
// payments not imported from WHMCS: an imported payment must not take one.
func (im *importer) foreignGatewayIDs() (map[string]bool, error) {
	var rows []struct {
		Gateway string `db:"gateway"`
		ID      string `db:"gateway_id"`
	}
	err := im.app.DB().Select("gateway", "gateway_id").From("payments").
		Where(dbx.HashExp{"whmcs_id": ""}).AndWhere(dbx.NewExp("gateway_id != ''")).All(&rows)
	if err != nil {
		return nil, fmt.Errorf("read payments: %w", err)
	}
	out := make(map[string]bool, len(rows))
	for _, r := range rows {
		out[r.Gateway+"/"+r.ID] = true
	}
	return out, nil
}

// isZeroDecimal says whether a WHMCS decimal ("0.00") is zero.
func isZeroDecimal(dec string) bool {
	return strings.Trim(strings.TrimSpace(dec), "0.+-") == ""
}
