package orders

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/coupon"
	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/billing/cycle"
	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/parallelrun"
	"github.com/ezscale/ezscale/billing/subscriptions"
	"github.com/ezscale/ezscale/integrations/provisioning"
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
	if !customers.As(customer).Status().CanUseServices() {
		return nil, &Error{Status: http.StatusForbidden, Code: "account_not_active", Message: "this account cannot place orders; contact support"}
	}
	if parallelrun.Held(customer) {
		// Staff too: an order here would bill beside WHMCS until the cutover.
		return nil, &Error{Status: http.StatusForbidden, Code: "billed_by_whmcs", Message: parallelrun.ErrHeld.Error()}
	}
	// Staff too: the invoice would be taxed as if the buyer were nowhere.
	if err := requireAddress(customer); err != nil {
		return nil, err
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

// priced is an order worked out but not written: the records Place saves
// and the first invoice with its lines, built in memory with the ledger's
// own line and tax code. Quote and Place both start from it, so a quote
// is the invoice the order creates.
type priced struct {
	settings     *settings.Settings
	plan         *core.Record
	status       string // the order's: pending, or pending_approval when wait-listed
	coupon       *core.Record
	discount     int64 // what the coupon takes off, for its redemption
	trialDays    int   // a trial coupon's free days; 0 without one
	order        *core.Record
	subscription *subscriptions.Subscription
	service      *provisioning.Service
	invoice      *ledger.Invoice
	items        []*core.Record
}

// price checks req and builds everything the order would write, reading
// only: it runs outside any transaction for a quote, and inside the
// order's transaction for Place.
func price(app core.App, customer *core.Record, req Request, by By, now time.Time) (*priced, error) {
	price, err := app.FindRecordById("plan_prices", req.PlanPrice)
	if err != nil {
		return nil, badRequest("plan_price", "not_found", "plan price %q not found", req.PlanPrice)
	}
	plan, err := app.FindRecordById("plans", price.GetString("plan"))
	if err != nil {
		return nil, badRequest("plan_price", "not_found", "plan price %q not found", req.PlanPrice)
	}
	if !price.GetBool("active") || plan.GetString("status") == "archived" || (plan.GetString("status") != "active" && !by.Staff) {
		// Same answer as for a missing price: hidden plans are not advertised.
		return nil, badRequest("plan_price", "not_found", "plan price %q not found", req.PlanPrice)
	}
	currency := customers.As(customer).Currency()
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
	if err := checkSSHKeys(app, customer.Id, options); err != nil {
		return nil, err
	}

	orderStatus, err := stockStatus(plan)
	if err != nil {
		return nil, err
	}

	s, err := settings.Load(app)
	if err != nil {
		return nil, err
	}
	rates, err := ledger.Rates(app)
	if err != nil {
		return nil, err
	}

	var couponRec *core.Record
	var cpn coupon.Coupon
	if req.Coupon != "" {
		if couponRec, err = ledger.FindCoupon(app, req.Coupon); err != nil {
			return nil, badRequest("coupon", coupon.CodeInvalid, "coupon %q does not exist", coupon.NormalizeCode(req.Coupon))
		}
		if cpn, err = ledger.CouponFromRecord(couponRec); err != nil {
			return nil, err
		}
	}

	trial := couponRec != nil && cpn.Kind == coupon.KindTrial
	if trial {
		// Checked before the lines exist: it decides the first period.
		if err := checkTrial(app, cpn, customer, plan, c, price.GetInt64("setup_fee"), now); err != nil {
			return nil, err
		}
	}
	couponID := ""
	if couponRec != nil && !trial {
		// The subscription's coupon is the one renewals discount with; a
		// trial's work is done with the first period (the order keeps it).
		couponID = couponRec.Id
	}
	subRec, err := newRecord(app, subscriptions.Collection)
	if err != nil {
		return nil, err
	}
	sub := subscriptions.As(subRec)
	sub.SetCustomerID(customer.Id)
	sub.SetPlanID(plan.Id)
	sub.SetPlanPriceID(price.Id)
	sub.SetStatus(subscriptions.StatusPending)
	sub.SetCycle(c)
	sub.SetCurrency(currency)
	sub.SetAmount(price.GetInt64("amount"))
	sub.SetCouponID(couponID)
	first := startFirstPeriod(sub, c, now)
	if trial {
		first = startTrial(sub, cpn.TrialEnd(now), now)
	}

	label := options["hostname"]
	if label == "" {
		label = options["domain"]
	}
	svcRec, err := newRecord(app, provisioning.ServicesCollection)
	if err != nil {
		return nil, err
	}
	svc := provisioning.AsService(svcRec)
	svc.SetCustomerID(customer.Id)
	svc.SetSubscriptionID(sub.Id)
	svc.SetPlanID(plan.Id)
	svc.SetLabel(label)
	svc.SetServiceType(plan.GetString("service_type"))
	svc.SetPlatform(plan.GetString("platform"))
	svc.SetStatus(provisioning.ServicePending)
	svc.SetHostname(options["hostname"])
	svc.SetDomain(options["domain"])
	svc.SetOptions(options)

	invCol, err := app.FindCachedCollectionByNameOrId(ledger.InvoicesCollection)
	if err != nil {
		return nil, err
	}
	inv := ledger.NewDraftRecord(invCol, ledger.Decide(s, rates, customer), customer, ledger.PurposeOrder)
	inv.Id = core.GenerateDefaultRandomId()
	var lines []ledger.Line
	if fee := price.GetInt64("setup_fee"); fee > 0 {
		lines = append(lines, ledger.Line{Kind: ledger.KindSetup, Description: plan.GetString("name") + " setup", Quantity: 1,
			UnitAmount: fee, Subscription: sub.Id, Service: svc.Id})
	}
	if trial {
		lines = append(lines, ledger.Line{Kind: ledger.KindPeriod, Quantity: 1, Subscription: sub.Id, Service: svc.Id,
			Description: fmt.Sprintf("%s, free trial of %d days (coupon %s)", ledger.PeriodDescription(plan.GetString("name"), label, c), cpn.TrialDays, cpn.Code),
			PeriodStart: first.Start, PeriodEnd: first.End})
	} else if c != cycle.Hourly {
		lines = append(lines, ledger.Line{Kind: ledger.KindPeriod, Description: ledger.PeriodDescription(plan.GetString("name"), label, c),
			Quantity: 1, UnitAmount: price.GetInt64("amount"), Subscription: sub.Id, Service: svc.Id,
			PeriodStart: first.Start, PeriodEnd: first.End})
	}
	var subtotal, off int64
	for _, l := range lines {
		subtotal += l.UnitAmount
	}
	if couponRec != nil && !trial {
		if off, err = couponDiscount(app, cpn, customer, plan, inv.Currency(), subtotal, now); err != nil {
			return nil, err
		}
		if off > 0 {
			lines = append(lines, ledger.Line{Kind: ledger.KindDiscount, Description: "Coupon " + cpn.Code, Quantity: 1, UnitAmount: -off, Service: svc.Id})
		}
		if cpn.AppliesToCycle(0) {
			sub.SetCouponCyclesUsed(1)
		}
	}
	itemsCol, err := app.FindCachedCollectionByNameOrId(ledger.ItemsCollection)
	if err != nil {
		return nil, err
	}
	items := make([]*core.Record, 0, len(lines))
	for i, l := range lines {
		item, err := ledger.NewLine(itemsCol, inv, l)
		if err != nil {
			return nil, err
		}
		// Lines saved in one transaction can share a timestamp: the order
		// they were built in (setup, period, coupon) is kept explicitly, so
		// the page, the PDF and the email list them alike every time.
		item.Set("sort_order", i)
		items = append(items, item)
	}

	orderCoupon := ""
	if couponRec != nil {
		orderCoupon = couponRec.Id
	}
	order, err := newRecord(app, "orders")
	if err != nil {
		return nil, err
	}
	order.Load(map[string]any{
		"customer": customer.Id, "plan_price": price.Id, "status": orderStatus, "options": options, "coupon": orderCoupon,
		"subscription": sub.Id, "service": svc.Id, "invoice": inv.Id, "ip": by.IP,
	})
	trialDays := 0
	if trial {
		trialDays = cpn.TrialDays
	}
	return &priced{settings: s, plan: plan, status: orderStatus, coupon: couponRec, discount: off, trialDays: trialDays,
		order: order, subscription: sub, service: svc, invoice: inv, items: items}, nil
}

// place writes, in the transaction tx, the order price builds: stock, the
// subscription, the service, the first invoice and its lines, the coupon's
// redemption and the order, then issues the invoice (or keeps a wait-listed
// order's as a draft) through the ledger's usual path.
func place(ctx context.Context, tx core.App, customer *core.Record, req Request, by By, now time.Time) (*Result, error) {
	p, err := price(tx, customer, req, by, now)
	if err != nil {
		return nil, err
	}
	if err := takeStock(ctx, tx, p.plan, p.status); err != nil {
		return nil, err
	}
	for _, rec := range []*core.Record{p.subscription.ProxyRecord(), p.service.ProxyRecord(), p.invoice.Record} {
		if err := tx.SaveWithContext(ctx, rec); err != nil {
			return nil, fmt.Errorf("%s: %w", rec.Collection().Name, err)
		}
	}
	for _, item := range p.items {
		if err := tx.SaveWithContext(ctx, item); err != nil {
			return nil, fmt.Errorf("line %q: %w", item.GetString("description"), err)
		}
	}
	// A trial takes no money off but is a use all the same: its limits
	// (maximum uses, once per customer) count it.
	if p.discount > 0 || p.trialDays > 0 {
		if err := ledger.Redeem(ctx, tx, p.coupon.Id, p.invoice, p.discount); err != nil {
			return nil, err
		}
	}
	number, err := ledger.NextNumber(ctx, tx, NumberSeries, numberFormat(p.settings.OrderNumberFormat), now)
	if err != nil {
		return nil, fmt.Errorf("order number: %w", err)
	}
	p.order.Set("number", number)
	if err := tx.SaveWithContext(ctx, p.order); err != nil {
		return nil, fmt.Errorf("orders: %w", err)
	}

	inv := p.invoice
	// A wait-listed order keeps a draft invoice until staff approve it.
	if p.status == StatusPending {
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
	if err := announce(ctx, tx, p.settings, customer, p.plan, p.order, fresh); err != nil {
		return nil, err
	}
	return &Result{Order: p.order, Subscription: p.subscription.ProxyRecord(), Service: p.service.ProxyRecord(), Invoice: fresh}, nil
}

// couponDiscount checks a coupon against this order and returns what it
// takes off the first invoice's subtotal.
func couponDiscount(app core.App, cpn coupon.Coupon, customer, plan *core.Record, currency string, subtotal int64, now time.Time) (int64, error) {
	total, mine, err := ledger.CouponUses(app, cpn.ID, customer.Id)
	if err != nil {
		return 0, err
	}
	err = cpn.Check(coupon.Use{
		Now: now, PlanIDs: []string{plan.Id}, Currency: currency, Subtotal: subtotal,
		TotalUses: total, CustomerUses: mine,
	})
	var ce *coupon.Error
	if errors.As(err, &ce) {
		return 0, badRequest("coupon", ce.Code, "%s", ce.Message)
	}
	if err != nil || !cpn.AppliesToCycle(0) {
		return 0, err
	}
	return cpn.Discount(currency, subtotal)
}

// checkTrial checks a trial coupon against this order. Besides the limits
// of every coupon, a trial is for a customer's first subscription to the
// plan: counted in the order's transaction, like the coupon's uses, so two
// concurrent orders cannot both start one.
func checkTrial(app core.App, cpn coupon.Coupon, customer, plan *core.Record, c cycle.Cycle, setupFee int64, now time.Time) error {
	total, mine, err := ledger.CouponUses(app, cpn.ID, customer.Id)
	if err != nil {
		return err
	}
	had, err := app.CountRecords(subscriptions.Collection, dbx.HashExp{"customer": customer.Id, "plan": plan.Id})
	if err != nil {
		return err
	}
	err = cpn.Check(coupon.Use{
		Now: now, PlanIDs: []string{plan.Id}, Cycle: c, Currency: customers.As(customer).Currency(),
		TotalUses: total, CustomerUses: mine, PlanHistory: int(had), SetupFee: setupFee,
	})
	if ce, ok := errors.AsType[*coupon.Error](err); ok {
		return badRequest("coupon", ce.Code, "%s", ce.Message)
	}
	return err
}

// Order statuses.
const (
	StatusPending         = "pending"
	StatusPendingApproval = "pending_approval"
)

// stockStatus decides an order's status from its plan's stock: out of
// stock is refused, or wait-listed for staff approval when the plan allows it.
func stockStatus(plan *core.Record) (string, error) {
	if !plan.GetBool("track_stock") || plan.GetInt("stock") > 0 {
		return StatusPending, nil
	}
	if plan.GetBool("allow_waitlist") {
		return StatusPendingApproval, nil
	}
	return "", &Error{Status: http.StatusConflict, Code: "out_of_stock", Field: "plan_price",
		Message: plan.GetString("name") + " is out of stock"}
}

// takeStock reserves the unit of stock an order that is not wait-listed takes.
func takeStock(ctx context.Context, tx core.App, plan *core.Record, status string) error {
	if !plan.GetBool("track_stock") || status != StatusPending {
		return nil
	}
	plan.Set("stock", plan.GetInt("stock")-1)
	return tx.SaveWithContext(ctx, plan)
}

// newRecord builds, unsaved, an empty record of collection, with its id
// chosen now so that the order's records can name each other before any
// of them is written.
func newRecord(app core.App, collection string) (*core.Record, error) {
	col, err := app.FindCachedCollectionByNameOrId(collection)
	if err != nil {
		return nil, err
	}
	rec := core.NewRecord(col)
	rec.Id = core.GenerateDefaultRandomId()
	return rec, nil
}

// startTrial makes sub's first period the free trial [now, end): its
// periods are counted from the trial's end, so the first one billed, by the
// renewal run like any renewal, is a whole period at the price.
func startTrial(sub *subscriptions.Subscription, end, now time.Time) cycle.Period {
	sub.SetAnchorAt(end)
	sub.SetAnchorDay(end.Day())
	sub.SetCurrentPeriodStart(now)
	sub.SetCurrentPeriodEnd(end)
	sub.SetBilledUntil(end)
	sub.SetTrialEnd(end)
	return cycle.Period{Start: now, End: end}
}

// startFirstPeriod starts sub's first period of cycle c at now: the anchor
// its periods are counted from, the period, and how far it is billed
// (metered hours are billed in arrears, so not at all yet).
func startFirstPeriod(sub *subscriptions.Subscription, c cycle.Cycle, now time.Time) cycle.Period {
	first := cycle.PeriodAt(now, c, 0)
	billedUntil := first.End
	if c == cycle.Hourly {
		billedUntil = now
	}
	sub.SetAnchorAt(now)
	sub.SetAnchorDay(now.Day())
	sub.SetCurrentPeriodStart(first.Start)
	sub.SetCurrentPeriodEnd(first.End)
	sub.SetBilledUntil(billedUntil)
	return first
}
