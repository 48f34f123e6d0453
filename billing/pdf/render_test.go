package pdf

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/signintech/gopdf"
	"github.com/signintech/gopdf/fontmaker/core"

	"github.com/ezscale/ezscale/billing/money"
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

var descriptions = []string{
	"Managed VPS “Zürich-2” — 4 vCPU, 8 GB RAM, 160 GB NVMe",
	"Object storage, Frankfurt (500 GB, first 100 GB included)",
	"Domain renewal: müller-łukasiewicz.pl",
	"Priority support plan (24/7, 15-minute response) for all services in the account, including weekend emergency call-outs and quarterly architecture reviews",
	"Additional IPv4 address",
	"Backup add-on, billed in £ for the UK tenant: converted at the contract rate",
	"Bandwidth overage (1.2 TB above the included 5 TB)",
	"Dedicated server “Łódź-1” — AMD EPYC, 128 GB ECC",
	"Setup fee, one-off",
	"SSL certificate, wildcard *.example.com",
}

// sampleInvoice is a paid, reverse-charged EUR invoice with n lines, to a
// buyer whose name needs more than Latin-1.
func sampleInvoice(n int) Document {
	d := Document{
		Kind:     "invoice",
		Number:   "INV-2026-000042",
		Status:   "paid",
		IssuedAt: date(2027, time.January, 1),
		DueAt:    date(2027, time.January, 15),
		PaidAt:   date(2027, time.January, 3),
		Currency: "EUR",
		Seller: Party{
			Company:      "EZSCALE Ltd",
			AddressLines: []string{"71–75 Shelton Street", "London WC2H 9JQ"},
			Country:      "United Kingdom",
			VATID:        "GB123456789",
			Registration: "Company no. 12345678 (England and Wales)",
			Email:        "billing@ezscale.example",
		},
		Buyer: Party{
			Name:         "Zoë Müller-Łukasiewicz",
			Company:      "Müller-Łukasiewicz Software sp. z o.o.",
			AddressLines: []string{"ul. Piotrkowska 104/3", "90-006 Łódź"},
			Country:      "Poland",
			VATID:        "PL5260001246",
			Email:        "zoe@müller-łukasiewicz.pl",
		},
		ReverseCharge: true,
		Notes:         "Thank you for your business, Zoë! Prices include the 5 % loyalty discount agreed on 12 Nov 2026.",
		BankDetails:   "IBAN GB33 BUKB 2020 1555 5555 55 · BIC BUKBGB22 · Please quote INV-2026-000042",
	}
	for i := range n {
		qty := int64(i%3 + 1)
		unit := int64(1250 + 7919*i%50000)
		d.Lines = append(d.Lines, Line{
			Description:  descriptions[i%len(descriptions)],
			Quantity:     qty,
			UnitAmount:   unit,
			Amount:       qty * unit,
			TaxRateLabel: "0% RC",
			PeriodStart:  date(2026, time.December, 1),
			PeriodEnd:    date(2026, time.December, 31),
		})
		d.Subtotal += qty * unit
	}
	d.DiscountTotal = d.Subtotal / 20
	net := d.Subtotal - d.DiscountTotal
	d.TaxSummary = []TaxRow{{Label: "VAT 0% (reverse charge)", Net: net}}
	d.Total = net
	d.CreditApplied = 1000
	d.AmountPaid = net - d.CreditApplied
	return d
}

// glyphRunes maps glyph ids back to characters for each embedded font, in
// the order render registers them: gopdf writes text as glyph ids.
var glyphRunes = sync.OnceValues(func() ([]map[uint]rune, error) {
	var maps []map[uint]rune
	for _, file := range []string{"fonts/DejaVuSans.ttf", "fonts/DejaVuSans-Bold.ttf"} {
		data, err := fontFiles.ReadFile(file)
		if err != nil {
			return nil, err
		}
		var p core.TTFParser
		if err := p.ParseFontData(data); err != nil {
			return nil, err
		}
		m := map[uint]rune{}
		for c, g := range p.Chars() {
			if old, ok := m[g]; !ok || rune(c) < old {
				m[g] = rune(c)
			}
		}
		maps = append(maps, m)
	}
	return maps, nil
})

// textOp matches a font selection or a text cell in gopdf's content streams.
var textOp = regexp.MustCompile(`/F(\d+) \S+ Tf|\[<([0-9A-F]*)>\] TJ`)

var pageObject = regexp.MustCompile(`/Type /Page\s`)

// renderText renders d uncompressed and returns its text in drawing order,
// with all whitespace, line breaks included, collapsed to single spaces so
// that a search does not depend on where lines wrap.
func renderText(t *testing.T, d Document) (text string, pages int) {
	t.Helper()
	out, err := render(d, false)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(out, []byte("%PDF-")) {
		t.Fatalf("output starts with %q, want %%PDF-", out[:min(len(out), 8)])
	}
	fonts, err := glyphRunes()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	font := 0
	for _, m := range textOp.FindAllSubmatch(out, -1) {
		if m[1] != nil {
			font, _ = strconv.Atoi(string(m[1]))
			continue
		}
		for hex := m[2]; len(hex) >= 4; hex = hex[4:] {
			g, _ := strconv.ParseUint(string(hex[:4]), 16, 16)
			b.WriteRune(fonts[font-1][uint(g)])
		}
		b.WriteByte(' ')
	}
	return strings.Join(strings.Fields(b.String()), " "), len(pageObject.FindAll(out, -1))
}

func TestRenderInvoice(t *testing.T) {
	d := sampleInvoice(10)
	text, pages := renderText(t, d)
	if pages != 1 {
		t.Errorf("10-line invoice has %d pages, want 1", pages)
	}
	total := formatMoney(d.Total, money.Currency{Code: "EUR", Exponent: 2})
	for _, s := range []string{
		"INVOICE", "INV-2026-000042", "EZSCALE Ltd", "VAT ID: GB123456789",
		"Zoë Müller-Łukasiewicz", "90-006 Łódź", "Managed VPS “Zürich-2”", "£ for the UK tenant",
		"1 Dec 2026 – 31 Dec 2026", "3 Jan 2027", total, "Amount due", "€0.00",
		"VAT 0% (reverse charge) on " + total, "Credit applied", "−€10.00",
		"PAID", "Page 1 of 1", "IBAN GB33", "Thank you for your business, Zoë!",
	} {
		if !strings.Contains(text, s) {
			t.Errorf("text %q not found in %s", s, text)
		}
	}

	t.Run("pdftotext", func(t *testing.T) {
		bin, err := exec.LookPath("pdftotext")
		if err != nil {
			t.Skip("pdftotext not installed")
		}
		compressed, err := Render(d)
		if err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(t.TempDir(), "invoice.pdf")
		if err := os.WriteFile(file, compressed, 0o600); err != nil {
			t.Fatal(err)
		}
		text, err := exec.Command(bin, file, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{"INVOICE", "Zoë Müller-Łukasiewicz", "Łódź", "£", total, "Page 1 of 1"} {
			if !strings.Contains(string(text), s) {
				t.Errorf("pdftotext output lacks %q:\n%s", s, text)
			}
		}
	})
}

func TestRenderManyLinesBreaksPages(t *testing.T) {
	d := sampleInvoice(120)
	d.Lines[119].Description = "The last line"
	text, pages := renderText(t, d)
	if pages < 3 {
		t.Fatalf("120-line invoice has %d pages, want at least 3", pages)
	}
	for n := 1; n <= pages; n++ {
		if s := fmt.Sprintf("Page %d of %d", n, pages); strings.Count(text, s) != 1 {
			t.Errorf("footer %q not found once", s)
		}
	}
	// The table header is repeated on every page the table runs onto; the
	// totals may start a page of their own.
	if n := strings.Count(text, "DESCRIPTION"); n < pages-1 || n > pages {
		t.Errorf("table header printed %d times on %d pages", n, pages)
	}
	if strings.Count(text, "The last line") != 1 || strings.Count(text, "Amount due") != 1 {
		t.Error("last line or totals missing")
	}
}

func TestRenderBreaksDescriptionTallerThanPage(t *testing.T) {
	d := sampleInvoice(1)
	d.Lines[0].Description = strings.Repeat("Very long description without end ", 400) + "THE-END"
	text, pages := renderText(t, d)
	if pages < 2 {
		t.Errorf("got %d pages, want the description to continue on a second", pages)
	}
	if strings.Count(text, "description") != 400 || !strings.Contains(text, "THE-END") {
		t.Error("part of the description lost")
	}
}

// TestRenderKeepsTextOffTheFooter renders invoices whose totals and notes
// land at every height of a page, and checks that every line of text other
// than the footer's sits above the content bottom.
func TestRenderKeepsTextOffTheFooter(t *testing.T) {
	baseline := regexp.MustCompile(`BT\n[\d.]+ ([\d.]+) TD`)
	for n := range 40 {
		for _, notes := range []string{"", "A short note.", strings.Repeat("A long note that wraps. ", 60)} {
			d := sampleInvoice(n)
			d.Notes = notes
			out, err := render(d, false)
			if err != nil {
				t.Fatal(err)
			}
			footer := -1.0
			for _, m := range baseline.FindAllSubmatch(out, -1) {
				// PDF measures y up from the bottom of the page.
				y, _ := strconv.ParseFloat(string(m[1]), 64)
				if y >= pageH-contentBottom {
					continue
				}
				if footer < 0 {
					footer = y
				}
				if y != footer {
					t.Fatalf("%d lines, %d-byte notes: text at y=%.2f, below the content and off the footer line y=%.2f", n, len(notes), y, footer)
				}
			}
		}
	}
}

func TestFormatMoney(t *testing.T) {
	for _, tc := range []struct {
		minor    int64
		currency string
		want     string
	}{
		{1234, "EUR", "€12.34"},
		{-5, "EUR", "−€0.05"},
		{0, "USD", "$0.00"},
		{123456789, "GBP", "£1,234,567.89"},
		{100, "CHF", "1.00 CHF"},
		{0, "JPY", "0 JPY"},
		{1234, "JPY", "1,234 JPY"},
		{-1000000, "JPY", "−1,000,000 JPY"},
		{1, "KWD", "0.001 KWD"},
		{1234, "KWD", "1.234 KWD"},
		{1234567, "KWD", "1,234.567 KWD"},
		{-1000, "KWD", "−1.000 KWD"},
		{math.MinInt64, "EUR", "−€92,233,720,368,547,758.08"},
	} {
		cur, err := money.LookupCurrency(tc.currency)
		if err != nil {
			t.Fatal(err)
		}
		if got := formatMoney(tc.minor, cur); got != tc.want {
			t.Errorf("formatMoney(%d, %s) = %q, want %q", tc.minor, tc.currency, got, tc.want)
		}
	}
}

func TestRenderCreditNote(t *testing.T) {
	d := sampleInvoice(2)
	d.Kind, d.Number, d.Status = "credit_note", "CN-2026-000007", "open"
	d.DueAt, d.PaidAt, d.AmountPaid, d.CreditApplied = time.Time{}, time.Time{}, 0, 0
	d.References = "Credit note for invoice INV-2026-000042"
	text, _ := renderText(t, d)
	for _, s := range []string{"CREDIT NOTE", "Credit note number CN-2026-000007", "Total credit", d.References} {
		if !strings.Contains(text, s) {
			t.Errorf("text %q not found in %s", s, text)
		}
	}
	for _, s := range []string{"INVOICE", "Amount due", "PAID"} {
		if strings.Contains(text, s) {
			t.Errorf("credit note shows %q", s)
		}
	}
}

func TestRenderProforma(t *testing.T) {
	d := sampleInvoice(1)
	d.Number, d.ProformaNumber, d.Status, d.PaidAt = "", "PF-2026-000003", "open", time.Time{}
	text, _ := renderText(t, d)
	for _, s := range []string{"PROFORMA INVOICE", "Proforma number PF-2026-000003", "Due by 15 Jan 2027"} {
		if !strings.Contains(text, s) {
			t.Errorf("text %q not found in %s", s, text)
		}
	}
}

func TestRenderReverseCharge(t *testing.T) {
	d := sampleInvoice(1)
	if text, _ := renderText(t, d); strings.Count(text, reverseChargeNote) != 1 {
		t.Errorf("reverse-charge note missing from %s", text)
	}
	d.ReverseCharge = false
	if text, _ := renderText(t, d); strings.Contains(text, "reverse charge:") {
		t.Error("reverse-charge note printed on a normal invoice")
	}
}

func TestRenderStamps(t *testing.T) {
	for status, want := range map[string]string{"paid": "PAID", "void": "VOID", "refunded": "REFUNDED", "draft": "DRAFT", "open": ""} {
		d := sampleInvoice(1)
		d.Status = status
		text, _ := renderText(t, d)
		for _, s := range []string{"PAID", "VOID", "REFUNDED", "DRAFT"} {
			wantN := 0
			if s == want {
				wantN = 1
			}
			if got := strings.Count(text, s); got != wantN {
				t.Errorf("status %s: %q printed %d times, want %d", status, s, got, wantN)
			}
		}
	}
}

func TestRenderRejectsWhatItCannotPrint(t *testing.T) {
	for name, edit := range map[string]func(*Document){
		"currency": func(d *Document) { d.Currency = "eur" },
		"kind":     func(d *Document) { d.Kind = "receipt" },
		"status":   func(d *Document) { d.Status = "Paid" },
	} {
		d := sampleInvoice(1)
		edit(&d)
		if _, err := Render(d); err == nil {
			t.Errorf("bad %s accepted", name)
		}
	}
}

// TestRenderConcurrently shares the parsed fonts between goroutines; run
// with -race.
func TestRenderConcurrently(t *testing.T) {
	want, err := Render(sampleInvoice(10))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			got, err := Render(sampleInvoice(10))
			if err != nil {
				t.Error(err)
			} else if !bytes.Equal(got, want) {
				t.Error("same document rendered to different bytes")
			}
		})
	}
	wg.Wait()
}

// TestWriteSamples writes sample PDFs for a look at the layout:
// PDF_SAMPLE_DIR=/tmp/pdfcheck go test -run WriteSamples ./billing/pdf/
func TestWriteSamples(t *testing.T) {
	dir := os.Getenv("PDF_SAMPLE_DIR")
	if dir == "" {
		t.Skip("PDF_SAMPLE_DIR not set")
	}
	credit := sampleInvoice(3)
	credit.Kind, credit.Number, credit.Status, credit.ReverseCharge = "credit_note", "CN-2026-000007", "refunded", false
	credit.DueAt, credit.PaidAt, credit.AmountPaid, credit.CreditApplied = time.Time{}, time.Time{}, 0, 0
	credit.AmountRefunded = credit.Total
	credit.References = "Credit note for invoice INV-2026-000042"
	void := sampleInvoice(4)
	void.Status, void.Currency, void.PaidAt, void.AmountPaid = "void", "KWD", time.Time{}, 0
	void.AmountDue = void.Total - void.CreditApplied
	// stress has the widest figures and longest texts a column can get.
	stress := sampleInvoice(3)
	stress.Number, stress.ProformaNumber, stress.Status, stress.Currency = "", "PF-2026-000003", "draft", "JPY"
	stress.PaidAt, stress.ReverseCharge, stress.AmountPaid, stress.CreditApplied = time.Time{}, false, 0, 0
	stress.Buyer.Company = "Internationale Gesellschaft für Rechenzentrumsdienstleistungen und Hochverfügbarkeitssysteme mbH"
	stress.Lines[0].Description = "Überlange-Produktbezeichnung-ohne-Leerzeichen-die-umbrochen-werden-muss-weil-sie-nicht-passt"
	stress.Lines[1].Quantity, stress.Lines[1].UnitAmount, stress.Lines[1].Amount = 1234567, 98765432, 121932621112635
	stress.Lines[2].TaxRateLabel = "19% DE standard rate"
	stress.TaxSummary = []TaxRow{{"MwSt. 19%", 121932621112635, 23167198011400}, {"MwSt. 7% (ermäßigt)", 1000, 70}}
	stress.Subtotal, stress.Total = 121932621113635, 145099819125105
	stress.AmountDue = stress.Total
	stress.Notes = strings.Repeat("Payment terms: 14 days net. Late payments accrue statutory interest. ", 12) + "\n\nSecond paragraph after a blank line."
	for name, d := range map[string]Document{
		"invoice": sampleInvoice(10), "multipage": sampleInvoice(120), "credit": credit, "void-kwd": void, "stress": stress,
	} {
		out, err := Render(d)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".pdf"), out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func BenchmarkRender10Lines(b *testing.B) {
	d := sampleInvoice(10)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Render(d); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pdfs/s")
}

// BenchmarkParseFonts is what every render would pay without parsedFonts.
func BenchmarkParseFonts(b *testing.B) {
	regularTTF, _ := fontFiles.ReadFile("fonts/DejaVuSans.ttf")
	boldTTF, _ := fontFiles.ReadFile("fonts/DejaVuSans-Bold.ttf")
	b.ReportAllocs()
	for b.Loop() {
		var fc gopdf.FontContainer
		if err := fc.AddTTFFontData(regular, regularTTF); err != nil {
			b.Fatal(err)
		}
		if err := fc.AddTTFFontData(bold, boldTTF); err != nil {
			b.Fatal(err)
		}
	}
}
