package whmcs

import (
	"context"
	"database/sql"
	"strings"
)

// servicePromo is what a service's promotion (tblhosting.promoid) means
// for its renewals.
type servicePromo struct {
	code      string
	recurring bool
	recurFor  int64
	lifetime  bool
}

// servicePromotions reads every promotion's renewal terms.
func (im *importer) servicePromotions(ctx context.Context) (map[int64]servicePromo, error) {
	rows, err := im.rows(ctx, "SELECT id, code, recurring, recurfor, lifetimepromo FROM tblpromotions")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]servicePromo{}
	for rows.Next() {
		var id, recurFor, lifetime int64
		var code string
		var recurring sql.NullInt64
		if err := rows.Scan(&id, &code, &recurring, &recurFor, &lifetime); err != nil {
			return nil, err
		}
		out[id] = servicePromo{code: text(code), recurring: recurring.Int64 == 1, recurFor: recurFor, lifetime: lifetime != 0}
	}
	return out, rows.Err()
}

// promotionNotes say what a service's promotion does to its renewals.
// WHMCS's recurring amount already has the discount in it, so the
// subscription takes it as its amount and no coupon is attached (a coupon
// would discount it a second time). That is right for a lifetime or
// unlimited recurring promotion, which keeps discounting every renewal,
// and for one that discounted the first payment only (firstpaymentamount),
// whose renewals are at the full amount. A promotion recurring for a
// number of renewals is what the subscription cannot hold: WHMCS bills the
// full price once they are used (promocount), EZSCALE the imported amount
// for ever; staff are told when to change it.
func (r *serviceRun) promotionNotes(h hosting) {
	if h.promoID == 0 {
		return
	}
	p, ok := r.promos[h.promoID]
	switch {
	case !ok:
		r.im.report.note("subscriptions", h.id, "promotion %d no longer exists in WHMCS: the subscription bills the recurring amount %s",
			h.promoID, strings.TrimSpace(h.amount))
	case p.lifetime || !p.recurring || p.recurFor == 0:
	case h.promoCount >= p.recurFor:
	default:
		r.im.report.note("subscriptions", h.id, "promotion %s discounts %d more renewals in WHMCS, then the full price: the subscription "+
			"bills the discounted %s every period until staff change its amount", p.code, p.recurFor-h.promoCount, strings.TrimSpace(h.amount))
	}
}
