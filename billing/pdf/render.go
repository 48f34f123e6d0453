package pdf

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/signintech/gopdf"

	"github.com/ezscale/ezscale/billing/money"
)

// A4 geometry in points, top-left origin as gopdf measures it.
const (
	pageW     = 595.0
	pageH     = 842.0
	marginX   = 48.0
	marginTop = 44.0
	right     = pageW - marginX
	contentW  = right - marginX
	// footerY is the rule above the footer; content stops well above it.
	footerY       = pageH - 36
	contentBottom = footerY - 12

	// blockW is the width of the seller and buyer blocks on the left and
	// of the title and summary blocks on the right.
	blockW  = 240.0
	totalsW = 260.0

	// bodySize is the type size of running text; lineH its leading.
	bodySize   = 8.5
	lineH      = 11.0
	periodH    = 10.0
	cellPad    = 6.0
	rowPad     = 4.5
	tableHeadH = 20.0
)

type rgb struct{ r, g, b uint8 }

var (
	ink    = rgb{17, 24, 39}
	body   = rgb{55, 65, 81}
	muted  = rgb{107, 114, 128}
	rule   = rgb{209, 213, 219}
	shade  = rgb{243, 244, 246}
	accent = rgb{30, 58, 138}
)

type column struct {
	x, w  float64
	align int
	title string
}

// figureTitles and figureMinW describe the columns right of the
// description; money is right-aligned so that decimal points line up.
var (
	figureTitles = [4]string{"QTY", "UNIT PRICE", "TAX", "AMOUNT"}
	figureMinW   = [4]float64{36, 78, 56, 80}
)

// minDescW keeps the description readable when figures are very wide.
const minDescW = 170.0

// stamps are printed in a pale colour under the content of every page, so
// that they are unmissable yet leave every figure readable.
var stamps = map[string]struct {
	text  string
	color rgb
}{
	"draft":    {"DRAFT", rgb{214, 217, 222}},
	"paid":     {"PAID", rgb{190, 232, 200}},
	"void":     {"VOID", rgb{246, 196, 196}},
	"refunded": {"REFUNDED", rgb{196, 212, 242}},
}

var statuses = map[string]bool{
	"draft": true, "open": true, "paid": true, "void": true,
	"uncollectible": true, "refunded": true, "partially_refunded": true,
}

// reverseChargeNote is the wording Article 226(11a) of the VAT Directive
// requires on an invoice whose VAT the customer accounts for.
const reverseChargeNote = "VAT reverse charge: the customer accounts for VAT (Article 196, Council Directive 2006/112/EC)"

// Render lays d out as an A4 PDF. It fails on a document it cannot print
// faithfully, such as one in an unknown currency, rather than guess.
func Render(d Document) ([]byte, error) {
	return render(d, true)
}

// render is Render with a switch for tests, which search the content
// streams for text and so need them uncompressed.
func render(d Document, compress bool) ([]byte, error) {
	r := &renderer{d: &d}
	cur, err := money.LookupCurrency(d.Currency)
	if err != nil {
		return nil, fmt.Errorf("render %q: %w", r.title(), err)
	}
	if d.Kind != "invoice" && d.Kind != "credit_note" {
		return nil, fmt.Errorf("render %q: unknown kind %q", r.title(), d.Kind)
	}
	if !statuses[d.Status] {
		return nil, fmt.Errorf("render %q: unknown status %q", r.title(), d.Status)
	}
	r.cur = cur
	fc, err := parsedFonts()
	if err != nil {
		return nil, err
	}

	pdf := new(gopdf.GoPdf)
	pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitPT})
	if !compress {
		pdf.SetNoCompression()
	}
	for _, family := range []string{regular, bold} {
		if err := pdf.AddTTFFontFromFontContainer(family, fc); err != nil {
			return nil, err
		}
	}
	r.pdf = pdf
	pdf.SetInfo(gopdf.PdfInfo{Title: r.title(), Author: partyName(d.Seller)})

	r.newPage()
	r.header()
	r.table()
	r.closing()
	r.footers()
	if r.err != nil {
		return nil, fmt.Errorf("render %q: %w", r.title(), r.err)
	}
	return pdf.GetBytesPdfReturnErr()
}

// renderer keeps a cursor that flows down the page and the first error, so
// that drawing code reads top to bottom without an error check per call.
type renderer struct {
	pdf  *gopdf.GoPdf
	d    *Document
	cur  money.Currency
	size float64
	y    float64
	cols [5]column

	pages int
	// fresh is set at the top of a page's content, where breaking the page
	// cannot make more room.
	fresh bool
	// inTable repeats the table header on a page started by a line row.
	inTable bool
	err     error
}

func (r *renderer) money(minor int64) string { return formatMoney(minor, r.cur) }

// name is the document's name in running text.
func (r *renderer) name() string {
	switch {
	case r.d.Kind == "credit_note":
		return "Credit note"
	case r.d.Number == "" && r.d.ProformaNumber != "":
		return "Proforma invoice"
	}
	return "Invoice"
}

// title names the document with its number, as in "Invoice INV-1"; a
// draft may have no number yet.
func (r *renderer) title() string {
	if r.d.Number != "" {
		return r.name() + " " + r.d.Number
	}
	return strings.TrimSpace(r.name() + " " + r.d.ProformaNumber)
}

func partyName(p Party) string {
	if p.Company != "" {
		return p.Company
	}
	return p.Name
}

func (r *renderer) font(family string, size float64, c rgb) {
	if r.err != nil {
		return
	}
	r.err = r.pdf.SetFont(family, "", size)
	r.size = size
	r.pdf.SetTextColor(c.r, c.g, c.b)
}

func (r *renderer) width(s string) float64 {
	if r.err != nil {
		return 0
	}
	w, err := r.pdf.MeasureTextWidth(s)
	r.err = err
	return w
}

// text draws s with its top at y in the box [x, x+w], shrinking the font
// when s would overflow it: a long amount must never run into its
// neighbour or off the page.
func (r *renderer) text(x, y, w float64, s string, align int) {
	if r.err != nil || s == "" {
		return
	}
	if tw := r.width(s); tw > w {
		r.err = r.pdf.SetFontSize(r.size * w / tw)
		defer r.pdf.SetFontSize(r.size)
	}
	r.pdf.SetXY(x, y)
	if err := r.pdf.CellWithOption(&gopdf.Rect{W: w, H: r.size}, s, gopdf.CellOption{Align: align | gopdf.Top}); err != nil {
		r.err = err
	}
}

func (r *renderer) hline(x1, x2, y float64, c rgb, width float64) {
	r.pdf.SetStrokeColor(c.r, c.g, c.b)
	r.pdf.SetLineWidth(width)
	r.pdf.Line(x1, y, x2, y)
}

func (r *renderer) fill(x, y, w, h float64, c rgb) {
	r.pdf.SetFillColor(c.r, c.g, c.b)
	r.pdf.RectFromUpperLeftWithStyle(x, y, w, h, "F")
}

// wrap breaks s into lines no wider than w in the current font: at spaces
// where it can, inside a word only when the word alone is too wide, and at
// every newline the author typed. Without kerning widths add up, so each
// word is measured once.
func (r *renderer) wrap(s string, w float64) []string {
	var lines []string
	space := r.width(" ")
	for para := range strings.SplitSeq(s, "\n") {
		line, lineW := "", 0.0
		for _, word := range strings.Fields(para) {
			wordW := r.width(word)
			if line != "" && lineW+space+wordW <= w {
				line += " " + word
				lineW += space + wordW
				continue
			}
			if line != "" {
				lines = append(lines, line)
			}
			for wordW > w && r.err == nil {
				n := r.fitPrefix(word, w)
				lines = append(lines, word[:n])
				word = word[n:]
				wordW = r.width(word)
			}
			line, lineW = word, wordW
		}
		lines = append(lines, line)
	}
	return lines
}

// fitPrefix returns the byte length of the longest prefix of s, of at least
// one rune, that is no wider than w.
func (r *renderer) fitPrefix(s string, w float64) int {
	_, n := utf8.DecodeRuneInString(s)
	for i, c := range s {
		if i > 0 && r.width(s[:i+utf8.RuneLen(c)]) > w {
			break
		}
		n = i + utf8.RuneLen(c)
	}
	return n
}

// ensure starts a new page unless h more points fit on this one. On a fresh
// page it draws anyway: a block taller than a page has to be broken by its
// caller line by line.
func (r *renderer) ensure(h float64) {
	if r.y+h > contentBottom && !r.fresh {
		r.newPage()
	}
	r.fresh = false
}

func (r *renderer) newPage() {
	if r.err != nil {
		return
	}
	r.pdf.AddPage()
	r.pages++
	r.stamp()
	r.y = marginTop
	if r.pages > 1 {
		r.font(regular, 8, muted)
		r.text(marginX, r.y, contentW, r.title()+" (continued)", gopdf.Left)
		r.y += 24
		if r.inTable {
			r.tableHeader()
		}
	}
	r.fresh = true
}

// stamp prints the status diagonally across the middle of the page, sized
// so that a long word such as REFUNDED stays as wide as PAID.
func (r *renderer) stamp() {
	s, ok := stamps[r.d.Status]
	if !ok {
		return
	}
	const maxW = 300.0
	size := 76.0
	r.font(bold, size, s.color)
	if w := r.width(s.text); w > maxW {
		size *= maxW / w
		r.font(bold, size, s.color)
	}
	w := r.width(s.text)
	cx, cy := pageW/2, pageH/2+40
	r.pdf.Rotate(30, cx, cy)
	// DejaVu's capitals span 0.03–0.76 em below the top of a cell; this
	// centres them on cy, inside a frame with even margins.
	r.text(cx-w/2, cy-0.396*size, w+1, s.text, gopdf.Left)
	r.pdf.SetStrokeColor(s.color.r, s.color.g, s.color.b)
	r.pdf.SetLineWidth(size / 12)
	pad := 0.26 * size
	if err := r.pdf.Rectangle(cx-w/2-pad, cy-0.365*size-pad, cx+w/2+pad, cy+0.365*size+pad, "D", size/6, 6); err != nil && r.err == nil {
		r.err = err
	}
	r.pdf.RotateReset()
}

// header draws the seller and the title block side by side, then the
// buyer next to a summary of what is owed.
func (r *renderer) header() {
	top := r.y
	sellerBottom := r.party(marginX, top, r.d.Seller, 15)

	x := right - blockW
	r.font(bold, 22, accent)
	r.text(x, top, blockW, strings.ToUpper(r.name()), gopdf.Right)
	y := top + 36
	for _, kv := range r.meta() {
		r.font(regular, 9, muted)
		r.text(x, y, blockW, kv[0], gopdf.Left)
		r.font(bold, 9, ink)
		r.text(x, y, blockW, kv[1], gopdf.Right)
		y += 14
	}

	top = max(sellerBottom, y) + 20
	r.font(bold, 7.5, muted)
	r.text(marginX, top, blockW, "BILL TO", gopdf.Left)
	buyerBottom := r.party(marginX, top+14, r.d.Buyer, 11)
	r.y = max(buyerBottom, r.summary(x, top)) + 22
	r.fresh = false
}

// meta lists the number and dates printed under the title.
func (r *renderer) meta() [][2]string {
	var kv [][2]string
	switch {
	case r.d.Kind == "credit_note":
		kv = append(kv, [2]string{"Credit note number", r.d.Number})
	case r.d.Number != "":
		kv = append(kv, [2]string{"Invoice number", r.d.Number})
	}
	if r.d.ProformaNumber != "" && r.d.Kind == "invoice" {
		kv = append(kv, [2]string{"Proforma number", r.d.ProformaNumber})
	}
	if !r.d.IssuedAt.IsZero() {
		kv = append(kv, [2]string{"Issue date", formatDate(r.d.IssuedAt)})
	}
	if !r.d.DueAt.IsZero() {
		kv = append(kv, [2]string{"Due date", formatDate(r.d.DueAt)})
	}
	if !r.d.PaidAt.IsZero() {
		kv = append(kv, [2]string{"Paid on", formatDate(r.d.PaidAt)})
	}
	return kv
}

// party draws a seller or buyer block at (x, y) and returns its bottom.
func (r *renderer) party(x, y float64, p Party, nameSize float64) float64 {
	r.font(bold, nameSize, ink)
	for _, l := range r.wrap(partyName(p), blockW) {
		r.text(x, y, blockW, l, gopdf.Left)
		y += nameSize * 1.3
	}
	y += 2
	var lines []string
	if p.Company != "" && p.Name != p.Company {
		lines = append(lines, p.Name)
	}
	lines = append(lines, p.AddressLines...)
	lines = append(lines, p.Country)
	if p.VATID != "" {
		lines = append(lines, "VAT ID: "+p.VATID)
	}
	if p.TaxID != "" {
		lines = append(lines, "Tax ID: "+p.TaxID)
	}
	lines = append(lines, p.Registration, p.Email)
	r.font(regular, bodySize, body)
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		for _, l := range r.wrap(l, blockW) {
			r.text(x, y, blockW, l, gopdf.Left)
			y += lineH
		}
	}
	return y
}

// summary draws the shaded box with the one figure the reader looks for
// and returns its bottom.
func (r *renderer) summary(x, y float64) float64 {
	label, amount, note := "Amount due", r.d.AmountDue, ""
	switch {
	case r.d.Kind == "credit_note":
		label, amount = "Total credit", r.d.Total
		if !r.d.IssuedAt.IsZero() {
			note = "Issued " + formatDate(r.d.IssuedAt)
		}
	case r.d.AmountDue == 0 && !r.d.PaidAt.IsZero():
		label, amount, note = "Amount paid", r.d.AmountPaid, "Paid on "+formatDate(r.d.PaidAt)
	case !r.d.DueAt.IsZero():
		note = "Due by " + formatDate(r.d.DueAt)
	}
	const h, pad = 62.0, 12.0
	r.fill(x, y, blockW, h, shade)
	r.font(regular, 8.5, muted)
	r.text(x+pad, y+pad, blockW-2*pad, label, gopdf.Left)
	r.font(bold, 18, ink)
	r.text(x+pad, y+pad+13, blockW-2*pad, r.money(amount), gopdf.Left)
	r.font(regular, 8.5, muted)
	r.text(x+pad, y+pad+36, blockW-2*pad, note, gopdf.Left)
	return y + h
}

func (r *renderer) tableHeader() {
	r.fill(marginX, r.y, contentW, tableHeadH, shade)
	r.font(bold, 7.5, muted)
	for _, c := range r.cols {
		r.text(c.x+cellPad, r.y+6.5, c.w-2*cellPad, c.title, c.align)
	}
	r.y += tableHeadH
}

func (r *renderer) table() {
	figures := make([][4]string, len(r.d.Lines))
	for i, l := range r.d.Lines {
		figures[i] = [4]string{formatQuantity(l.Quantity), r.money(l.UnitAmount), l.TaxRateLabel, r.money(l.Amount)}
	}
	r.layoutColumns(figures)
	r.ensure(tableHeadH + 2*rowPad + 2*lineH)
	r.tableHeader()
	r.inTable = true
	for i, l := range r.d.Lines {
		r.row(l, figures[i])
	}
	r.inTable = false
}

// layoutColumns widens a figure column for its widest cell, at the
// expense of the description, so that a large quantity or a long currency
// code prints at full size; only beyond minDescW do figures shrink.
func (r *renderer) layoutColumns(figures [][4]string) {
	widths := figureMinW
	r.font(regular, bodySize, ink)
	for _, row := range figures {
		for i, s := range row {
			widths[i] = max(widths[i], r.width(s)+2*cellPad)
		}
	}
	sum := widths[0] + widths[1] + widths[2] + widths[3]
	scale := min(1, (contentW-minDescW)/sum)
	x := right
	for i := len(widths) - 1; i >= 0; i-- {
		x -= widths[i] * scale
		r.cols[i+1] = column{x, widths[i] * scale, gopdf.Right, figureTitles[i]}
	}
	r.cols[0] = column{marginX, x - marginX, gopdf.Left, "DESCRIPTION"}
}

// row draws one line item: its figures beside the first line of its
// description, and the service period and the renewal price under it. A
// description taller than a page continues on the next.
func (r *renderer) row(l Line, figures [4]string) {
	desc := r.cols[0]
	r.font(regular, bodySize, ink)
	lines := r.wrap(l.Description, desc.w-2*cellPad)
	period := formatPeriod(l.PeriodStart, l.PeriodEnd)
	var notes []string
	for _, n := range []string{period, l.Renews} {
		if n != "" {
			notes = append(notes, n)
		}
	}
	h := 2*rowPad + float64(len(lines))*lineH + float64(len(notes))*periodH
	r.ensure(h)
	r.y += rowPad
	r.font(regular, bodySize, ink)
	for i, s := range figures {
		c := r.cols[i+1]
		r.text(c.x+cellPad, r.y, c.w-2*cellPad, s, c.align)
	}
	for _, s := range lines {
		r.ensure(lineH)
		r.font(regular, bodySize, ink)
		r.text(desc.x+cellPad, r.y, desc.w-2*cellPad, s, gopdf.Left)
		r.y += lineH
	}
	for _, n := range notes {
		r.ensure(periodH)
		r.font(regular, 7.5, muted)
		r.text(desc.x+cellPad, r.y+1, desc.w-2*cellPad, n, gopdf.Left)
		r.y += periodH
	}
	r.y += rowPad
	r.hline(marginX, right, r.y, rule, 0.5)
}

type totalRow struct {
	label, value string
	// strong rows are bold with a rule above; the last is also shaded.
	strong bool
}

func (r *renderer) totalRows() []totalRow {
	d := r.d
	rows := []totalRow{{label: "Subtotal", value: r.money(d.Subtotal)}}
	if d.DiscountTotal != 0 {
		rows = append(rows, totalRow{label: "Discount", value: r.money(-d.DiscountTotal)})
	}
	for _, t := range d.TaxSummary {
		rows = append(rows, totalRow{label: t.Label + " on " + r.money(t.Net), value: r.money(t.Tax)})
	}
	if len(d.TaxSummary) == 0 {
		rows = append(rows, totalRow{label: "Tax", value: r.money(d.TaxTotal)})
	}
	if d.Kind == "credit_note" {
		rows = append(rows, totalRow{label: "Total credit", value: r.money(d.Total), strong: true})
	} else {
		rows = append(rows, totalRow{label: "Total", value: r.money(d.Total), strong: true})
	}
	if d.CreditApplied != 0 {
		rows = append(rows, totalRow{label: "Credit applied", value: r.money(-d.CreditApplied)})
	}
	if d.Kind == "invoice" || d.AmountPaid != 0 {
		rows = append(rows, totalRow{label: "Amount paid", value: r.money(d.AmountPaid)})
	}
	if d.AmountRefunded != 0 {
		rows = append(rows, totalRow{label: "Amount refunded", value: r.money(d.AmountRefunded)})
	}
	if d.Kind == "invoice" {
		rows = append(rows, totalRow{label: "Amount due", value: r.money(d.AmountDue), strong: true})
	}
	return rows
}

// closing draws the totals under the table, right-aligned with the amount
// column and kept on one page, and then the free-text blocks: in the column
// beside the totals as many of them as fit there or a few lines lower, so
// that a short invoice stays on one page, and the rest over the full width
// below, where long text reads better.
func (r *renderer) closing() {
	// The totals start totalsTop below the table, the side column
	// sideTop, on the baseline of the first total.
	const rowH, strongH, sideGap, totalsTop, sideTop = 15.0, 21.0, 24.0, 10.0, 12.0
	rows := r.totalRows()
	h := totalsTop
	for _, t := range rows {
		h += rowH
		if t.strong {
			h += strongH - rowH
		}
	}

	blocks := r.textBlocks()
	sideW := contentW - totalsW - sideGap
	limit := h - sideTop + 4*lineH
	if r.y+h <= contentBottom {
		limit = min(limit, contentBottom-r.y-sideTop)
	}
	side, used := 0, 0.0
	var sideLines [][]string
	for ; side < len(blocks); side++ {
		lines := r.wrapBlock(blocks[side], sideW)
		bh := blocks[side].height(lines)
		if side > 0 {
			bh += blockGap
		}
		if used+bh > limit {
			break
		}
		used += bh
		sideLines = append(sideLines, lines)
	}

	r.ensure(max(h, sideTop+used))
	top := r.y
	r.y += totalsTop
	x := right - totalsW
	for i, t := range rows {
		family, size, labelColor := regular, 9.0, body
		if t.strong {
			family, size, labelColor = bold, 10.0, ink
			r.y += 3
			if i == len(rows)-1 {
				r.fill(x, r.y-3, totalsW, strongH-1, shade)
			} else {
				r.hline(x, right, r.y-3, rule, 0.75)
			}
		}
		r.font(family, size, ink)
		vw := r.width(t.value)
		r.font(family, size, labelColor)
		r.text(x+cellPad, r.y+2, totalsW-3*cellPad-vw, t.label, gopdf.Left)
		r.font(family, size, ink)
		r.text(x+cellPad, r.y+2, totalsW-2*cellPad, t.value, gopdf.Right)
		if t.strong {
			r.y += strongH - 3
		} else {
			r.y += rowH
		}
	}

	bottom := r.y
	r.y = top + sideTop
	for i, lines := range sideLines {
		if i > 0 {
			r.y += blockGap
		}
		r.paragraph(marginX, sideW, blocks[i], lines)
	}
	r.y = max(r.y, bottom)
	for _, b := range blocks[side:] {
		r.y += blockGap
		r.paragraph(marginX, contentW, b, r.wrapBlock(b, contentW))
	}
}

// textBlock is a paragraph of free text after the totals.
type textBlock struct {
	heading, text, family string
}

const blockGap, blockHeadH = 14.0, 12.0

func (b textBlock) height(lines []string) float64 {
	h := float64(len(lines)) * lineH
	if b.heading != "" {
		h += blockHeadH
	}
	return h
}

// textBlocks lists the non-empty blocks in print order.
func (r *renderer) textBlocks() []textBlock {
	var blocks []textBlock
	if r.d.ReverseCharge {
		blocks = append(blocks, textBlock{"", reverseChargeNote, bold})
	}
	for _, b := range []textBlock{
		{"Notes", r.d.Notes, regular},
		{"Payment details", r.d.BankDetails, regular},
		{"References", r.d.References, regular},
	} {
		if b.text = strings.TrimSpace(b.text); b.text != "" {
			blocks = append(blocks, b)
		}
	}
	return blocks
}

func (r *renderer) wrapBlock(b textBlock, w float64) []string {
	r.font(b.family, bodySize, body)
	return r.wrap(b.text, w)
}

// paragraph draws a block at x, keeping its heading with the first line and
// breaking the page between lines.
func (r *renderer) paragraph(x, w float64, b textBlock, lines []string) {
	r.ensure(b.height(lines[:1]))
	if b.heading != "" {
		r.font(bold, 7.5, muted)
		r.text(x, r.y, w, strings.ToUpper(b.heading), gopdf.Left)
		r.y += blockHeadH
	}
	for _, s := range lines {
		r.ensure(lineH)
		r.font(b.family, bodySize, body)
		r.text(x, r.y, w, s, gopdf.Left)
		r.y += lineH
	}
}

// footers goes back over the pages once their count is known, for
// "Page n of m".
func (r *renderer) footers() {
	left := r.title()
	if seller := partyName(r.d.Seller); seller != "" {
		left = seller + " · " + left
	}
	for n := 1; n <= r.pages && r.err == nil; n++ {
		r.err = r.pdf.SetPage(n)
		r.hline(marginX, right, footerY, rule, 0.5)
		r.font(regular, 7.5, muted)
		r.text(marginX, footerY+7, contentW*0.7, left, gopdf.Left)
		r.text(marginX, footerY+7, contentW, "Page "+strconv.Itoa(n)+" of "+strconv.Itoa(r.pages), gopdf.Right)
	}
}
