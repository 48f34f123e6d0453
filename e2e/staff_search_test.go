//go:build e2e

package e2e

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/ezscale/ezscale/internal/seed"
	"github.com/ezscale/ezscale/internal/testutil"
)

// TestStaffSearch: staff find a customer by the IP address an abuse
// report names, through the header's search box and the keyboard alone,
// and open them; the results page shows who holds the address since
// when; the customer list filtered by service type and currency shows
// only the matching customer, downloads as CSV, and a bad filter shows
// the server's reason.
func TestStaffSearch(t *testing.T) {
	pf := startPlatform(t)
	customer, err := pf.App.FindAuthRecordByEmail("customers", seed.DemoCustomerEmail)
	if err != nil {
		t.Fatal(err)
	}
	currency := customer.GetString("currency")
	plan, err := pf.App.FindFirstRecordByFilter("plans", "service_type = 'vps'")
	if err != nil {
		t.Fatal(err)
	}
	testutil.Create(t, pf.App, "services", map[string]any{"customer": customer.Id, "plan": plan.Id, "service_type": "vps",
		"platform": plan.GetString("platform"), "status": "active", "label": "Abuse box", "ip_addresses": []string{"203.0.113.77"}})
	other := "EUR"
	if currency == "EUR" {
		other = "GBP"
	}
	testutil.Customer(t, pf.App, "eve@example.test", other)

	p := newPage(t, pf.URL)
	staffLogin(t, pf, p)

	// "/" focuses the box; the address finds its holder; ↓ Enter opens them.
	pressSlash(p)
	p.run("type the address", chromedp.KeyEvent("203.0.113.77"))
	p.waitFor("search-result-customers")
	p.waitFor("search-result-services")
	p.screenshot("60-staff-search-box")
	p.run("choose the customer", chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.Enter))
	p.poll("customer page", fmt.Sprintf(`location.pathname === '/staff/customers/%s'`, customer.Id))
	p.waitText(customer.GetString("name"))
	p.screenshot("61-staff-search-customer")

	// Escape closes the list.
	pressSlash(p)
	p.run("type a name", chromedp.KeyEvent("Dana"))
	p.waitFor("staff-search-results")
	p.run("escape", chromedp.KeyEvent(kb.Escape))
	p.poll("results closed", `!document.querySelector('[data-testid="staff-search-results"]')`)

	// The results page: every group, the address's holding.
	p.visit("/staff/search?q=203.0.113.77")
	p.waitFor("search-group-services")
	p.waitText("holds 203.0.113.77 since")
	p.screenshot("62-staff-search-page")

	// The customer list, filtered.
	p.visit("/staff/customers")
	p.waitFor("customer-row")
	p.fill("Service type", "vps")
	p.fill("Currency", currency)
	p.clickID("customer-search-submit")
	p.poll("filters in the URL", fmt.Sprintf(`location.search.includes('service_type=vps') && location.search.includes('currency=%s')`, currency))
	p.poll("one customer listed", `document.querySelectorAll('[data-testid="customer-row"]').length === 1`)
	if row := eval[string](p, "row", `document.querySelector('[data-testid="customer-row"]').innerText`); !strings.Contains(row, customer.GetString("name")) {
		t.Errorf("filtered row: %q", row)
	}
	p.screenshot("63-staff-customers-filtered")

	// Its CSV, as filtered.
	dir := t.TempDir()
	if _, err := chromedp.Call(p.ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir}); err != nil {
		t.Fatal(err)
	}
	p.clickID("customers-csv")
	lines := waitCSV(t, dir)
	if len(lines) != 2 || lines[0][0] != "customer_id" || lines[1][0] != customer.Id || !slices.Contains(lines[1], currency) {
		t.Errorf("CSV: %q", lines)
	}

	// A filter the server refuses shows its reason.
	p.visit("/staff/customers?currency=XYZ")
	p.waitText("is not a currency")
	p.screenshot("64-staff-customers-refused")
}

// pressSlash presses "/" on the page, as one keydown whose default action
// types the character (chromedp's KeyEvent sends a separate char event
// after it, which lands in the box the keydown just focused), and checks
// the box has the focus and nothing typed.
func pressSlash(p *page) {
	p.t.Helper()
	eval[bool](p, "press /", `document.body.dispatchEvent(new KeyboardEvent('keydown', {key: '/', bubbles: true, cancelable: true}))`)
	p.poll("search box focused", `document.activeElement?.id === 'staff-search' && document.activeElement.selectionStart === 0`)
}

// waitCSV waits for one finished .csv download in dir and parses it.
func waitCSV(t *testing.T, dir string) [][]string {
	t.Helper()
	for deadline := time.Now().Add(stepTimeout); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		files, _ := filepath.Glob(filepath.Join(dir, "*.csv"))
		if len(files) == 0 {
			continue
		}
		raw, err := os.ReadFile(files[0])
		if err != nil {
			t.Fatal(err)
		}
		lines, err := csv.NewReader(strings.NewReader(string(raw))).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", files[0], err)
		}
		return lines
	}
	t.Fatal("no CSV downloaded")
	return nil
}
