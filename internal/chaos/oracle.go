package chaos

import (
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/ezscale/ezscale/billing/ledger"
)

// check is everything that must hold after a step: the ledger check and
// the simulation's oracle of money, which knows what the gateways and the
// platform really did. final is set after the last step, once every
// webhook has been delivered: then every charge must be in the books.
func (w *world) check(final bool) ([]Violation, error) {
	now := w.clockNow()
	out, err := ledgerCheck(w.app, now)
	if err != nil {
		return nil, fmt.Errorf("ledger check: %w", err)
	}
	for _, f := range []func(bool) ([]Violation, error){w.chargesBooked, w.bookedChargesExist, w.creditBounded,
		w.servicesPaid, w.cancelledAtPeriodEnd, w.voidKeepsNoMoney} {
		v, err := f(final)
		if err != nil {
			return nil, err
		}
		out = append(out, v...)
	}
	return out, nil
}

type paymentRow struct {
	ID        string `db:"id"`
	Invoice   string `db:"invoice"`
	Customer  string `db:"customer"`
	Gateway   string `db:"gateway"`
	GatewayID string `db:"gateway_id"`
	Kind      string `db:"kind"`
	Status    string `db:"status"`
	Amount    int64  `db:"amount"`
}

func (w *world) payments(where dbx.Expression) ([]paymentRow, error) {
	var rows []paymentRow
	err := w.app.DB().Select("id", "invoice", "customer", "gateway", "gateway_id", "kind", "status", "amount").
		From("payments").Where(where).All(&rows)
	return rows, err
}

// chargesBooked: every charge a gateway took, once the app was told of it
// (an answer or a delivered webhook; after the last step, all of them), is
// one succeeded payment of its amount, on the invoice it was taken for.
func (w *world) chargesBooked(final bool) ([]Violation, error) {
	rows, err := w.payments(dbx.HashExp{"kind": "charge", "status": "succeeded", "gateway": []any{"stripe", "paypal"}})
	if err != nil {
		return nil, err
	}
	booked := map[string][]paymentRow{}
	for _, r := range rows {
		booked[r.Gateway+":"+r.GatewayID] = append(booked[r.Gateway+":"+r.GatewayID], r)
	}
	type taken struct {
		key, invoice string
		amount       int64
		told         bool
	}
	var all []taken
	perInvoice := map[string]int{}
	for _, c := range w.stripe.succeeded() {
		key := "stripe:" + c.ID
		all = append(all, taken{key, c.InvoiceID, c.Amount, c.Answered || w.told(key)})
		perInvoice[c.InvoiceID]++
	}
	w.mu.Lock()
	for _, c := range w.ppCaptures {
		key := "paypal:" + c.ID
		all = append(all, taken{key, w.ppOrders[c.OrderID], c.Amount, w.reported[key]})
	}
	w.mu.Unlock()
	var out []Violation
	for _, t := range all {
		if !t.told && !final {
			continue
		}
		rs := booked[t.key]
		switch {
		case len(rs) != 1:
			out = append(out, Violation{"oracle: charge booked once", "payments", t.key,
				fmt.Sprintf("%s took %s for invoice %s; the books have %d succeeded payments of it", t.key, minorString(t.amount), t.invoice, len(rs))})
		case rs[0].Amount != t.amount:
			out = append(out, Violation{"oracle: charge amount", "payments", rs[0].ID,
				fmt.Sprintf("%s took %s; the payment says %s", t.key, minorString(t.amount), minorString(rs[0].Amount))})
		case t.invoice != "" && rs[0].Invoice != t.invoice:
			out = append(out, Violation{"oracle: charge on its invoice", "payments", rs[0].ID,
				fmt.Sprintf("%s was taken for invoice %s but paid invoice %s", t.key, t.invoice, rs[0].Invoice)})
		}
	}
	for inv, n := range perInvoice {
		if n > 1 {
			out = append(out, Violation{"oracle: invoice charged once", "invoices", inv,
				fmt.Sprintf("Stripe took %d successful charges for invoice %s", n, inv)})
		}
	}
	return out, nil
}

func (w *world) told(key string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.reported[key]
}

// bookedChargesExist: no succeeded card or PayPal payment in the books
// that the gateway never took.
func (w *world) bookedChargesExist(bool) ([]Violation, error) {
	rows, err := w.payments(dbx.HashExp{"kind": "charge", "status": "succeeded", "gateway": []any{"stripe", "paypal"}})
	if err != nil {
		return nil, err
	}
	real := map[string]bool{}
	for _, c := range w.stripe.succeeded() {
		real["stripe:"+c.ID] = true
	}
	w.mu.Lock()
	for id := range w.ppCaptures {
		real["paypal:"+id] = true
	}
	w.mu.Unlock()
	var out []Violation
	for _, r := range rows {
		if !real[r.Gateway+":"+r.GatewayID] {
			out = append(out, Violation{"oracle: booked charge exists", "payments", r.ID,
				fmt.Sprintf("payment %s records %s from %s %s, which the gateway never took", r.ID, minorString(r.Amount), r.Gateway, r.GatewayID)})
		}
	}
	return out, nil
}

// creditBounded: a customer's credit is never negative and never more
// than the money they put in (charges less refunds) plus what staff gave.
func (w *world) creditBounded(bool) ([]Violation, error) {
	var out []Violation
	for i, cust := range w.customers {
		balances, err := ledger.Balances(w.app, cust)
		if err != nil {
			return nil, err
		}
		rows, err := w.payments(dbx.HashExp{"customer": cust, "status": "succeeded", "gateway": []any{"stripe", "paypal", "manual"}})
		if err != nil {
			return nil, err
		}
		var in int64
		for _, r := range rows {
			if r.Kind == "charge" {
				in += r.Amount
			} else {
				in -= r.Amount
			}
		}
		w.mu.Lock()
		limit := in + w.staffCredit[cust]
		w.mu.Unlock()
		bal := balances[currency]
		switch {
		case bal < 0:
			out = append(out, Violation{"oracle: credit not negative", "customers", cust,
				fmt.Sprintf("customer %d has %s of credit", i, minorString(bal))})
		case bal > limit:
			out = append(out, Violation{"oracle: credit bounded by money in", "customers", cust,
				fmt.Sprintf("customer %d has %s of credit, but paid in %s net and staff gave %s", i, minorString(bal),
					minorString(in), minorString(limit-in))})
		}
	}
	return out, nil
}

// servicesPaid: a service that is active, or running on the platform, had
// its first invoice paid.
func (w *world) servicesPaid(bool) ([]Violation, error) {
	var rows []struct {
		ID     string `db:"id"`
		Status string `db:"status"`
		Sub    string `db:"subscription"`
	}
	if err := w.app.DB().Select("id", "status", "subscription").From("services").All(&rows); err != nil {
		return nil, err
	}
	live := w.platform.live()
	var out []Violation
	for _, s := range rows {
		if s.Status != "active" && !live[s.ID] {
			continue
		}
		var first struct {
			Status     string `db:"status"`
			Number     string `db:"number"`
			AmountPaid int64  `db:"amount_paid"`
			Credit     int64  `db:"credit_applied"`
			Total      int64  `db:"total"`
		}
		err := w.app.DB().NewQuery(`SELECT i.status, i.number, i.amount_paid, i.credit_applied, i.total FROM invoice_items l
			JOIN invoices i ON i.id = l.invoice WHERE l.subscription = {:s} ORDER BY l.period_start, i.created LIMIT 1`).
			Bind(dbx.Params{"s": s.Sub}).One(&first)
		if err != nil {
			continue // no billed period: nothing to compare with
		}
		if first.AmountPaid+first.Credit < first.Total {
			where := "is " + s.Status
			if live[s.ID] {
				where += " and runs on the platform"
			}
			out = append(out, Violation{"oracle: service paid for", "services", s.ID,
				fmt.Sprintf("service %s %s, but its first invoice %s is %s with %s of %s paid", s.ID, where, first.Number,
					first.Status, minorString(first.AmountPaid+first.Credit), minorString(first.Total))})
		}
	}
	return out, nil
}

// cancelledAtPeriodEnd: a subscription cancelled at period end is over
// once the billing run has passed that end.
func (w *world) cancelledAtPeriodEnd(bool) ([]Violation, error) {
	var rows []struct {
		ID  string `db:"id"`
		End string `db:"current_period_end"`
	}
	err := w.app.DB().Select("id", "current_period_end").From("subscriptions").
		Where(dbx.HashExp{"status": "active", "cancel_at_period_end": true}).All(&rows)
	if err != nil {
		return nil, err
	}
	now := w.clockNow().Format(types.DefaultDateLayout)
	var out []Violation
	for _, r := range rows {
		if r.End != "" && r.End < now {
			out = append(out, Violation{"oracle: cancel at period end ends it", "subscriptions", r.ID,
				fmt.Sprintf("subscription %s was to end at %s, is still active at %s", r.ID, r.End, now)})
		}
	}
	return out, nil
}

// voidKeepsNoMoney: voiding an invoice gives back what was paid or
// credited on it (as credit), never keeps it.
func (w *world) voidKeepsNoMoney(bool) ([]Violation, error) {
	var rows []struct {
		ID       string `db:"id"`
		Number   string `db:"number"`
		Paid     int64  `db:"amount_paid"`
		Refunded int64  `db:"amount_refunded"`
		Credit   int64  `db:"credit_applied"`
		Back     int64  `db:"back"`
	}
	err := w.app.DB().NewQuery(`SELECT i.id, i.number, i.amount_paid, i.amount_refunded, i.credit_applied,
		COALESCE((SELECT SUM(c.amount) FROM credit_entries c WHERE c.invoice = i.id AND c.amount > 0), 0) AS back
		FROM invoices i WHERE i.status = 'void'`).All(&rows)
	if err != nil {
		return nil, err
	}
	var out []Violation
	for _, r := range rows {
		kept := r.Paid - r.Refunded + r.Credit
		if kept > r.Back {
			out = append(out, Violation{"oracle: void returns money", "invoices", r.ID,
				fmt.Sprintf("void invoice %s took %s (paid %s, credit %s, refunded %s) and gave back %s", r.Number,
					minorString(kept), minorString(r.Paid), minorString(r.Credit), minorString(r.Refunded), minorString(r.Back))})
		}
	}
	return out, nil
}
