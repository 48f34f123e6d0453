package dunning

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/integrations/gateway"
	"github.com/ezscale/ezscale/internal/audit"
	"github.com/ezscale/ezscale/internal/settings"
)

// Charger charges a saved payment method off-session: the Stripe gateway.
type Charger interface {
	Charge(ctx context.Context, req gateway.ChargeRequest) (gateway.ChargeResult, error)
}

// Options of one run.
type Options struct {
	Now time.Time
	// DryRun lists what the run would do and changes nothing.
	DryRun bool
	// Charger is nil when no gateway can charge saved methods: the charge
	// steps then only tell the customer to pay.
	Charger Charger
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
	invoices, err := app.FindRecordsByFilter(ledger.InvoicesCollection, "status = 'open' && due_at != '' && due_at <= {:h}", "due_at", 0, 0,
		dbx.Params{"h": horizon.UTC().Format("2006-01-02 15:04:05.000Z")})
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

// chase takes the due steps of one invoice. A charge, a call to the
// gateway, happens outside any transaction; its outcome and the other
// steps are recorded in one transaction afterwards.
func chase(ctx context.Context, app core.App, p Policy, inv *ledger.Invoice, opts Options) ([]Action, error) {
	taken := map[string]time.Time{}
	_ = inv.UnmarshalJSONField("dunning", &taken)
	steps := p.Due(inv.GetDateTime("due_at").Time(), opts.Now, taken)
	if len(steps) == 0 {
		return nil, nil
	}
	label := ledger.Label(inv)
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
			o, err := charge(ctx, app, inv, opts.Charger)
			if err != nil {
				return []Action{{label, s, "gateway unavailable, will retry: " + err.Error()}}, nil
			}
			outcome = o
			break
		}
	}

	var actions []Action
	err := app.RunInTransaction(func(tx core.App) error {
		fresh, err := ledger.FindInvoice(tx, inv.Id)
		if err != nil {
			return err
		}
		if fresh.Status() != ledger.StatusOpen {
			return nil // paid meanwhile: nothing left to chase
		}
		customer, err := tx.FindRecordById("customers", fresh.CustomerID())
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
			if st.paid {
				return nil // the charge paid it: the chase is over
			}
		}
		fresh, err = ledger.FindInvoice(tx, inv.Id)
		if err != nil {
			return err
		}
		if fresh.Status() != ledger.StatusOpen {
			return nil
		}
		fresh.Set("dunning", taken)
		return tx.SaveWithContext(ctx, fresh)
	})
	return actions, err
}

// chargeOutcome is what the gateway said, to record in the transaction.
type chargeOutcome struct {
	attempt  int
	method   *core.Record
	amount   money.Amount
	result   gateway.ChargeResult
	noCharge string // why no charge was attempted
}

// charge attempts to charge the customer's default saved method for what
// is due. The idempotency key names the invoice and the attempt, so a run
// that crashed after charging and charges again gets the same payment.
func charge(ctx context.Context, app core.App, inv *ledger.Invoice, c Charger) (*chargeOutcome, error) {
	o := &chargeOutcome{attempt: inv.GetInt("charge_attempts") + 1, amount: money.Amount{Minor: inv.AmountDue(), Currency: inv.Currency()}}
	if c == nil {
		o.noCharge = "no gateway charges saved methods"
		return o, nil
	}
	customer, err := app.FindRecordById("customers", inv.CustomerID())
	if err != nil {
		return nil, err
	}
	method, err := chargedMethod(app, inv, customer.Id)
	if err != nil || customer.GetString("stripe_customer_id") == "" {
		o.noCharge = "no saved payment method"
		return o, nil
	}
	o.method = method
	o.result, err = c.Charge(ctx, gateway.ChargeRequest{
		InvoiceID: inv.Id, CustomerID: customer.Id, GatewayCustomerID: customer.GetString("stripe_customer_id"),
		PaymentMethodRef: method.GetString("gateway_ref"), Amount: o.amount,
		Description:    "Invoice " + ledger.Label(inv),
		IdempotencyKey: fmt.Sprintf("invoice:%s:attempt:%d", inv.Id, o.attempt),
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// chargedMethod is the card an invoice is charged to: the one chosen for
// one of its services, else the customer's default.
func chargedMethod(app core.App, inv *ledger.Invoice, customerID string) (*core.Record, error) {
	items, err := ledger.Items(app, inv.Id)
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		if it.GetString("service") == "" {
			continue
		}
		svc, err := app.FindRecordById("services", it.GetString("service"))
		if err != nil || svc.GetString("payment_method") == "" {
			continue
		}
		if m, err := app.FindRecordById("payment_methods", svc.GetString("payment_method")); err == nil && m.GetString("customer") == customerID {
			return m, nil
		}
	}
	return app.FindFirstRecordByFilter("payment_methods", "customer = {:c} && gateway = 'stripe' && is_default = true",
		dbx.Params{"c": customerID})
}
