package whmcs

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/htmlsafe"
)

// planColumns and planPriceColumns are written from WHMCS on every run.
var (
	planColumns      = []string{"name", "slug", "service_type", "platform", "status", "description", "sort_order"}
	planPriceColumns = []string{"plan", "currency", "cycle", "amount", "setup_fee", "active"}
)

// Limits of the plans schema.
const (
	planNameMax        = 120
	planSlugMax        = 80
	planDescriptionMax = 20000 // bytes
)

var planSlug = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// moduleKinds maps a WHMCS provisioning module (servertype) to the platform
// that replaces it and the kind of service it sells.
var moduleKinds = map[string][2]string{
	"virtfusion":  {"virtfusion", "vps"},
	"pterodactyl": {"pterodactyl", "game_server"},
	"synergycp":   {"synergycp", "dedicated"},
	"enhance":     {"enhance", "hosting"},
}

// groupKinds guesses the service type of a product without a known module
// from words of its group's name, first match wins.
var groupKinds = []struct{ word, serviceType string }{
	{"vps", "vps"}, {"virtual", "vps"}, {"cloud", "vps"},
	{"dedicated", "dedicated"}, {"metal", "dedicated"}, {"colo", "dedicated"},
	{"game", "game_server"}, {"minecraft", "game_server"},
}

// pricingCycles are tblpricing's price and setup fee columns per cycle, in
// our cycle names.
var pricingCycles = []struct{ price, setup, cycle string }{
	{"monthly", "msetupfee", "monthly"},
	{"quarterly", "qsetupfee", "quarterly"},
	{"semiannually", "ssetupfee", "semiannual"},
	{"annually", "asetupfee", "annual"},
	{"biennially", "bsetupfee", "biennial"},
	{"triennially", "tsetupfee", "triennial"},
}

// catalogLists are the values the plans schema allows for platform and
// service_type, read from the collection so that the two never disagree.
type catalogLists struct {
	platforms, serviceTypes []string
}

// catalogProduct is a tblproducts row with its group.
type catalogProduct struct {
	id                    int64
	name, slug, desc      string
	hidden, retired       bool
	paytype, servertype   string
	order                 int64
	group                 string
	groupHidden           bool
	plan                  string // record id once staged
	override              ProductOverride
	platform, serviceType string
}

// pricingRow is a tblpricing row of type product: per cycle the price and
// setup fee as WHMCS decimals.
type pricingRow struct {
	id, productID int64
	currency      string
	prices, setup [6]string
}

// planPrice is one plan_prices record to write.
type planPrice struct {
	cycle         string
	amount, setup int64
	active        bool
}

// importProducts imports WHMCS products as plans (their group gives a
// service type when the module does not) and their tblpricing rows as
// plan prices: one per currency and enabled cycle. EZSCALE sells
// subscriptions only: a free or one-time product gets one inactive monthly
// price per currency, as a record of what it cost, and its services come
// over without a subscription.
func (im *importer) importProducts(ctx context.Context) error {
	lists, err := im.planLists()
	if err != nil {
		return err
	}
	if err := validateProductMap(im.opts.ProductMap, lists); err != nil {
		return err
	}
	c := im.report.count("plans")
	plans, err := im.table("plans", c, planColumns)
	if err != nil {
		return err
	}
	products, err := im.readProducts(ctx, c)
	if err != nil {
		return err
	}
	taken, err := im.foreignValues("plans", "slug")
	if err != nil {
		return err
	}
	if err := assignPlanSlugs(products, taken); err != nil {
		return err
	}
	byID := map[int64]*catalogProduct{}
	for _, p := range products {
		byID[p.id] = p
		if p.platform, p.serviceType, err = productKind(p.servertype, p.group, p.override, lists); err != nil {
			return fmt.Errorf("product %d: %w", p.id, err)
		}
		name := text(p.name)
		if name == "" {
			name = fmt.Sprintf("WHMCS product %d", p.id)
			im.report.note("plans", p.id, "no name: imported as %q", name)
		}
		if p.retired {
			im.report.note("plans", p.id, "retired in WHMCS: imported archived (its services are imported)")
		}
		if p.paytype != "recurring" {
			im.report.note("plans", p.id, "%s product: EZSCALE bills no one-time or free products, so its prices are imported inactive and its services without a subscription", paytypeName(p.paytype))
		}
		p.plan = plans.put(fmt.Sprint(p.id), map[string]any{
			"name": clip(name, planNameMax), "slug": p.slug, "service_type": p.serviceType, "platform": p.platform,
			"status": planStatus(p.retired, p.hidden, p.groupHidden), "description": im.planDescription(p),
			"sort_order": p.order,
		})
	}
	for _, id := range slices.Sorted(maps.Keys(im.opts.ProductMap)) {
		if n, err := strconv.ParseInt(id, 10, 64); err != nil || byID[n] == nil {
			im.report.note("plans", id, "the product map names a product WHMCS does not have; entry unused")
		}
	}
	if err := im.flush(ctx, plans); err != nil {
		return err
	}
	return im.importPricing(ctx, byID)
}

// importPricing writes the plan prices of the products read. A price
// imported by an earlier run whose cycle WHMCS no longer offers is made
// inactive rather than left on sale. A pricing row holds several prices,
// so the plan_prices count reads one per price, and one per pricing row
// left out whole.
func (im *importer) importPricing(ctx context.Context, products map[int64]*catalogProduct) error {
	c := im.report.count("plan_prices")
	t, err := im.table("plan_prices", c, planPriceColumns)
	if err != nil {
		return err
	}
	own, err := im.ownPlanPrices()
	if err != nil {
		return err
	}
	rows, err := im.rows(ctx, `SELECT id, relid, currency, monthly, quarterly, semiannually, annually, biennially, triennially,
		msetupfee, qsetupfee, ssetupfee, asetupfee, bsetupfee, tsetupfee
		FROM tblpricing WHERE type = 'product' ORDER BY relid, currency, id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	seen := map[string]bool{}
	priced := map[int64]bool{}
	for rows.Next() {
		var r pricingRow
		var currencyID int64
		dest := []any{&r.id, &r.productID, &currencyID}
		for i := range r.prices {
			dest = append(dest, &r.prices[i])
		}
		for i := range r.setup {
			dest = append(dest, &r.setup[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		p := products[r.productID]
		if p == nil {
			c.Read++
			im.report.skip(c, r.id, "pricing of product %d, which WHMCS no longer has", r.productID)
			continue
		}
		if r.currency = im.currency(currencyID); r.currency == "" {
			c.Read++
			im.report.skip(c, r.id, "pricing of product %d in currency id %d, which is not imported", r.productID, currencyID)
			continue
		}
		prices, notes, err := pricingPrices(p.paytype, r)
		if err != nil {
			c.Read++
			im.report.fail(c, r.id, err)
			continue
		}
		for _, n := range notes {
			im.report.note("plan_prices", r.id, "%s", n)
		}
		for _, pp := range prices {
			c.Read++
			whmcsID := fmt.Sprintf("%d/%s/%s", p.id, r.currency, pp.cycle)
			if t.id(whmcsID) == "" && own[[3]string{p.plan, r.currency, pp.cycle}] {
				im.report.skip(c, whmcsID, "the plan already has a %s %s price set in EZSCALE; kept", r.currency, pp.cycle)
				continue
			}
			seen[whmcsID] = true
			priced[p.id] = true
			t.put(whmcsID, map[string]any{"plan": p.plan, "currency": r.currency, "cycle": pp.cycle,
				"amount": pp.amount, "setup_fee": pp.setup, "active": pp.active})
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range slices.Sorted(maps.Keys(products)) {
		if !priced[id] {
			im.report.note("plans", id, "no price in any imported currency: the plan cannot be ordered until one is added")
		}
		retireStalePrices(t, products[id], seen)
	}
	return im.flush(ctx, t)
}

// readProducts reads every product with its group, the product map's
// override attached.
func (im *importer) readProducts(ctx context.Context, c *Count) ([]*catalogProduct, error) {
	rows, err := im.rows(ctx, `SELECT p.id, p.name, p.slug, p.description, p.hidden, p.retired, p.paytype, p.servertype,
		p.`+"`order`"+`, COALESCE(g.name, ''), COALESCE(g.hidden, 0)
		FROM tblproducts p LEFT JOIN tblproductgroups g ON g.id = p.gid ORDER BY p.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*catalogProduct
	for rows.Next() {
		p := &catalogProduct{}
		if err := rows.Scan(&p.id, &p.name, &p.slug, &p.desc, &p.hidden, &p.retired, &p.paytype, &p.servertype,
			&p.order, &p.group, &p.groupHidden); err != nil {
			return nil, err
		}
		c.Read++
		p.override = im.opts.ProductMap[fmt.Sprint(p.id)]
		p.paytype = strings.ToLower(strings.TrimSpace(p.paytype))
		if p.paytype != "recurring" && p.paytype != "free" && p.paytype != "onetime" {
			im.report.note("plans", p.id, "unknown paytype %q: priced as recurring", p.paytype)
			p.paytype = "recurring"
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// planLists reads the platform and service_type values of the plans
// collection.
func (im *importer) planLists() (catalogLists, error) {
	col, err := im.app.FindCachedCollectionByNameOrId("plans")
	if err != nil {
		return catalogLists{}, fmt.Errorf("plans collection: %w", err)
	}
	values := func(name string) ([]string, error) {
		f, ok := col.Fields.GetByName(name).(*core.SelectField)
		if !ok {
			return nil, fmt.Errorf("plans.%s is not a select field", name)
		}
		return f.Values, nil
	}
	var l catalogLists
	if l.platforms, err = values("platform"); err != nil {
		return l, err
	}
	l.serviceTypes, err = values("service_type")
	return l, err
}

// foreignValues are the values of column of the records not imported from
// WHMCS: an imported unique value must not take one of them.
func (im *importer) foreignValues(collection, column string) (map[string]bool, error) {
	var values []string
	err := im.app.DB().Select(column).From(collection).Where(dbx.HashExp{"whmcs_id": ""}).Column(&values)
	if err != nil {
		return nil, fmt.Errorf("read %s of %s: %w", column, collection, err)
	}
	taken := make(map[string]bool, len(values))
	for _, v := range values {
		taken[v] = true
	}
	return taken, nil
}

// ownPlanPrices are the plan, currency and cycle of the plan prices not
// imported from WHMCS (one price per plan, currency and cycle).
func (im *importer) ownPlanPrices() (map[[3]string]bool, error) {
	var rows []struct {
		Plan     string `db:"plan"`
		Currency string `db:"currency"`
		Cycle    string `db:"cycle"`
	}
	err := im.app.DB().Select("plan", "currency", "cycle").From("plan_prices").Where(dbx.HashExp{"whmcs_id": ""}).All(&rows)
	if err != nil {
		return nil, fmt.Errorf("read plan prices: %w", err)
	}
	out := make(map[[3]string]bool, len(rows))
	for _, r := range rows {
		out[[3]string{r.Plan, r.Currency, r.Cycle}] = true
	}
	return out, nil
}

// validateProductMap refuses an override EZSCALE cannot store, naming the
// product: the map is written by hand and a typo must not import silently.
func validateProductMap(m ProductMap, l catalogLists) error {
	for _, id := range slices.Sorted(maps.Keys(m)) {
		o := m[id]
		switch {
		case o.Platform != "" && !slices.Contains(l.platforms, o.Platform):
			return fmt.Errorf("product map, product %s: platform %q is not one of %s", id, o.Platform, strings.Join(l.platforms, ", "))
		case o.ServiceType != "" && !slices.Contains(l.serviceTypes, o.ServiceType):
			return fmt.Errorf("product map, product %s: service_type %q is not one of %s", id, o.ServiceType, strings.Join(l.serviceTypes, ", "))
		case o.Slug != "" && (len(o.Slug) > planSlugMax || !planSlug.MatchString(o.Slug)):
			return fmt.Errorf("product map, product %s: slug %q must be lower-case letters and digits in dash-separated words, at most %d characters", id, o.Slug, planSlugMax)
		}
	}
	return nil
}

// productKind is the platform and service type of a product's plan: from
// its module, else the manual platform and a service type guessed from its
// group's name, each replaced by the product map's when it sets one.
func productKind(servertype, group string, o ProductOverride, l catalogLists) (platform, serviceType string, err error) {
	if k, ok := moduleKinds[strings.ToLower(strings.TrimSpace(servertype))]; ok {
		platform, serviceType = k[0], k[1]
	} else {
		platform, serviceType = "manual", "hosting"
		g := strings.ToLower(text(group))
		for _, w := range groupKinds {
			if strings.Contains(g, w.word) {
				serviceType = w.serviceType
				break
			}
		}
	}
	if o.Platform != "" {
		platform = o.Platform
	}
	if o.ServiceType != "" {
		serviceType = o.ServiceType
	}
	if !slices.Contains(l.platforms, platform) || !slices.Contains(l.serviceTypes, serviceType) {
		return "", "", fmt.Errorf("platform %q / service type %q is not in the plans schema", platform, serviceType)
	}
	return platform, serviceType, nil
}

// planStatus: a retired product is no longer sold (archived); a hidden one,
// or one in a hidden group, only by staff (hidden).
func planStatus(retired, hidden, groupHidden bool) string {
	switch {
	case retired:
		return "archived"
	case hidden || groupHidden:
		return "hidden"
	}
	return "active"
}

// assignPlanSlugs gives every product a unique slug: the map's, else its
// WHMCS slug or name in kebab case. Slugs the map sets are taken first; a
// derived slug that collides (with another product, or a plan made in
// EZSCALE) gets the WHMCS id appended, products in id order.
func assignPlanSlugs(products []*catalogProduct, taken map[string]bool) error {
	used := map[string]int64{}
	for _, p := range products {
		s := p.override.Slug
		if s == "" {
			continue
		}
		if other, dup := used[s]; dup || taken[s] {
			if dup {
				return fmt.Errorf("product map, product %d: slug %q is also given to product %d", p.id, s, other)
			}
			return fmt.Errorf("product map, product %d: slug %q belongs to a plan made in EZSCALE", p.id, s)
		}
		used[s] = p.id
		p.slug = s
	}
	for _, p := range products {
		if p.override.Slug != "" {
			continue
		}
		s := kebab(text(p.slug), planSlugMax)
		if s == "" {
			s = kebab(text(p.name), planSlugMax)
		}
		if s == "" {
			s = "plan"
		}
		if _, dup := used[s]; dup || taken[s] {
			suffix := fmt.Sprintf("-%d", p.id)
			s = strings.TrimRight(s[:min(len(s), planSlugMax-len(suffix))], "-") + suffix
		}
		used[s] = p.id
		p.slug = s
	}
	return nil
}

// kebab turns s into lower-case ASCII letters and digits joined by single
// dashes ("VPS S1 (2019)" → "vps-s1-2019"), at most max bytes.
func kebab(s string, max int) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		dash = true
	}
	out := b.String()
	if len(out) > max {
		out = strings.TrimRight(out[:max], "-")
	}
	return out
}

// planDescription is a product's description made safe: WHMCS keeps it as
// raw HTML staff typed, shown unescaped on the order form. Too long for the
// schema, it becomes its plain text, cut.
func (im *importer) planDescription(p *catalogProduct) string {
	d := htmlsafe.Sanitize(p.desc)
	if len(d) <= planDescriptionMax {
		return d
	}
	im.report.note("plans", p.id, "description longer than %d bytes once sanitised: imported as plain text, cut", planDescriptionMax)
	plain := []rune(htmlsafe.Text(d))
	for len(plain) > 0 {
		if d = htmlsafe.FromText(string(plain)); len(d) <= planDescriptionMax {
			return d
		}
		plain = plain[:len(plain)*9/10]
	}
	return ""
}

// pricingPrices are the plan prices of one pricing row. A recurring
// product has one per enabled cycle (WHMCS disables a cycle with a price
// of -1.00) with that cycle's setup fee; a free or one-time product one
// inactive monthly price: zero, or the one-time price (WHMCS keeps it in
// the monthly column) and its setup fee.
func pricingPrices(paytype string, r pricingRow) (prices []planPrice, notes []string, err error) {
	disabled, _ := minor("-1", r.currency)
	amount := func(col, dec string) (value int64, enabled bool, err error) {
		v, err := minor(dec, r.currency)
		if err != nil {
			return 0, false, fmt.Errorf("%s %q: %w", col, dec, err)
		}
		if v < 0 {
			if v != disabled {
				notes = append(notes, fmt.Sprintf("%s %s is negative: cycle treated as disabled", col, dec))
			}
			return 0, false, nil
		}
		return v, true, nil
	}
	setupFee := func(i int) (int64, error) {
		v, err := minor(r.setup[i], r.currency)
		if err != nil {
			return 0, fmt.Errorf("%s %q: %w", pricingCycles[i].setup, r.setup[i], err)
		}
		if v < 0 {
			notes = append(notes, fmt.Sprintf("%s %s is negative: imported as no setup fee", pricingCycles[i].setup, r.setup[i]))
			return 0, nil
		}
		return v, nil
	}
	switch paytype {
	case "free":
		return []planPrice{{cycle: "monthly"}}, nil, nil
	case "onetime":
		v, ok, err := amount("monthly", r.prices[0])
		if err != nil || !ok {
			return nil, notes, err
		}
		setup, err := setupFee(0)
		if err != nil {
			return nil, notes, err
		}
		return []planPrice{{cycle: "monthly", amount: v, setup: setup}}, notes, nil
	}
	for i, pc := range pricingCycles {
		v, ok, err := amount(pc.price, r.prices[i])
		if err != nil {
			return nil, notes, err
		}
		if !ok {
			continue
		}
		setup, err := setupFee(i)
		if err != nil {
			return nil, notes, err
		}
		prices = append(prices, planPrice{cycle: pc.cycle, amount: v, setup: setup, active: true})
	}
	if len(prices) == 0 {
		notes = append(notes, fmt.Sprintf("no billing cycle enabled in %s", r.currency))
	}
	return prices, notes, nil
}

// retireStalePrices makes inactive the prices of product p imported by an
// earlier run that this run did not put: WHMCS disabled the cycle since.
func retireStalePrices(t *table, p *catalogProduct, seen map[string]bool) {
	prefix := fmt.Sprintf("%d/", p.id)
	for id, s := range t.byWHMCS {
		if !strings.HasPrefix(id, prefix) || seen[id] || s.values["active"] != "1" {
			continue
		}
		t.count.Read++
		amount, _ := strconv.ParseInt(s.values["amount"], 10, 64)
		setup, _ := strconv.ParseInt(s.values["setup_fee"], 10, 64)
		t.put(id, map[string]any{"plan": s.values["plan"], "currency": s.values["currency"], "cycle": s.values["cycle"],
			"amount": amount, "setup_fee": setup, "active": false})
	}
}

// paytypeName is how WHMCS shows a paytype.
func paytypeName(paytype string) string {
	if paytype == "onetime" {
		return "one-time"
	}
	return paytype
}
