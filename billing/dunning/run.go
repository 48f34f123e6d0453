package dunning

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/methods"
	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/billing/parallelrun"
	"github.com/ezscale/ezscale/billing/payments"
	"github.com/ezscale/ezscale/integrations/gateway"
	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/internal/audit"
	"github.com/ezscale/ezscale/internal/settings"
)

// Options of one run.
type Options struct {
	Now time.Time
	// DryRun lists what the run would do and changes nothing.
	DryRun bool
	// Chargers are the gateways that charge saved methods, by gateway name:
	// a saved method is charged through its own gateway's. Without one the
	// charge steps only tell the customer to pay.
	Chargers map[string]gateway.Charger
	// PortalURL is where customers pay: notices link to the invoice there.
	PortalURL string
	Progress  io.Writer
}

// Action is one step taken (or, in a dry run, that would be).
type Action struct {
	Invoice string // number
	Step    string
	Detail  string
}

// Actor is who dunning's changes are attributed to in the audit log.
var Actor = audit.Job("dunning")

// Run takes every dunning step due at opts.Now on every open invoice.
func Run(app core.App, opts Options) ([]Action, error) {
	if opts.Now.IsZero() {
		opts.Now = time.Now().UTC()
	}
	if opts.Progress == nil {
		opts.Progress = io.Discard
	}
	s, err := settings.Load(app)
	if err != nil {
		return nil, err
	}
	p := PolicyFrom(s)
	horizon := opts.Now.Add(time.Duration(p.ReminderDays) * day)
	// WHMCS chases its customers' invoices until the cutover.
	var invoices []*core.Record
	err = app.RecordQuery(ledger.InvoicesCollection).
		AndWhere(dbx.NewExp("status = 'open' AND due_at != '' AND due_at <= {:h}", dbx.Params{"h": horizon.UTC().Format(types.DefaultDateLayout)})).
		AndWhere(parallelrun.NotHeld("customer")).
		OrderBy("due_at", "id").All(&invoices)
	if err != nil {
		return nil, fmt.Errorf("open invoices: %w", err)
	}
	ctx := audit.WithActor(context.Background(), Actor)
	var actions []Action
	for _, rec := range invoices {
		done, err := chase(ctx, app, p, ledger.AsInvoice(rec), opts)
		actions = append(actions, done...)
		if err != nil {
			return actions, fmt.Errorf("invoice %s: %w", ledger.Label(ledger.AsInvoice(rec)), err)
		}
	}
	for _, a := range actions {
		fmt.Fprintf(opts.Progress, "dunning: %-16s %-16s %s\n", a.Invoice, a.Step, a.Detail)
	}
	return actions, nil
}

// chase takes the due steps of one invoice, as it is now: the run's list
// was loaded at its start, and the invoice may have been paid since. A
// charge, a call to the gateway, happens outside any transaction between
// its reservation and the recording of its answer; the other steps are
// recorded in the same transaction as that answer.
func chase(ctx context.Context, app core.App, p Policy, listed *ledger.Invoice, opts Options) ([]Action, error) {
	inv, err := ledger.FindInvoice(app, listed.Id)
	if err != nil || inv.Status() != ledger.StatusOpen {
		return nil, err
	}
	taken := map[string]time.Time{}
	_ = inv.UnmarshalJSONField("dunning", &taken)
	steps := p.Due(inv.GetDateTime("due_at").Time(), opts.Now, taken)
	if len(steps) == 0 {
		return nil, nil
	}
	label := ledger.Label(inv)
	// A charge in flight or pending at the gateway holds the timeline: no
	// new attempt, no failure notice, no suspension until it is settled.
	held, err := payments.PendingCharge(app, inv.Id)
	if err != nil {
		return nil, err
	}
	if held != nil {
		if detail, settled, err := recheck(ctx, app, held, taken, opts); err != nil || settled {
			if err != nil {
				return nil, err
			}
			return []Action{{label, StepRechecked, detail}}, nil
		}
		detail := "a charge is in flight"
		if id := held.GatewayID(); id != "" {
			detail = "charge " + id + " is pending at the gateway"
		}
		return []Action{{label, StepHeld, detail}}, nil
	}
	if opts.DryRun {
		out := make([]Action, len(steps))
		for i, s := range steps {
			out[i] = Action{Invoice: label, Step: s, Detail: "would run"}
		}
		return out, nil
	}

	var outcome *chargeOutcome
	for _, s := range steps {
		if isCharge(s) {
			// One charge per run however many were missed: a job that was
			// down for days does not charge a card five times at once.
			o, err := charge(ctx, app, inv, opts.Chargers)
			switch {
			case errors.Is(err, ledger.ErrNothingDue):
				return nil, nil // paid since it was read
			case errors.Is(err, payments.ErrChargeHeld):
				return []Action{{label, s, "another payment is in progress, will retry"}}, nil
			case err != nil:
				return []Action{{label, s, "gateway unavailable, will retry: " + err.Error()}}, nil
			}
			o.step, outcome = s, o
			break
		}
	}

	var actions []Action
	err = app.RunInTransaction(func(tx core.App) error {
		fresh, err := ledger.FindInvoice(tx, inv.Id)
		if err != nil {
			return err
		}
		wasOpen := fresh.Status() == ledger.StatusOpen
		if outcome != nil && outcome.reservation != nil {
			// Money taken is recorded whatever happened to the invoice.
			if _, err := payments.SettleCharge(ctx, tx, outcome.reservation, outcome.result, opts.Now); err != nil {
				return fmt.Errorf("recording the charge: %w", err)
			}
			if fresh, err = ledger.FindInvoice(tx, inv.Id); err != nil {
				return err
			}
		}
		if fresh.Status() != ledger.StatusOpen {
			if outcome != nil && outcome.result.Status == gateway.StatusSucceeded {
				detail := "charged " + outcome.amount.String()
				if !wasOpen {
					detail += ", kept as credit: the invoice was paid meanwhile"
				}
				actions = append(actions, Action{label, outcome.step, detail})
			}
			return nil // paid: nothing left to chase
		}
		customer, err := customers.Find(tx, fresh.CustomerID())
		if err != nil {
			return err
		}
		st := &stepper{ctx: ctx, tx: tx, inv: fresh, customer: customer, outcome: outcome, now: opts.Now, portal: opts.PortalURL}
		for _, s := range steps {
			detail, err := st.take(s)
			if err != nil {
				return fmt.Errorf("%s: %w", s, err)
			}
			taken[s] = opts.Now
			actions = append(actions, Action{label, s, detail})
			if st.held {
				break // the rest waits for the gateway to settle the charge
			}
		}
		fresh, err = ledger.FindInvoice(tx, inv.Id)
		if err != nil {
			return err
		}
		fresh.Set("dunning", taken)
		return tx.SaveWithContext(ctx, fresh)
	})
	return actions, err
}

// chargeOutcome is what the gateway said, to record in the transaction.
type chargeOutcome struct {
	step        string // the charge step that made it
	reservation *payments.Reservation
	amount      money.Amount
	result      gateway.ChargeResult
	noCharge    string // why no charge was attempted
	paypal      bool   // PayPal collects: the customer need not be asked to pay
}

// charge attempts to charge the customer's saved method for what is due,
// through the method's own gateway. The attempt is reserved first (the
// invoice re-read, still open, held by nothing else), so a concurrent run
// or a pay now cannot charge it too, and its idempotency key is the one
// every path uses for that attempt: a run that crashed after charging and
// charges again gets the same payment. A method its gateway cannot charge
// is no charge, for the reason given.
func charge(ctx context.Context, app core.App, inv *ledger.Invoice, chargers map[string]gateway.Charger) (*chargeOutcome, error) {
	o := &chargeOutcome{amount: money.Amount{Minor: inv.AmountDue(), Currency: inv.Currency()}}
	paypal, err := collectedByPayPal(app, inv.Id)
	if err != nil {
		return nil, err
	}
	if paypal {
		o.noCharge, o.paypal = "its PayPal subscription collects it", true
		return o, nil
	}
	if len(chargers) == 0 {
		o.noCharge = "no gateway charges saved methods"
		return o, nil
	}
	customer, err := customers.Find(app, inv.CustomerID())
	if err != nil {
		return nil, err
	}
	method, err := chargedMethod(app, inv, customer)
	if err != nil {
		o.noCharge = "no saved payment method"
		return o, nil
	}
	r, res, err := methods.ChargeSaved(ctx, app, chargers, customer, inv, method)
	switch {
	case errors.Is(err, methods.ErrCannotCharge):
		o.noCharge = err.Error()
		return o, nil
	case err != nil:
		return nil, err
	}
	o.amount, o.result, o.reservation = r.Amount, res, r
	return o, nil
}

// chargedMethod is the saved method an invoice is charged to: the one
// chosen for one of its services, else the customer's default; none when
// its gateway does not know the customer (a Stripe card without the
// customer's Stripe customer).
func chargedMethod(app core.App, inv *ledger.Invoice, customer *customers.Customer) (*core.Record, error) {
	method, err := chosenMethod(app, inv, customer.Id)
	if err != nil {
		return nil, err
	}
	if _, known := methods.GatewayCustomer(customer, method.GetString("gateway")); !known {
		return nil, methods.ErrNotFound
	}
	return method, nil
}

// chosenMethod is the method chosen for one of the invoice's services,
// else the customer's default.
func chosenMethod(app core.App, inv *ledger.Invoice, customerID string) (*core.Record, error) {
	items, err := ledger.Items(app, inv.Id)
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		if it.GetString("service") == "" {
			continue
		}
		svc, err := provisioning.FindService(app, it.GetString("service"))
		if err != nil || svc.PaymentMethodID() == "" {
			continue
		}
		if m, err := methods.Owned(app, customerID, svc.PaymentMethodID()); err == nil {
			return m, nil
		}
	}
	return methods.Default(app, customerID)
}
