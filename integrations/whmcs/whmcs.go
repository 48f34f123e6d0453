// Package whmcs imports a live WHMCS database (read directly from MySQL or
// MariaDB) into the platform: currencies, tax rates, the catalog, clients
// with their passwords, services, promotions, invoices, transactions,
// credit balances and tickets, in that order. Every record keeps the WHMCS
// id it came from (whmcs_id), so the import can run again — after an
// interruption, or to catch up before the switch-over — and updates
// instead of duplicating. The Report says what was read, written and left
// out, and whether the money on both sides agrees.
package whmcs

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/integrations/support"
)

// Entities are the parts of an import, in dependency order; --only names them.
var Entities = []string{"currencies", "taxes", "products", "customers", "services", "promotions",
	"invoices", "transactions", "credit", "tickets"}

// Options shape an import.
type Options struct {
	// DryRun reads and maps everything and reports, writing nothing.
	DryRun bool
	// Only limits the import to these entities (nil: all). Later entities
	// find earlier ones imported by a previous run.
	Only []string
	// ProductMap overrides what WHMCS says about products.
	ProductMap ProductMap
	// GatewayMap names our gateway for WHMCS payment modules the import
	// does not know (see gatewayModules).
	GatewayMap GatewayMap
	// Desk, when set, receives the tickets (else they go to the archive).
	Desk *support.Desk
	// Progress receives a line per step and per few thousand rows.
	Progress io.Writer
}

// ProductMap overrides, per WHMCS product id, the platform (virtfusion,
// pterodactyl, synergycp, enhance, manual) and service type a product's
// plan gets; read from --product-map as {"12": {"platform": "manual",
// "service_type": "dedicated"}}.
type ProductMap map[string]ProductOverride

// ProductOverride is one product's entry of a ProductMap.
type ProductOverride struct {
	Platform    string `json:"platform"`
	ServiceType string `json:"service_type"`
	Slug        string `json:"slug"`
}

// importer is one run.
type importer struct {
	// ctx is the run's: tables write their full batches as rows are put.
	ctx    context.Context
	app    core.App
	src    *sql.DB
	opts   Options
	report *Report
	out    io.Writer

	// What earlier steps learnt, by WHMCS id.
	currencies map[int64]string // currency code
	defaultCur string
	clients    map[int64]*client // every client read, imported or not
	money      map[string]sums   // invoices, payments, credit: both sides
	tax        *taxConfig        // how WHMCS computed tax, read once
	massPay    map[int64][]int64 // mass-pay invoice → the invoices it settled, read once
	gateways   map[string]int    // unknown payment modules met, reported once each
	staged     map[string]map[string]*stored
}

// Import runs an import from src into app.
func Import(ctx context.Context, app core.App, src *sql.DB, opts Options) (*Report, error) {
	for _, e := range opts.Only {
		if !slices.Contains(Entities, e) {
			return nil, fmt.Errorf("unknown entity %q: choose from %s", e, strings.Join(Entities, ", "))
		}
	}
	out := opts.Progress
	if out == nil {
		out = io.Discard
	}
	im := &importer{ctx: ctx, app: app, src: src, opts: opts, out: out, report: &Report{DryRun: opts.DryRun, StartedAt: time.Now().UTC()},
		money: map[string]sums{"invoices": {}, "payments": {}, "credit": {}}, staged: map[string]map[string]*stored{}}
	steps := []struct {
		entity string
		run    func(context.Context) error
	}{
		{"currencies", im.importCurrencies},
		{"taxes", im.importTaxes},
		{"products", im.importProducts},
		{"customers", im.importCustomers},
		{"services", im.importServices},
		{"promotions", im.importPromotions},
		{"invoices", im.importInvoices},
		{"transactions", im.importTransactions},
		{"credit", im.importCredit},
		{"tickets", im.importTickets},
	}
	for _, s := range steps {
		if len(opts.Only) > 0 && !slices.Contains(opts.Only, s.entity) && s.entity != "currencies" {
			continue // currencies are always read: every amount needs them
		}
		if err := ctx.Err(); err != nil {
			return im.report, err
		}
		started := time.Now()
		fmt.Fprintf(out, "%s…\n", s.entity)
		if err := s.run(ctx); err != nil {
			return im.report, fmt.Errorf("import %s: %w", s.entity, err)
		}
		fmt.Fprintf(out, "%s done in %s\n", s.entity, time.Since(started).Round(time.Millisecond))
	}
	im.report.Invoices = im.money["invoices"].list()
	im.report.Payments = im.money["payments"].list()
	im.report.Credit = im.money["credit"].list()
	im.reportUnknownGateways()
	im.report.reconcile()
	im.report.FinishedAt = time.Now().UTC()
	return im.report, nil
}

// progress prints every few thousand rows of a long step.
func (im *importer) progress(entity string, n, total int) {
	if n%5000 == 0 || n == total {
		fmt.Fprintf(im.out, "  %s: %d of %d\n", entity, n, total)
	}
}
