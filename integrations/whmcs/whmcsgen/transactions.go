package whmcsgen

import (
	"fmt"
	"slices"
	"time"
)

// txn is a tblaccounts row; refundOf the payment a refund gives back.
type txn struct {
	id, userid, currency, invoiceid int
	gateway, description, transid   string
	date                            time.Time
	in, fees, out, rate             int64
	refundOf                        *txn
}

// writeTransactions writes tblaccounts: a payment per paid invoice (none
// for one covered by credit), a payment and a refund per refunded one, then
// as many of WHMCS's other cases as the size asks for: payments split in
// two, partial refunds of paid invoices, partial payments of unpaid ones,
// unmatched bank deposits and payments of invoices deleted since.
func (g *gen) writeTransactions() error {
	var txns []*txn
	var paid, unpaid []*invoice
	for _, inv := range g.invoices {
		switch {
		case inv.status == "Paid" && !inv.creditCovered && inv.total > 0:
			paid = append(paid, inv)
		case inv.status == "Unpaid" && inv.client != nil && inv.total > 1:
			unpaid = append(unpaid, inv)
		}
	}
	deposits := max(1, g.size.Invoices/4000)
	deletedInvoices := max(1, g.size.Invoices/20000)
	base := len(paid) + deposits + deletedInvoices
	for _, inv := range g.invoices {
		if inv.status == "Refunded" && inv.total > 0 {
			base += 2
		}
	}
	extra := g.size.Transactions - base
	if extra < 0 || len(paid) == 0 {
		return fmt.Errorf("size %+v: the invoices need at least %d transactions", g.size, base)
	}
	// The extra rows: which paid invoices are split or partly refunded,
	// which unpaid ones partly paid; deposits take what is left.
	split, refunded, partly := map[int]bool{}, map[int]bool{}, map[int]bool{}
	g.r.Shuffle(len(paid), func(i, j int) { paid[i], paid[j] = paid[j], paid[i] })
	g.r.Shuffle(len(unpaid), func(i, j int) { unpaid[i], unpaid[j] = unpaid[j], unpaid[i] })
	splits, partRefunds, partPays := extra*75/100, extra*17/100, min(extra*5/100, len(unpaid)/3)
	for _, inv := range paid {
		switch {
		case inv.total < 2:
		case splits > 0:
			splits--
			split[inv.id] = true
		case partRefunds > 0:
			partRefunds--
			refunded[inv.id] = true
		}
	}
	for _, inv := range unpaid[:min(len(unpaid), max(1, partPays))] {
		partly[inv.id] = true
	}
	deposits += extra - len(split) - len(refunded) - len(partly)

	pay := func(inv *invoice, amount int64, at time.Time) *txn {
		t := &txn{userid: inv.userid, invoiceid: inv.id, gateway: inv.gateway, date: at, in: amount,
			description: "Invoice Payment", rate: inv.client.currency.rate}
		t.fees = fee(t.gateway, amount)
		t.transid = g.transid(t.gateway, false, at)
		if g.chance(2) {
			t.currency = inv.client.currency.id
		}
		txns = append(txns, t)
		return t
	}
	refund := func(p *txn, amount int64, at time.Time) {
		txns = append(txns, &txn{userid: p.userid, currency: p.currency, invoiceid: p.invoiceid, gateway: p.gateway,
			date: at, out: amount, rate: p.rate, refundOf: p, transid: g.transid(p.gateway, true, at),
			description: "Refund of Transaction ID " + p.transid})
	}
	for _, inv := range g.invoices {
		switch {
		case inv.status == "Paid" && split[inv.id]:
			first := 1 + g.r.Int64N(inv.total-1)
			pay(inv, first, inv.paid.Add(-time.Duration(1+g.r.IntN(96))*time.Hour))
			pay(inv, inv.total-first, inv.paid)
		case inv.status == "Paid" && refunded[inv.id]:
			p := pay(inv, inv.total, inv.paid)
			refund(p, 1+g.r.Int64N(inv.total-1), g.within(inv.paid, 30))
		case inv.status == "Paid" && !inv.creditCovered && inv.total > 0:
			pay(inv, inv.total, inv.paid)
		case inv.status == "Refunded" && inv.total > 0:
			p := pay(inv, inv.total, inv.paid)
			refund(p, inv.total, g.within(inv.paid, 20))
		case partly[inv.id]:
			pay(inv, 1+g.r.Int64N(inv.total-1), g.between(inv.date, Now))
		}
	}
	for i := range deletedInvoices {
		inv := *paid[i%len(paid)]
		inv.id = len(g.invoices) + 1000 + i
		pay(&inv, inv.total, inv.paid)
	}
	for i := range deposits {
		at := g.between(firstDay, Now)
		c := currencies[g.r.IntN(len(currencies))]
		txns = append(txns, &txn{currency: c.id, gateway: "banktransfer", date: at, in: 1000 + 100*g.r.Int64N(200),
			rate: c.rate, transid: g.transid("banktransfer", false, at),
			description: fmt.Sprintf("Unmatched bank deposit, ref %d", 1000+i)})
	}
	// Ids follow time; a refund always comes after its payment.
	slices.SortStableFunc(txns, func(a, b *txn) int { return a.date.Compare(b.date) })
	t := g.w.table("tblaccounts", "id", "userid", "currency", "gateway", "date", "description", "amountin", "fees",
		"amountout", "rate", "transid", "invoiceid", "refundid")
	for i, x := range txns {
		x.id = i + 1
		refundID := 0
		if x.refundOf != nil {
			refundID = x.refundOf.id
		}
		t.add(x.id, x.userid, x.currency, x.gateway, dateTime(x.date), x.description, money(x.in), money(x.fees),
			money(x.out), rate(x.rate), x.transid, x.invoiceid, refundID)
	}
	return t.close()
}

// fee is what the gateway kept of a payment.
func fee(gateway string, amount int64) int64 {
	switch gateway {
	case "stripe":
		return (amount*29+500)/1000 + 30
	case "paypal":
		return (amount*34+500)/1000 + 35
	}
	return 0
}

// transid is a unique gateway transaction id in the gateway's own format.
func (g *gen) transid(gateway string, refund bool, at time.Time) string {
	for {
		var id string
		switch {
		case gateway == "stripe" && refund:
			id = "re_" + g.token(24)
		case gateway == "stripe":
			id = "ch_" + g.token(24)
		case gateway == "paypal":
			id = g.upperToken(17)
		default:
			id = fmt.Sprintf("BT-%s-%04d", at.Format("20060102"), g.r.IntN(10000))
		}
		if !g.transids[id] {
			g.transids[id] = true
			return id
		}
	}
}
