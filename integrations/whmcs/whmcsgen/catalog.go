package whmcsgen

import "fmt"

// The catalog is the same at every size: the fixture's currencies, tax
// rates, product groups, products, servers, promotions and departments, so
// that a generated database exercises the same mappings (one product per
// provisioning module, a retired one, a deleted one with its pricing left
// behind, a free and a one-time product, Quebec's second tax level).

// currency is a tblcurrencies row; rate converts USD prices into it, in
// hundred-thousandths (0.92000 = 92000).
type currency struct {
	id, format int
	code       string
	prefix     string
	rate       int64
}

var currencies = []currency{{1, 1, "USD", "$", 100000}, {2, 3, "EUR", "€", 92000}, {3, 1, "GBP", "£", 79000}}

// taxRate is a tbltax row; rate in thousandths of a percent (20.000 % = 20000).
type taxRate struct {
	level          int
	name           string
	state, country string
	rate           int64
}

var taxRates = []taxRate{
	{1, "VAT", "", "GB", 20000}, {1, "VAT", "", "DE", 19000}, {1, "VAT", "", "FR", 20000}, {1, "VAT", "", "NL", 21000},
	{1, "Sales Tax", "TX", "US", 8250}, {1, "GST", "", "CA", 5000}, {2, "QST", "Quebec", "CA", 9975}, {1, "GST", "", "AU", 10000},
}

// taxFor is the level 1 and level 2 rate of a client's country and state.
func taxFor(country, state string) (rate1, rate2 int64) {
	for _, t := range taxRates {
		if t.country != country || (t.state != "" && t.state != state) {
			continue
		}
		if t.level == 1 {
			rate1 = t.rate
		} else {
			rate2 = t.rate
		}
	}
	return rate1, rate2
}

// cycles are WHMCS's recurring billing cycles, in tblpricing's column order.
var cycles = []string{"Monthly", "Quarterly", "Semi-Annually", "Annually", "Biennially", "Triennially"}

// cycleMonths is the length of each of cycles.
var cycleMonths = []int{1, 3, 6, 12, 24, 36}

// product is a tblproducts row (deleted: only its pricing rows and services
// remain) with its USD prices per cycle in cents, -100 where the cycle is
// off (WHMCS's -1.00), and its setup fee for the first four cycles.
type product struct {
	id, gid          int
	kind, name, slug string
	paytype, module  string
	hidden, retired  bool
	deleted          bool
	options          []string
	prices           [6]int64
	setup            int64
	// weight is the share of services on the product.
	weight int
}

const off = -100

var products = []product{
	{id: 1, gid: 1, kind: "server", name: "VPS S1", paytype: "recurring", module: "virtfusion", options: []string{"1", "1", "1", "kvm"},
		prices: [6]int64{500, 1455, 2850, 5400, 10200, 14400}, weight: 24},
	{id: 2, gid: 1, kind: "server", name: "VPS Legacy 2019", paytype: "recurring", module: "virtfusion", hidden: true, retired: true,
		options: []string{"2", "1", "1", "kvm"}, prices: [6]int64{400, off, off, 4320, off, off}, weight: 3},
	{id: 3, gid: 2, kind: "other", name: "Minecraft 4GB", paytype: "recurring", module: "pterodactyl",
		options: []string{"4096", "0", "20480", "1", "3", "1"}, prices: [6]int64{800, 2328, 4560, 8640, off, off}, weight: 15},
	{id: 4, gid: 2, name: "Rust 8GB", paytype: "recurring", module: "pterodactyl", deleted: true,
		prices: [6]int64{1400, 4074, off, off, off, off}, weight: 1},
	{id: 5, gid: 3, kind: "server", name: "E3-1240v6 Bare Metal", paytype: "recurring", module: "synergycp",
		options: []string{"auto", "1", "ipmi"}, prices: [6]int64{8900, 25899, 50730, 96120, off, off}, setup: 4900, weight: 8},
	{id: 6, gid: 3, kind: "server", name: "Lifetime Colo Deal", paytype: "onetime", module: "synergycp",
		options: []string{"auto", "1", "ipmi"}, prices: [6]int64{49900, off, off, off, off, off}, weight: 2},
	{id: 7, gid: 4, kind: "hostingaccount", name: "Starter Web", paytype: "recurring", module: "enhance",
		options: []string{"0ece62d8-fcb3-43c7-aeb9-a40f067ef4e3", "default"}, prices: [6]int64{299, 870, 1704, 3229, 6100, 8611}, weight: 25},
	{id: 8, gid: 4, kind: "hostingaccount", name: "Business Web", paytype: "recurring", module: "enhance",
		options: []string{"8608622e-c318-46db-9722-69aac9396813", "default"}, prices: [6]int64{799, 2325, 4554, 8629, 16300, 23011}, weight: 15},
	{id: 9, gid: 4, kind: "hostingaccount", name: "Free Web", paytype: "free", module: "enhance",
		options: []string{"3bc88956-9c85-4a9d-95fd-993a66b64a32", "default"}, prices: [6]int64{off, off, off, off, off, off}, weight: 7},
}

// price converts a USD price in cents into a currency, as WHMCS's "update
// prices" does: rounded to the cent, -1.00 staying -1.00.
func price(usd int64, c currency) int64 {
	if usd == off {
		return off
	}
	return (usd*c.rate + 50000) / 100000
}

// servers are tblservers rows: one per module, Enhance with a disabled
// second node. Services of a module go to its first server.
var servers = []struct {
	name, ip, module, host string
	cost                   int64
	maxAccounts, disabled  int
}{
	{"Virtfusion node 01", "192.0.2.11", "virtfusion", "virtf-01.example.net", 4500, 200, 0},
	{"Pterodactyl node 01", "192.0.2.12", "pterodactyl", "ptero-01.example.net", 12900, 500, 0},
	{"Synergycp node 01", "192.0.2.13", "synergycp", "syner-01.example.net", 0, 0, 0},
	{"Enhance node 01", "192.0.2.14", "enhance", "enhan-01.example.net", 4500, 200, 0},
	{"Enhance node 02", "192.0.2.15", "enhance", "enhan-02.example.net", 12900, 500, 1},
}

// serverFor is the server id a module's services run on.
func serverFor(module string) int {
	for i, s := range servers {
		if s.module == module {
			return i + 1
		}
	}
	return 0
}

// writeCatalog writes the fixed tables.
func (g *gen) writeCatalog() error {
	t := g.w.table("tblcurrencies", "id", "code", "prefix", "suffix", "format", "rate", "default")
	for _, c := range currencies {
		t.add(c.id, c.code, c.prefix, " "+c.code, c.format, rate(c.rate), boolInt(c.id == 1))
	}
	if err := t.close(); err != nil {
		return err
	}

	t = g.w.table("tbltax", "id", "level", "name", "state", "country", "taxrate")
	for i, r := range taxRates {
		t.add(i+1, r.level, r.name, r.state, r.country, percent(r.rate))
	}
	if err := t.close(); err != nil {
		return err
	}

	t = g.w.table("tblproductgroups", "id", "name", "slug", "headline", "tagline", "orderfrmtpl", "disabledgateways",
		"hidden", "order", "created_at", "updated_at")
	groups := []struct{ name, slug, headline, tagline, created string }{
		{"VPS Cloud", "vps-cloud", "KVM virtual servers", "Spin up a VPS in seconds", zeroDateTime},
		{"Game Servers", "game-servers", "Low-latency game hosting", "Play with friends &amp; family", zeroDateTime},
		{"Dedicated Servers", "dedicated-servers", "Bare metal", "Single-tenant hardware", "2021-03-02 10:00:00"},
		{"Web Hosting", "web-hosting", "Managed web hosting", "Sites, mail &amp; SSL included", "2021-03-03 10:00:00"},
	}
	for i, gr := range groups {
		t.add(i+1, gr.name, gr.slug, gr.headline, gr.tagline, "", "", 0, i+1, gr.created, gr.created)
	}
	if err := t.close(); err != nil {
		return err
	}

	cols := []string{"id", "type", "gid", "name", "slug", "description", "hidden", "showdomainoptions", "welcomeemail",
		"stockcontrol", "qty", "proratabilling", "proratadate", "proratachargenextmonth", "paytype", "allowqty", "subdomain",
		"autosetup", "servertype", "servergroup"}
	for i := 1; i <= 24; i++ {
		cols = append(cols, fmt.Sprintf("configoption%d", i))
	}
	cols = append(cols, "recurringcycles", "autoterminatedays", "configoptionsupgrade", "billingcycleupgrade",
		"overagesenabled", "tax", "order", "retired", "is_featured", "color", "tagline", "short_description", "created_at", "updated_at")
	t = g.w.table("tblproducts", cols...)
	for _, p := range products {
		if p.deleted {
			continue
		}
		autosetup := "payment"
		if p.paytype == "free" {
			autosetup = "order"
		}
		created := zeroDateTime
		if p.id > 2 {
			created = fmt.Sprintf("2021-05-%02d 09:00:00", p.id+1)
		}
		row := []any{p.id, p.kind, p.gid, p.name, slug(p.name),
			"<ul><li>" + p.name + "</li><li>24/7 support &amp; monitoring</li></ul>", boolInt(p.hidden),
			boolInt(p.kind == "hostingaccount"), 0, 0, 0, 0, 0, 0, p.paytype, 0, "", autosetup, p.module, 0}
		for i := range 24 {
			opt := ""
			if i < len(p.options) {
				opt = p.options[i]
			}
			row = append(row, opt)
		}
		row = append(row, 0, 0, 0, "", "", boolInt(p.paytype != "free"), p.id, boolInt(p.retired), boolInt(p.id == 1),
			"", "", "", created, "2024-01-15 08:30:00")
		t.add(row...)
	}
	if err := t.close(); err != nil {
		return err
	}

	t = g.w.table("tblpricing", "id", "type", "currency", "relid", "msetupfee", "qsetupfee", "ssetupfee", "asetupfee",
		"bsetupfee", "tsetupfee", "monthly", "quarterly", "semiannually", "annually", "biennially", "triennially")
	id := 0
	for _, p := range products {
		for _, c := range currencies {
			id++
			setup := price(p.setup, c)
			row := []any{id, "product", c.id, p.id, money(setup), money(setup), money(setup), money(setup), "0.00", "0.00"}
			for _, usd := range p.prices {
				row = append(row, money(price(usd, c)))
			}
			t.add(row...)
		}
	}
	if err := t.close(); err != nil {
		return err
	}

	t = g.w.table("tblservers", "id", "name", "ipaddress", "assignedips", "hostname", "monthlycost", "noc", "statusaddress",
		"nameserver1", "nameserver1ip", "nameserver2", "nameserver2ip", "maxaccounts", "type", "username", "password",
		"accesshash", "secure", "port", "active", "disabled")
	for i, s := range servers {
		var port any = 443
		if i == 0 {
			port = nil
		}
		t.add(i+1, s.name, s.ip, "", s.host, money(s.cost), "Fixture DC", "", "ns1.example.net", "198.51.100.53",
			"ns2.example.net", "198.51.100.54", s.maxAccounts, s.module, "api", g.token(32), "FAKE-TOKEN-"+g.token(24), "on",
			port, 1-s.disabled, s.disabled)
	}
	if err := t.close(); err != nil {
		return err
	}

	t = g.w.table("tblpromotions", "id", "code", "type", "recurring", "value", "cycles", "appliesto", "requires",
		"requiresexisting", "startdate", "expirationdate", "maxuses", "uses", "lifetimepromo", "applyonce", "newsignups",
		"existingclient", "onceperclient", "recurfor", "upgrades", "upgradeconfig", "notes")
	const upgrade = `a:4:{s:5:"value";s:4:"0.00";s:4:"type";s:0:"";s:12:"discounttype";s:10:"Percentage";s:13:"configoptions";s:0:"";}`
	promos := []struct {
		code, kind string
		recurring  any
		value      int64
		cycles, to string
		start      string
		expires    any
		maxUses    int
		notes      string
	}{
		{"WELCOME10", "Percentage", 1, 1000, "Monthly", "1,2,7,9", "2024-06-30", "2025-01-18", 0, ""},
		{"SPRING25", "Fixed Amount", 0, 100, "", "5,7", "2019-01-13", nil, 50, "Campaign &quot;SPRING25&quot; &ndash; internal"},
		{"VPSHALF", "Price Override", nil, 199, "Monthly,Annually", "2", "2021-03-04", nil, 0, ""},
		{"GAMER5", "Free Setup", 0, 0, "Monthly", "3", "2018-12-12", zeroDate, 0, "Campaign &quot;GAMER5&quot; &ndash; internal"},
		{"BAREMETAL50", "Percentage", 1, 1500, "Monthly,Annually", "5", "2021-07-09", "2021-08-03", 50, ""},
		{"FREESETUP", "Fixed Amount", 0, 1000, "", "2,5,7,8", "2021-06-30", zeroDate, 50, ""},
		{"LOYAL15", "Price Override", 0, 199, "", "6", "2024-04-08", "2026-04-03", 0, ""},
		{"BLACKFRIDAY", "Free Setup", 0, 0, "Monthly,Annually", "1,8", "2020-11-13", "2020-12-28", 100, ""},
		{"STUDENT20", "Percentage", 1, 1500, "", "7,8,9", "2019-04-04", "2022-05-29", 50, ""},
		{"MIGRATE3", "Fixed Amount", 0, 100, "", "5", "2020-05-07", zeroDate, 0, "Campaign &quot;MIGRATE3&quot; &ndash; internal"},
	}
	for i, p := range promos {
		t.add(i+1, p.code, p.kind, p.recurring, money(p.value), p.cycles, p.to, "", 0, p.start, p.expires, p.maxUses,
			g.r.IntN(40), boolInt(i%4 == 0), 0, boolInt(i%3 == 2), 0, 0, 0, 0, upgrade, p.notes)
	}
	if err := t.close(); err != nil {
		return err
	}

	t = g.w.table("tblticketdepartments", "id", "name", "description", "email", "clientsonly", "piperepliesonly",
		"noautoresponder", "hidden", "order", "host", "port", "login", "password", "mail_auth_config", "feedback_request",
		"prevent_client_closure")
	t.add(1, "General Support", "Technical questions", "support@example.com", "", "", "", "", 1, "", "", "", "", nil, 0, 0)
	t.add(2, "Billing &amp; Accounts", "Invoices, refunds &amp; payments", "billing@example.com", "", "", "", "", 2, "", "", "", "", nil, 0, 0)
	t.add(3, "Abuse", "Report abuse", "abuse@example.com", "on", "", "", "on", 3, "", "", "", "", nil, 0, 0)
	return t.close()
}
