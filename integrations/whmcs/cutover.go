package whmcs

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/billing/parallelrun"
	"github.com/ezscale/ezscale/internal/audit"
	"github.com/ezscale/ezscale/internal/settings"
)

// CutoverActor is the audit actor of the cutover's writes; the entry's
// message names the person who ran it.
var CutoverActor = audit.Job("whmcs-cutover")

// dueSoon is how far ahead the checklist looks for open invoices: the
// ones this platform will chase in its first week.
const dueSoon = 7 * 24 * time.Hour

// CutOverAt is when the business cut over from WHMCS; zero before.
func CutOverAt(app core.App) (time.Time, error) {
	rec, err := settings.Record(app)
	if err != nil {
		return time.Time{}, err
	}
	return rec.GetDateTime("whmcs_cutover_at").Time(), nil
}

// Checklist is what must be true, or known, before WHMCS's customers are
// switched on. Blockers would make this platform act wrongly at once
// (a service it cannot reach, a period it would bill again); the rest
// is what staff should expect.
type Checklist struct {
	CutOverAt time.Time
	Held      int
	// Unlinked are held customers' live services with no panel id: dunning
	// could not suspend them nor the status sync see them (`import whmcs link`).
	Unlinked []CheckItem
	// PastRenewals are held customers' subscriptions whose period ended
	// already: the first renewal run would bill a period WHMCS billed.
	PastRenewals []CheckItem
	// NoSavedPayment are held customers with live subscriptions and no
	// Stripe customer, saved method or PayPal subscription: they will pay
	// each invoice by hand.
	NoSavedPayment []CheckItem
	// DueSoon are held customers' open invoices due within a week, or
	// overdue: dunning starts on them at once.
	DueSoon []CheckItem
}

// CheckItem is one record on the checklist.
type CheckItem struct {
	ID     string `db:"id"`
	WHMCS  string `db:"whmcs_id"`
	Label  string `db:"label"`
	Detail string `db:"detail"`
	// Due and Currency are an open invoice's amount still due.
	Due      int64  `db:"due"`
	Currency string `db:"currency"`
}

// Blocked reports whether the checklist has blockers.
func (c *Checklist) Blocked() bool { return len(c.Unlinked) > 0 || len(c.PastRenewals) > 0 }

// Check builds the checklist of the held customers at now.
func Check(app core.App, now time.Time) (*Checklist, error) {
	c := &Checklist{}
	var err error
	if c.CutOverAt, err = CutOverAt(app); err != nil {
		return nil, err
	}
	if err := app.DB().Select("COUNT(*)").From("customers").AndWhere(parallelrun.HeldOnly("id")).Row(&c.Held); err != nil {
		return nil, fmt.Errorf("held customers: %w", err)
	}
	at := now.UTC().Format(types.DefaultDateLayout)
	queries := []struct {
		into *[]CheckItem
		q    *dbx.SelectQuery
	}{
		{&c.Unlinked, app.DB().Select("id", "whmcs_id", "COALESCE(NULLIF(label, ''), hostname, domain) AS label", "platform AS detail").
			From("services").AndWhere(parallelrun.HeldOnly("customer")).
			AndWhere(dbx.NewExp("status IN ('active', 'suspended') AND platform != 'manual' AND platform_service_id = ''")).OrderBy("id")},
		{&c.PastRenewals, app.DB().Select("s.id", "s.whmcs_id", "c.email AS label", "s.current_period_end AS detail").
			From("subscriptions s").InnerJoin("customers c", dbx.NewExp("c.id = s.customer")).AndWhere(parallelrun.HeldOnly("s.customer")).
			AndWhere(dbx.NewExp("s.status IN ('active', 'past_due') AND s.current_period_end != '' AND s.current_period_end <= {:now}", dbx.Params{"now": at})).
			OrderBy("s.current_period_end", "s.id")},
		{&c.NoSavedPayment, app.DB().Select("c.id", "c.whmcs_id", "c.email AS label", "c.name AS detail").From("customers c").
			AndWhere(parallelrun.HeldOnly("c.id")).AndWhere(dbx.NewExp(`c.stripe_customer_id = '' AND c.paypal_payer_id = ''
				AND EXISTS (SELECT 1 FROM subscriptions s WHERE s.customer = c.id AND s.status IN ('active', 'past_due'))
				AND NOT EXISTS (SELECT 1 FROM payment_methods m WHERE m.customer = c.id)
				AND NOT EXISTS (SELECT 1 FROM subscriptions s WHERE s.customer = c.id AND s.paypal_subscription_id != '')`)).OrderBy("c.id")},
		{&c.DueSoon, app.DB().Select("id", "whmcs_id", "number AS label", "due_at AS detail", "([[total]] - [[credit_applied]] - [[amount_paid]]) AS due", "currency").
			From("invoices").AndWhere(parallelrun.HeldOnly("customer")).
			AndWhere(dbx.NewExp("status = 'open' AND due_at != '' AND due_at <= {:soon}", dbx.Params{"soon": now.Add(dueSoon).UTC().Format(types.DefaultDateLayout)})).
			OrderBy("due_at", "id")},
	}
	for _, q := range queries {
		if err := q.q.All(q.into); err != nil {
			return nil, fmt.Errorf("cutover checklist: %w", err)
		}
	}
	for i, it := range c.DueSoon {
		if a, err := money.New(it.Due, it.Currency); err == nil {
			c.DueSoon[i].Detail = "due " + it.Detail[:10] + ", " + a.String()
		}
	}
	return c, nil
}

// Print writes the checklist for staff.
func (c *Checklist) Print(w io.Writer) {
	if !c.CutOverAt.IsZero() {
		fmt.Fprintf(w, "The cutover was done at %s: this platform bills every customer.\n", c.CutOverAt.UTC().Format(time.RFC3339))
		return
	}
	fmt.Fprintf(w, "\nCutover checklist: %d customers still served by WHMCS\n", c.Held)
	for _, part := range []struct {
		title   string
		blocker bool
		items   []CheckItem
	}{
		{"Services not linked to their panel (run `ezscale import whmcs link`)", true, c.Unlinked},
		{"Subscriptions whose renewal date is already past (renew them in WHMCS and re-import)", true, c.PastRenewals},
		{"Customers with live subscriptions and no saved card or PayPal subscription (they will pay by hand)", false, c.NoSavedPayment},
		{"Open invoices due within 7 days or overdue (this platform will chase them)", false, c.DueSoon},
	} {
		mark := "ok"
		switch {
		case len(part.items) > 0 && part.blocker:
			mark = "BLOCKER"
		case len(part.items) > 0:
			mark = "check"
		}
		fmt.Fprintf(w, "\n[%s] %s: %d\n", mark, part.title, len(part.items))
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, it := range part.items {
			fmt.Fprintf(tw, "  %s\tWHMCS %s\t%s\t%s\n", it.ID, it.WHMCS, it.Label, it.Detail)
		}
		tw.Flush()
	}
}

// CutoverResult is what the cutover switched on.
type CutoverResult struct {
	At          time.Time
	Customers   int // switched on
	EmailsHeld  int // WHMCS-era emails cancelled, never to be sent
	JobsHeld    int // provisioning jobs cancelled
	AlreadyDone bool
}

// Cutover switches every held customer on, in one transaction: from now
// on this platform renews, chases, emails and provisions them. Emails and
// provisioning jobs queued for them during the parallel run are about
// WHMCS's era and are cancelled, never sent after. The settings record
// keeps when, and the audit log who (by). A second run changes nothing.
func Cutover(ctx context.Context, app core.App, by string, now time.Time) (CutoverResult, error) {
	res := CutoverResult{At: now.UTC()}
	err := app.RunInTransaction(func(tx core.App) error {
		rec, err := settings.Record(tx)
		if err != nil {
			return err
		}
		if at := rec.GetDateTime("whmcs_cutover_at").Time(); !at.IsZero() {
			res.At, res.AlreadyDone = at, true
			return nil
		}
		why := "not sent: written during the parallel run, when WHMCS served this customer (cutover " + res.At.Format(time.RFC3339) + ")"
		stamp := res.At.Format(types.DefaultDateLayout)
		r, err := tx.DB().Update("outbox", dbx.Params{"status": "cancelled", "last_error": why, "updated": stamp},
			dbx.And(dbx.HashExp{"status": "pending", "channel": "email"}, parallelrun.HeldOnly("customer"))).Execute()
		if err != nil {
			return fmt.Errorf("cancel held emails: %w", err)
		}
		res.EmailsHeld = affected(r)
		r, err = tx.DB().Update("provisioning_jobs", dbx.Params{"status": "cancelled", "last_error": why, "updated": stamp},
			dbx.And(dbx.HashExp{"status": "pending"}, dbx.NewExp("[[service]] IN (SELECT [[id]] FROM {{services}} WHERE "+parallelrun.HeldOnlySQL("[[customer]]")+")"))).Execute()
		if err != nil {
			return fmt.Errorf("cancel held provisioning jobs: %w", err)
		}
		res.JobsHeld = affected(r)
		r, err = tx.DB().Update("customers", dbx.Params{parallelrun.Field: false, "updated": stamp},
			parallelrun.HeldOnly("[[id]]")).Execute()
		if err != nil {
			return fmt.Errorf("switch customers on: %w", err)
		}
		res.Customers = affected(r)
		rec.Set("whmcs_cutover_at", res.At)
		if err := tx.SaveWithContext(audit.WithActor(ctx, CutoverActor), rec); err != nil {
			return err
		}
		return audit.Record(tx, CutoverActor, "whmcs.cutover", rec, fmt.Sprintf(
			"cutover from WHMCS by %s: %d customers switched on, %d emails and %d provisioning jobs of the parallel run cancelled",
			by, res.Customers, res.EmailsHeld, res.JobsHeld))
	})
	return res, err
}

func affected(r interface{ RowsAffected() (int64, error) }) int {
	n, _ := r.RowsAffected()
	return int(n)
}
