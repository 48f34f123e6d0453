package orders

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/coupon"
	"github.com/ezscale/ezscale/billing/cycle"
	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/internal/settings"
)

// Request is what the portal posts to /api/orders.
type Request struct {
	PlanPrice string            `json:"plan_price"`
	Coupon    string            `json:"coupon"`
	Options   map[string]string `json:"options"`
	// Customer is set by staff ordering on a customer's behalf; a
	// customer's own order always uses their account.
	Customer string `json:"customer"`
}

// Result is what an order created.
type Result struct {
	Order        *core.Record
	Subscription *core.Record
	Service      *core.Record
	Invoice      *ledger.Invoice
}

// By says who places the order: staff may sell hidden plans.
type By struct {
	Staff bool
	IP    string
}

// Place creates, in one transaction, the order, its pending subscription
// and service and its first invoice: setup fee, first period, coupon, tax
// and credit. Nothing is written when any step is refused.
func Place(ctx context.Context, app core.App, customer *core.Record, req Request, by By, now time.Time) (*Result, error) {
	if !customer.Verified() && !by.Staff {
		return nil, &Error{Status: http.StatusForbidden, Code: "email_not_verified", Message: "verify your email address before ordering"}
	}
	if customer.GetString("status") != "active" {
		return nil, &Error{Status: http.StatusForbidden, Code: "account_not_active", Message: "this account cannot place orders; contact support"}
	}
	if req.PlanPrice == "" {
		return nil, badRequest("plan_price", "required", "choose a plan price")
	}

	var res *Result
	err := app.RunInTransaction(func(tx core.App) error {
		var err error
		res, err = place(ctx, tx, customer, req, by, now)
		return err
	})
	return res, err
}

func place(ctx context.Context, tx core.App, customer *core.Record, req Request, by By, now time.Time) (*Result, error) {
	price, err := tx.FindRecordById("plan_prices", req.PlanPrice)
	if err != nil {
		return nil, badRequest("plan_price", "not_found", "plan price %q not found", req.PlanPrice)
	}
	plan, err := tx.FindRecordById("plans", price.GetString("plan"))
	if err != nil {
		return nil, badRequest("plan_price", "not_found", "plan price %q not found", req.PlanPrice)
	}
	if !price.GetBool("active") || plan.GetString("status") == "archived" || (plan.GetString("status") != "active" && !by.Staff) {
		// Same answer as for a missing price: hidden plans are not advertised.
		return nil, badRequest("plan_price", "not_found", "plan price %q not found", req.PlanPrice)
	}
	currency := customer.GetString("currency")
	if price.GetString("currency") != currency {
		return nil, badRequest("plan_price", "currency_mismatch",
			"this price is in %s but the account bills in %s", price.GetString("currency"), currency)
	}
	c, err := cycle.Parse(price.GetString("cycle"))
	if err != nil {
		return nil, fmt.Errorf("plan price %s: %w", price.Id, err)
	}

	planOptions, err := ParseOrderOptions([]byte(plan.GetString("order_options")))
	if err != nil {
		return nil, fmt.Errorf("plan %s: %w", plan.Id, err)
	}
	options, err := planOptions.Validate(req.Options)
	if err != nil {
		return nil, err
	}

	orderStatus, err := takeStock(ctx, tx, plan)
	if err != nil {
		return nil, err
	}

	s, err := settings.Load(tx)
	if err != nil {
		return nil, err
	}
	rates, err := ledger.Rates(tx)
	if err != nil {
		return nil, err
	}

	first := cycle.PeriodAt(now, c, 0)
	billedUntil := first.End
	if c == cycle.Hourly {
		billedUntil = now // metered hours are billed in arrears
	}

	var couponRec *core.Record
	var cpn coupon.Coupon
	if req.Coupon != "" {
		if couponRec, err = ledger.FindCoupon(tx, req.Coupon); err != nil {
			return nil, badRequest("coupon", coupon.CodeInvalid, "coupon %q does not exist", coupon.NormalizeCode(req.Coupon))
		}
		if cpn, err = ledger.CouponFromRecord(couponRec); err != nil {
			return nil, err
		}
	}

	couponID := ""
	if couponRec != nil {
		couponID = couponRec.Id
	}
	sub, err := save(ctx, tx, "subscriptions", map[string]any{
		"customer": customer.Id, "plan": plan.Id, "plan_price": price.Id, "status": "pending",
		"cycle": string(c), "currency": currency, "amount": price.GetInt64("amount"), "coupon": couponID,
		"anchor_at": now, "anchor_day": now.Day(), "current_period_start": first.Start, "current_period_end": first.End,
		"billed_until": billedUntil,
	})
	if err != nil {
		return nil, err
	}

	label := options["hostname"]
	if label == "" {
		label = options["domain"]
	}
	svc, err := save(ctx, tx, "services", map[string]any{
		"customer": customer.Id, "subscription": sub.Id, "plan": plan.Id, "label": label,
		"service_type": plan.GetString("service_type"), "platform": plan.GetString("platform"),
		"status": "pending", "hostname": options["hostname"], "domain": options["domain"], "options": options,
	})
	if err != nil {
		return nil, err
	}

	inv, err := ledger.NewDraft(ctx, tx, s, ledger.Decide(s, rates, customer), customer, ledger.PurposeOrder)
	if err != nil {
		return nil, err
	}
	var lines []ledger.Line
	if fee := price.GetInt64("setup_fee"); fee > 0 {
		lines = append(lines, ledger.Line{Kind: ledger.KindSetup, Description: plan.GetString("name") + " setup", Quantity: 1,
			UnitAmount: fee, Subscription: sub.Id, Service: svc.Id})
	}
	if c != cycle.Hourly {
		lines = append(lines, ledger.Line{Kind: ledger.KindPeriod, Description: ledger.PeriodDescription(plan.GetString("name"), label, c),
			Quantity: 1, UnitAmount: price.GetInt64("amount"), Subscription: sub.Id, Service: svc.Id,
			PeriodStart: first.Start, PeriodEnd: first.End})
	}
	var subtotal int64
	for _, l := range lines {
		subtotal += l.UnitAmount
		if _, err := ledger.AddLine(ctx, tx, inv, l); err != nil {
			return nil, err
		}
	}

	if couponRec != nil {
		off, err := applyCoupon(ctx, tx, cpn, customer, plan, svc.Id, inv, subtotal, now)
		if err != nil {
			return nil, err
		}
		if cpn.AppliesToCycle(0) {
			sub.Set("coupon_cycles_used", 1)
			if err := tx.SaveWithContext(ctx, sub); err != nil {
				return nil, err
			}
		}
		if off > 0 {
			if err := ledger.Redeem(ctx, tx, couponRec.Id, inv, off); err != nil {
				return nil, err
			}
		}
	}

	order, err := save(ctx, tx, "orders", map[string]any{
		"customer": customer.Id, "plan_price": price.Id, "status": orderStatus, "options": options, "coupon": couponID,
		"subscription": sub.Id, "service": svc.Id, "invoice": inv.Id, "ip": by.IP,
	})
	if err != nil {
		return nil, err
	}

	// A wait-listed order keeps a draft invoice until staff approve it.
	if orderStatus == StatusPending {
		if err := ledger.Finalize(ctx, tx, inv, now); err != nil {
			return nil, err
		}
	} else if err := ledger.RecomputeAndSave(ctx, tx, inv.Id); err != nil {
		return nil, err
	}
	fresh, err := ledger.FindInvoice(tx, inv.Id)
	if err != nil {
		return nil, err
	}
	if err := announce(ctx, tx, s, customer, plan, order, fresh); err != nil {
		return nil, err
	}
	return &Result{Order: order, Subscription: sub, Service: svc, Invoice: fresh}, nil
}

// applyCoupon checks a coupon against this order and adds its discount
// line, naming the service it discounts (what was paid for the service's
// time is its lines net of that discount).
func applyCoupon(ctx context.Context, tx core.App, cpn coupon.Coupon, customer, plan *core.Record, serviceID string, inv *ledger.Invoice, subtotal int64, now time.Time) (int64, error) {
	total, mine, err := ledger.CouponUses(tx, cpn.ID, customer.Id)
	if err != nil {
		return 0, err
	}
	err = cpn.Check(coupon.Use{
		Now: now, PlanIDs: []string{plan.Id}, Currency: inv.Currency(), Subtotal: subtotal,
		TotalUses: total, CustomerUses: mine,
	})
	var ce *coupon.Error
	if errors.As(err, &ce) {
		return 0, badRequest("coupon", ce.Code, "%s", ce.Message)
	}
	if err != nil {
		return 0, err
	}
	if !cpn.AppliesToCycle(0) {
		return 0, nil
	}
	off, err := cpn.Discount(inv.Currency(), subtotal)
	if err != nil || off == 0 {
		return 0, err
	}
	_, err = ledger.AddLine(ctx, tx, inv, ledger.Line{
		Kind: ledger.KindDiscount, Description: "Coupon " + cpn.Code, Quantity: 1, UnitAmount: -off, Service: serviceID,
	})
	return off, err
}

// Order statuses.
const (
	StatusPending         = "pending"
	StatusPendingApproval = "pending_approval"
)

// takeStock reserves one unit of a plan that tracks stock. Out of stock
// is refused, or wait-listed for staff approval when the plan allows it.
func takeStock(ctx context.Context, tx core.App, plan *core.Record) (string, error) {
	if !plan.GetBool("track_stock") {
		return StatusPending, nil
	}
	if stock := plan.GetInt("stock"); stock > 0 {
		plan.Set("stock", stock-1)
		return StatusPending, tx.SaveWithContext(ctx, plan)
	}
	if plan.GetBool("allow_waitlist") {
		return StatusPendingApproval, nil
	}
	return "", &Error{Status: http.StatusConflict, Code: "out_of_stock", Field: "plan_price",
		Message: plan.GetString("name") + " is out of stock"}
}

// save creates a record of collection from data.
func save(ctx context.Context, tx core.App, collection string, data map[string]any) (*core.Record, error) {
	col, err := tx.FindCachedCollectionByNameOrId(collection)
	if err != nil {
		return nil, err
	}
	rec := core.NewRecord(col)
	rec.Load(data)
	if err := tx.SaveWithContext(ctx, rec); err != nil {
		return nil, fmt.Errorf("%s: %w", collection, err)
	}
	return rec, nil
}
