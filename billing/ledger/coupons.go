package ledger

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/coupon"
	"github.com/ezscale/ezscale/billing/cycle"
)

// CouponFromRecord reads a coupons record.
func CouponFromRecord(rec *core.Record) (coupon.Coupon, error) {
	c := coupon.Coupon{
		ID:              rec.Id,
		Code:            rec.GetString("code"),
		Kind:            coupon.Kind(rec.GetString("kind")),
		PercentOff:      rec.GetInt64("percent_off"),
		Plans:           rec.GetStringSlice("plans"),
		TrialDays:       rec.GetInt("trial_days"),
		Duration:        coupon.Duration(rec.GetString("duration")),
		DurationCycles:  rec.GetInt("duration_cycles"),
		MaxUses:         rec.GetInt("max_uses"),
		OncePerCustomer: rec.GetBool("once_per_customer"),
		StartsAt:        rec.GetDateTime("starts_at").Time(),
		ExpiresAt:       rec.GetDateTime("expires_at").Time(),
		Active:          rec.GetBool("active"),
	}
	for _, cy := range rec.GetStringSlice("cycles") {
		c.Cycles = append(c.Cycles, cycle.Cycle(cy))
	}
	for field, dst := range map[string]*map[string]int64{"amounts_off": &c.AmountsOff, "min_order": &c.MinOrder} {
		raw, _ := json.Marshal(rec.Get(field))
		if string(raw) == "null" || string(raw) == `""` {
			continue
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			return c, fmt.Errorf("coupon %s: %s: %w", c.Code, field, err)
		}
	}
	return c, nil
}

// FindCoupon finds a coupon by the code a customer typed.
func FindCoupon(app core.App, code string) (*core.Record, error) {
	return app.FindFirstRecordByFilter("coupons", "code = {:code}", dbx.Params{"code": coupon.NormalizeCode(code)})
}

// CouponUses counts a coupon's redemptions, in all and by one customer. Run
// it in the transaction that records the next redemption, so concurrent
// orders cannot both take the last use.
func CouponUses(app core.App, couponID, customerID string) (total, mine int, err error) {
	var row struct {
		Total int `db:"total"`
		Mine  int `db:"mine"`
	}
	err = app.DB().NewQuery(
		"SELECT COUNT(*) AS total, COALESCE(SUM(customer = {:customer}), 0) AS mine FROM coupon_redemptions WHERE coupon = {:coupon}",
	).Bind(dbx.Params{"coupon": couponID, "customer": customerID}).One(&row)
	return row.Total, row.Mine, err
}

// Redeem records that a coupon took amountOff off an invoice.
func Redeem(ctx context.Context, app core.App, couponID string, inv *Invoice, amountOff int64) error {
	col, err := app.FindCachedCollectionByNameOrId("coupon_redemptions")
	if err != nil {
		return err
	}
	rec := core.NewRecord(col)
	rec.Set("coupon", couponID)
	rec.Set("customer", inv.CustomerID())
	rec.Set("invoice", inv.Id)
	rec.Set("amount_off", amountOff)
	rec.Set("currency", inv.Currency())
	return app.SaveWithContext(ctx, rec)
}

// CheckSubscriptionCoupon refuses a trial coupon set on a subscription (by
// staff, in the dashboard): a trial is the first period of a new
// subscription, which only an order starts, so on an existing one it would
// promise free time that nothing gives.
func CheckSubscriptionCoupon(app core.App, sub *core.Record) error {
	id := sub.GetString("coupon")
	if id == "" || (!sub.IsNew() && sub.Original().GetString("coupon") == id) {
		return nil
	}
	rec, err := app.FindRecordById("coupons", id)
	if err != nil || coupon.Kind(rec.GetString("kind")) != coupon.KindTrial {
		return nil // a missing coupon is the relation field's to refuse
	}
	return &coupon.Error{Code: coupon.CodeTrialNotAvailable, Message: "coupon " + rec.GetString("code") +
		" gives a free trial to new subscriptions only: it cannot be added to a subscription"}
}
