package tax

import (
	"math"
	"slices"
	"testing"
)

func TestSummarize(t *testing.T) {
	std := Rate{Name: "MwSt 19%", Country: "DE", Rate: 19000}
	reduced := Rate{Name: "MwSt 7%", Country: "DE", Rate: 7000}
	vat := Rate{Name: "VAT 20%", Country: "GB", Rate: 20000}
	tva := Rate{Name: "TVA 20%", Country: "FR", Rate: 20000}
	lines := []TaxedLine{
		{std, LineTax{1000, 190, 1190}},
		{reduced, LineTax{333, 23, 356}},
		{Rate{}, LineTax{500, 0, 500}},
		{std, LineTax{-200, -38, -238}},
		{vat, LineTax{100, 20, 120}},
		{tva, LineTax{100, 20, 120}},
		{std, LineTax{5, 1, 6}},
	}
	want := []SummaryRow{
		{"MwSt 19%", 19000, 805, 153},
		{"MwSt 7%", 7000, 333, 23},
		{"", 0, 500, 0},
		{"VAT 20%", 20000, 100, 20},
		{"TVA 20%", 20000, 100, 20},
	}
	if got := Summarize(lines); !slices.Equal(got, want) {
		t.Errorf("Summarize = %+v, want %+v", got, want)
	}
	if got := Summarize(nil); len(got) != 0 {
		t.Errorf("Summarize(nil) = %+v, want no rows", got)
	}
}

// TestSummarizePerLineRounding documents why tax is rounded per line: 1000
// lines of 3.33 at 19 % carry 0.6327 of tax each, rounded to 0.63, so the
// invoice's tax is 630.00, while rounding the 3330.00 total once would give
// 632.70, a tax that no line shows and the lines would not add up to.
func TestSummarizePerLineRounding(t *testing.T) {
	r := Rate{Name: "MwSt 19%", Country: "DE", Rate: 19000}
	var lines []TaxedLine
	var wantTax, wantNet, wantGross int64
	for range 1000 {
		lt, err := Compute(333, r, true)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, TaxedLine{r, lt})
		wantTax += halfEven(333*19000, percent)
		wantNet += 333
		wantGross += lt.Gross
	}
	rows := Summarize(lines)
	if len(rows) != 1 {
		t.Fatalf("Summarize = %+v, want one row", rows)
	}
	row := rows[0]
	if row.Tax != wantTax || row.Net != wantNet || row.Net+row.Tax != wantGross {
		t.Errorf("Summarize = %+v, want net %d, tax %d (sum of the lines), gross %d", row, wantNet, wantTax, wantGross)
	}
	if once := halfEven(wantNet*19000, percent); row.Tax != 63000 || once != 63270 {
		t.Errorf("tax per line %d, rounded once %d; want 63000 and 63270", row.Tax, once)
	}
}

// TestSummarizeBalances checks that, whatever the lines, the summary adds up
// to exactly what the lines add up to, including ties and negative lines.
func TestSummarizeBalances(t *testing.T) {
	rates := []Rate{
		{Name: "A", Rate: 19000},
		{Name: "B", Rate: 8875, Inclusive: true},
		{Name: "C", Rate: 20000, Inclusive: true},
	}
	var lines []TaxedLine
	var net, tax int64
	for i := range int64(3000) {
		r := rates[i%3]
		lt, err := Compute(i*37-20000, r, true)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, TaxedLine{r, lt})
		net += lt.Net
		tax += lt.Tax
	}
	var sumNet, sumTax int64
	for _, row := range Summarize(lines) {
		sumNet += row.Net
		sumTax += row.Tax
	}
	if sumNet != net || sumTax != tax {
		t.Errorf("summary adds up to net %d, tax %d; lines to net %d, tax %d", sumNet, sumTax, net, tax)
	}
}

func TestFormatRate(t *testing.T) {
	tests := []struct {
		rate int64
		want string
	}{
		{20000, "20%"},
		{8875, "8.875%"},
		{0, "0%"},
		{5500, "5.5%"},
		{7700, "7.7%"},
		{21000, "21%"},
		{250, "0.25%"},
		{10, "0.01%"},
		{1, "0.001%"},
		{100000, "100%"},
		{-500, "-0.5%"},
		{math.MinInt64, "-9223372036854775.808%"},
	}
	for _, tt := range tests {
		if got := FormatRate(tt.rate); got != tt.want {
			t.Errorf("FormatRate(%d) = %q, want %q", tt.rate, got, tt.want)
		}
	}
}
