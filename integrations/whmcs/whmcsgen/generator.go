// Package whmcsgen generates a WHMCS 8 database of any size, in the schema
// of the shared fixture (whmcs-sample.sql) and with the same quirks: zero
// dates, HTML-escaped text, every status and billing cycle, negative
// discount lines, refunds pointing at their payment, split and partial
// payments, guest tickets, orphans, a few invoices whose total disagrees
// with their lines. It exists to measure the importer at a real hosting
// company's scale (ezscale bench whmcs); the data is deterministic for a
// seed, so two runs can be compared.
package whmcsgen

import (
	"context"
	"database/sql"
	_ "embed"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"
)

//go:embed schema.sql
var schema string

// Size is how many rows of each kind Generate writes. Users, contacts,
// orders and ticket replies follow from these.
type Size struct {
	Clients, Services, Invoices, Items, Transactions, Tickets int
}

var (
	// Large is a hosting company of some years: the import benchmark.
	Large = Size{Clients: 1000, Services: 3000, Invoices: 40000, Items: 90000, Transactions: 45000, Tickets: 2000}
	// Small is for tests: every quirk, in a second.
	Small = Size{Clients: 40, Services: 120, Invoices: 400, Items: 900, Transactions: 460, Tickets: 30}
)

// Password is the password of every generated login but one, the login
// left with WHMCS's old salted MD5 hash, whose password is LegacyPassword.
const (
	Password       = "ezbench-Password-1"
	LegacyPassword = "legacy-Md5-pass!"
)

// passwordHash is bcrypt (cost 10, WHMCS's $2y$ prefix) of Password, made
// once: hashing per user would take minutes, and a fixed hash keeps the
// output the same for a seed.
const passwordHash = "$2y$10$AVTUWIzxYj0bb5qWOEt.tOriOmdQATS7170K2SE06j1BzmFAU8ham"

// Now is the moment the data is built around: nothing happens after it.
var Now = time.Date(2025, 6, 30, 12, 0, 0, 0, time.UTC)

// Tables are the tables Generate creates, in the order it fills them.
var Tables = []string{"tblcurrencies", "tbltax", "tblproductgroups", "tblproducts", "tblpricing", "tblservers",
	"tblpromotions", "tblticketdepartments", "tblclients", "tblusers", "tblusers_clients", "tblcontacts", "tblhosting",
	"tblorders", "tblinvoices", "tblinvoiceitems", "tblaccounts", "tbltickets", "tblticketreplies"}

const (
	zeroDate     = "0000-00-00"
	zeroDateTime = "0000-00-00 00:00:00"
	// sequentialYear is when invoice numbering was switched on: invoices
	// paid before it have invoicenum ''.
	sequentialYear = 2022
	// userModelDay is WHMCS 8's upgrade: clients created before it still
	// have their password hash in tblclients.password.
	userModelDay = "2020-11-16"
)

// firstDay is when the business opened: nothing happens before it.
var firstDay = time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC)

// Generate creates the WHMCS tables in db, which must be an empty database
// opened with charset=utf8mb4, and fills them. It works on one connection
// of db, in WHMCS's non-strict SQL mode (zero dates), writing multi-row
// INSERTs of 500 rows in a transaction per step (catalog, clients,
// services, invoices, transactions, tickets); progress gets a line per
// table.
func Generate(ctx context.Context, db *sql.DB, size Size, seed int64, progress io.Writer) error {
	if err := size.check(); err != nil {
		return err
	}
	if progress == nil {
		progress = io.Discard
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close()
	var charset string
	if err := conn.QueryRowContext(ctx, "SELECT @@character_set_connection").Scan(&charset); err != nil {
		return fmt.Errorf("read the connection's character set: %w", err)
	}
	if charset != "utf8mb4" {
		return fmt.Errorf("the connection's character set is %s, so emoji would be lost: open the database with charset=utf8mb4", charset)
	}
	// The session's own settings are put back, since the connection
	// returns to the caller's pool.
	if _, err := conn.ExecContext(ctx, "SET @ezgen_mode = @@SESSION.sql_mode, @ezgen_tz = @@SESSION.time_zone, "+
		"SESSION sql_mode = '', SESSION time_zone = '+00:00'"); err != nil {
		return fmt.Errorf("set the session's SQL mode: %w", err)
	}
	defer func() {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "SET SESSION sql_mode = @ezgen_mode, SESSION time_zone = @ezgen_tz")
	}()

	for _, stmt := range strings.Split(schema, ";\n") {
		if strings.Contains(stmt, "CREATE TABLE") {
			if _, err := conn.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("create the WHMCS tables: %w", err)
			}
		}
	}
	g := &gen{size: size, r: rand.New(rand.NewPCG(uint64(seed), 0x77686d6373)), transids: map[string]bool{},
		w: &writer{ctx: ctx, out: progress, started: time.Now()}}
	for _, step := range []func() error{g.writeCatalog, g.writeClients, g.writeServices, g.writeInvoices,
		g.writeTransactions, g.writeTickets} {
		if g.w.tx, err = conn.BeginTx(ctx, nil); err != nil {
			return fmt.Errorf("begin a transaction: %w", err)
		}
		if err := step(); err != nil {
			_ = g.w.tx.Rollback()
			return err
		}
		if err := g.w.tx.Commit(); err != nil {
			return fmt.Errorf("commit: %w", err)
		}
	}
	return nil
}

// check refuses a size too small to hold every quirk.
func (s Size) check() error {
	switch {
	case s.Clients < 10 || s.Services < 10 || s.Invoices < 20 || s.Tickets < 1:
		return fmt.Errorf("size %+v: at least 10 clients, 10 services, 20 invoices and a ticket", s)
	case s.Items < s.Invoices:
		return fmt.Errorf("size %+v: every invoice has an item, so items must be at least invoices", s)
	}
	return nil
}

// gen holds what later tables need of earlier ones.
type gen struct {
	size     Size
	r        *rand.Rand
	w        *writer
	clients  []*client
	services []*service
	invoices []*invoice
	transids map[string]bool
}

// pick returns one of choices, each as likely as its weight.
func pick[T any](r *rand.Rand, choices []T, weight func(T) int) T {
	total := 0
	for _, c := range choices {
		total += weight(c)
	}
	n := r.IntN(total)
	for _, c := range choices {
		if n -= weight(c); n < 0 {
			return c
		}
	}
	return choices[len(choices)-1]
}

// weighted is a choice of oneOf and how often it is made.
type weighted struct {
	value  string
	weight int
}

// oneOf picks one of choices by weight.
func (g *gen) oneOf(choices ...weighted) string {
	return pick(g.r, choices, func(w weighted) int { return w.weight }).value
}

// chance is true percent times in a hundred.
func (g *gen) chance(percent float64) bool { return g.r.Float64()*100 < percent }

// between is a random moment in [from, to).
func (g *gen) between(from, to time.Time) time.Time {
	if !to.After(from) {
		return from
	}
	return from.Add(time.Duration(g.r.Int64N(int64(to.Sub(from)/time.Second))) * time.Second)
}

// within is a random moment in the days after t, never after Now.
func (g *gen) within(t time.Time, days int) time.Time {
	end := t.AddDate(0, 0, days)
	if end.After(Now) {
		end = Now
	}
	return g.between(t, end)
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// token is n random letters and digits.
func (g *gen) token(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alnum[g.r.IntN(len(alnum))]
	}
	return string(b)
}

// upperToken is n random upper-case letters and digits, as PayPal's ids.
func (g *gen) upperToken(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alnum[g.r.IntN(26)]
		if g.r.IntN(36) < 10 {
			b[i] = byte('0' + g.r.IntN(10))
		}
	}
	return string(b)
}

// ip is an address from the documentation ranges.
func (g *gen) ip() string {
	return fmt.Sprintf("%s.%d", []string{"192.0.2", "198.51.100", "203.0.113"}[g.r.IntN(3)], 1+g.r.IntN(254))
}

// uuid is a random (version 4) UUID, as tblclients.uuid holds.
func (g *gen) uuid() string {
	b := make([]byte, 16)
	for i := range b {
		b[i] = byte(g.r.UintN(256))
	}
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// secretBlob looks like a WHMCS-encrypted password but is random bytes.
func (g *gen) secretBlob() string {
	b := make([]byte, 24)
	for i := range b {
		b[i] = byte(g.r.UintN(256))
	}
	return base64.StdEncoding.EncodeToString(b)
}

// money is cents as a DECIMAL(16,2) literal.
func money(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%d.%02d", sign, cents/100, cents%100)
}

// percent is a rate in thousandths of a percent as DECIMAL(10,3).
func percent(rate int64) string { return fmt.Sprintf("%d.%03d", rate/1000, rate%1000) }

// rate is an exchange rate in hundred-thousandths as DECIMAL(10,5).
func rate(r int64) string { return fmt.Sprintf("%d.%05d", r/100000, r%100000) }

func day(t time.Time) string { return t.Format(time.DateOnly) }

func dateTime(t time.Time) string { return t.Format(time.DateTime) }

func slug(name string) string { return mailbox(strings.ReplaceAll(name, " ", "")) }

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
