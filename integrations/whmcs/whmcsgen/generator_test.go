package whmcsgen

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/ezscale/ezscale/internal/mariadbtest"
)

// TestGenerateSmall generates the small size and checks the counts asked
// for, the invariants the importer relies on and the quirks it must meet.
func TestGenerateSmall(t *testing.T) {
	server := mariadbtest.Start(t)
	server.CreateDatabase(t, "gen_a")
	db := server.Open(t, "gen_a")
	var log strings.Builder
	if err := Generate(context.Background(), db, Small, 7, &log); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + log.String())

	tests := []struct {
		name  string
		query string
		want  int
	}{
		{"clients", "SELECT COUNT(*) FROM tblclients", Small.Clients},
		{"services", "SELECT COUNT(*) FROM tblhosting", Small.Services},
		{"invoices", "SELECT COUNT(*) FROM tblinvoices", Small.Invoices},
		{"items", "SELECT COUNT(*) FROM tblinvoiceitems", Small.Items},
		{"transactions", "SELECT COUNT(*) FROM tblaccounts", Small.Transactions},
		{"tickets", "SELECT COUNT(*) FROM tbltickets", Small.Tickets},
		{"every invoice status", "SELECT COUNT(DISTINCT status) FROM tblinvoices", 7},
		{"every billing cycle", "SELECT COUNT(DISTINCT billingcycle) FROM tblhosting", 8},
		{"every service status", "SELECT COUNT(DISTINCT domainstatus) FROM tblhosting", 7},
		{"subtotal is the sum of the items",
			`SELECT COUNT(*) FROM tblinvoices i WHERE subtotal <> (SELECT SUM(amount) FROM tblinvoiceitems WHERE invoiceid = i.id)`, 0},
		{"total = subtotal + tax + tax2 - credit but for the mismatches",
			"SELECT COUNT(*) FROM tblinvoices WHERE total <> subtotal + tax + tax2 - credit", 3},
		{"paid invoices are paid in full",
			`SELECT COUNT(*) FROM tblinvoices i WHERE status = 'Paid' AND total <>
			 (SELECT COALESCE(SUM(amountin), 0) FROM tblaccounts WHERE invoiceid = i.id)`, 0},
		{"refunded invoices are refunded in full",
			`SELECT COUNT(*) FROM tblinvoices i WHERE status = 'Refunded' AND total <>
			 (SELECT COALESCE(SUM(amountout), 0) FROM tblaccounts WHERE invoiceid = i.id)`, 0},
		{"refunds point at an earlier payment of the same invoice",
			`SELECT COUNT(*) FROM tblaccounts r LEFT JOIN tblaccounts p ON p.id = r.refundid
			 WHERE r.amountout > 0 AND (p.id IS NULL OR p.id > r.id OR p.invoiceid <> r.invoiceid OR p.amountin < r.amountout)`, 0},
		{"transaction ids are unique", "SELECT COUNT(*) - COUNT(DISTINCT gateway, transid) FROM tblaccounts", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := count(t, db, tt.query); got != tt.want {
				t.Errorf("%s = %d, want %d", tt.query, got, tt.want)
			}
		})
	}

	quirks := []struct {
		name  string
		query string
	}{
		{"zero dates", "SELECT COUNT(*) FROM tblclients WHERE datecreated = '0000-00-00'"},
		{"NULL next due date", "SELECT COUNT(*) FROM tblhosting WHERE nextduedate IS NULL"},
		{"HTML-escaped names", "SELECT COUNT(*) FROM tblclients WHERE lastname LIKE '%&#039;%' OR companyname LIKE '%&amp;%'"},
		{"negative discount lines", "SELECT COUNT(*) FROM tblinvoiceitems WHERE amount < 0 AND type IN ('PromoHosting', 'GroupDiscount')"},
		{"partial refunds of paid invoices", `SELECT COUNT(*) FROM tblaccounts a JOIN tblinvoices i ON i.id = a.invoiceid
			WHERE a.amountout > 0 AND i.status = 'Paid'`},
		{"split payments", "SELECT COUNT(*) FROM (SELECT invoiceid FROM tblaccounts WHERE amountin > 0 AND invoiceid > 0 GROUP BY invoiceid HAVING COUNT(*) > 1) s"},
		{"partly paid unpaid invoices", `SELECT COUNT(*) FROM tblinvoices i WHERE status = 'Unpaid'
			AND EXISTS (SELECT 1 FROM tblaccounts WHERE invoiceid = i.id)`},
		{"paid from credit", "SELECT COUNT(*) FROM tblinvoices WHERE status = 'Paid' AND total = 0 AND credit > 0"},
		{"unmatched deposits", "SELECT COUNT(*) FROM tblaccounts WHERE userid = 0 AND currency > 0"},
		{"payments of deleted invoices", "SELECT COUNT(*) FROM tblaccounts a WHERE invoiceid > 0 AND NOT EXISTS (SELECT 1 FROM tblinvoices WHERE id = a.invoiceid)"},
		{"invoices of deleted clients", "SELECT COUNT(*) FROM tblinvoices i WHERE NOT EXISTS (SELECT 1 FROM tblclients WHERE id = i.userid)"},
		{"items of deleted services", "SELECT COUNT(*) FROM tblinvoiceitems t WHERE type = 'Hosting' AND NOT EXISTS (SELECT 1 FROM tblhosting WHERE id = t.relid)"},
		{"services of the deleted product", "SELECT COUNT(*) FROM tblhosting h WHERE NOT EXISTS (SELECT 1 FROM tblproducts WHERE id = h.packageid)"},
		{"services on a missing server", "SELECT COUNT(*) FROM tblhosting WHERE server = 99"},
		{"guest tickets", "SELECT COUNT(*) FROM tbltickets WHERE userid = 0 AND email <> ''"},
		{"emoji", "SELECT COUNT(*) FROM tbltickets WHERE title LIKE '%🚀%' OR message LIKE '%👋%'"},
		{"staff replies", "SELECT COUNT(*) FROM tblticketreplies WHERE userid = 0 AND admin <> ''"},
		{"addresses differing only in case", "SELECT COUNT(*) FROM tblclients a JOIN tblclients b ON a.id < b.id AND LOWER(a.email) = LOWER(b.email)"},
		{"invited team members", "SELECT COUNT(*) FROM tblusers_clients WHERE owner = 0"},
		{"a 250-character company", "SELECT COUNT(*) FROM tblclients WHERE CHAR_LENGTH(companyname) = 250"},
	}
	for _, q := range quirks {
		t.Run(q.name, func(t *testing.T) {
			if count(t, db, q.query) == 0 {
				t.Errorf("none: %s", q.query)
			}
		})
	}

	t.Run("passwords", func(t *testing.T) {
		var hash string
		if err := db.QueryRow("SELECT password FROM tblusers WHERE id = 1").Scan(&hash); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(hash, "$2y$10$") {
			t.Errorf("hash %q is not WHMCS's bcrypt", hash)
		}
		if err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(Password)); err != nil {
			t.Errorf("the hash is not of Password: %v", err)
		}
	})

	// The same seed gives the same database, table for table.
	t.Run("deterministic", func(t *testing.T) {
		server.CreateDatabase(t, "gen_b")
		other := server.Open(t, "gen_b")
		if err := Generate(context.Background(), other, Small, 7, nil); err != nil {
			t.Fatal(err)
		}
		for _, table := range Tables {
			if a, b := checksum(t, db, table), checksum(t, other, table); a != b {
				t.Errorf("%s differs between two runs with one seed", table)
			}
		}
	})

	t.Run("refuses a database that is not empty", func(t *testing.T) {
		if err := Generate(context.Background(), db, Small, 7, nil); err == nil || !strings.Contains(err.Error(), "already exists") {
			t.Errorf("err = %v, want the table exists", err)
		}
	})
}

func TestSizeCheck(t *testing.T) {
	tests := []struct {
		name string
		size Size
		ok   bool
	}{
		{"small", Small, true},
		{"large", Large, true},
		{"fewer items than invoices", Size{Clients: 10, Services: 10, Invoices: 100, Items: 99, Transactions: 100, Tickets: 1}, false},
		{"no clients", Size{Services: 10, Invoices: 100, Items: 200, Transactions: 100, Tickets: 1}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.size.check(); (err == nil) != tt.ok {
				t.Errorf("check() = %v, want ok %v", err, tt.ok)
			}
		})
	}
}

func count(t *testing.T, db *sql.DB, query string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func checksum(t *testing.T, db *sql.DB, table string) int64 {
	t.Helper()
	var name string
	var sum int64
	if err := db.QueryRow("CHECKSUM TABLE `"+table+"`").Scan(&name, &sum); err != nil {
		t.Fatal(err)
	}
	return sum
}
