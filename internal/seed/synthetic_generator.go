package seed

import (
	"errors"
	"math/rand/v2"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/settings"
)

// country is where a synthetic customer lives, which decides the
// currency, the address and the VAT.
type country struct {
	code, currency string
	weight         int
	vat            taxRate // used when the database has no tax rate for the country
	eu             bool
	phone          string
	cities         [][3]string // city, region, postal code
}

var countries = []country{
	{code: "US", currency: "USD", weight: 40, phone: "+1 555 01", cities: [][3]string{
		{"Austin", "TX", "78701"}, {"Seattle", "WA", "98101"}, {"Chicago", "IL", "60601"}, {"Miami", "FL", "33101"}}},
	{code: "GB", currency: "GBP", weight: 20, vat: taxRate{name: "VAT 20%", rate: 20000}, phone: "+44 20 79", cities: [][3]string{
		{"London", "", "EC1A 1BB"}, {"Manchester", "", "M1 1AE"}, {"Leeds", "", "LS1 4DY"}, {"Bristol", "", "BS1 4DJ"}}},
	{code: "DE", currency: "EUR", weight: 18, vat: taxRate{name: "MwSt 19%", rate: 19000}, eu: true, phone: "+49 30 55", cities: [][3]string{
		{"Berlin", "Berlin", "10115"}, {"München", "Bayern", "80331"}, {"Hamburg", "Hamburg", "20095"}, {"Köln", "NRW", "50667"}}},
	{code: "FR", currency: "EUR", weight: 12, vat: taxRate{name: "TVA 20%", rate: 20000}, eu: true, phone: "+33 1 42", cities: [][3]string{
		{"Paris", "Île-de-France", "75001"}, {"Lyon", "Auvergne-Rhône-Alpes", "69001"}, {"Lille", "Hauts-de-France", "59000"}}},
	{code: "NL", currency: "EUR", weight: 10, vat: taxRate{name: "BTW 21%", rate: 21000}, eu: true, phone: "+31 20 52", cities: [][3]string{
		{"Amsterdam", "Noord-Holland", "1012 AB"}, {"Rotterdam", "Zuid-Holland", "3011 AD"}, {"Utrecht", "Utrecht", "3511 AX"}}},
}

var (
	firstNames = []string{"Alex", "Sam", "Jordan", "Taylor", "Morgan", "Jamie", "Chris", "Robin", "Lena", "Noah",
		"Mia", "Lucas", "Emma", "Finn", "Chloé", "Hugo", "Sofia", "Daan", "Anna", "Oliver"}
	lastNames = []string{"Smith", "Johnson", "Brown", "Miller", "Garcia", "Wilson", "Taylor", "Clarke", "Müller",
		"Schmidt", "Fischer", "Martin", "Bernard", "Dubois", "de Jong", "Jansen", "Bakker", "Evans", "Walker", "Hughes"}
	businesses = []string{"Hosting", "Labs", "Media", "Gaming", "Networks", "Digital", "Cloud", "Studio"}
	suffixes   = map[string]string{"US": "LLC", "GB": "Ltd", "DE": "GmbH", "FR": "SAS", "NL": "B.V."}
	streets    = []string{"Market Street", "High Street", "Main Street", "Station Road", "Park Avenue", "Mill Lane"}
)

// weighted is a value and its share in percent of a pick.
type weighted struct {
	v string
	w int
}

var (
	customerStatuses = []weighted{{"active", 94}, {"suspended", 3}, {"closed", 2}, {"fraud", 1}}
	serviceStatuses  = []weighted{{"active", 85}, {"suspended", 7}, {"terminated", 3}, {"cancelled", 1},
		{"pending", 2}, {"provisioning", 1}, {"failed", 1}}
	// Outcome of an invoice that is past its due date; "overdue" is open.
	invoiceOutcomes = []weighted{{"paid", 88}, {"overdue", 5}, {"void", 3}, {"refunded", 2}, {"partially_refunded", 2}}
	suspendReasons  = []weighted{{"overdue", 70}, {"staff", 20}, {"abuse", 10}}
	cancelReasons   = []weighted{{"too_expensive", 30}, {"no_longer_needed", 40}, {"moved_provider", 20}, {"performance", 10}}
	gateways        = []weighted{{"stripe", 75}, {"paypal", 15}, {"manual", 10}}
	creditReasons   = []weighted{{"goodwill", 40}, {"service outage", 30}, {"migration", 20}, {"referral", 10}}
)

// generator makes the rows of one customer at a time from a random stream
// seeded by the seed and the customer number, so a customer's data does
// not depend on the batch size or on the customers before it.
type generator struct {
	pcg     *rand.PCG
	r       *rand.Rand
	seed    uint64
	now     time.Time
	cat     *catalog
	seq     *invoiceNumbers
	hash    string // bcrypt of SyntheticPassword, computed once: bcrypt is slow by design
	seller  string // JSON frozen on every invoice
	weights int    // sum of the country weights
	w       *writer
	cols    map[string][]string
}

func newGenerator(app core.App, seed int64) (*generator, error) {
	cat, err := loadCatalog(app)
	if err != nil {
		return nil, err
	}
	if len(cat.prices) == 0 {
		return nil, errors.New("seed: the catalog has no active prices")
	}
	s, err := settings.Load(app)
	if err != nil {
		return nil, err
	}
	seq, err := loadInvoiceNumbers(app, s.InvoiceNumberFormat)
	if err != nil {
		return nil, err
	}
	customers, err := app.FindCollectionByNameOrId("customers")
	if err != nil {
		return nil, err
	}
	probe := core.NewRecord(customers)
	probe.SetPassword(SyntheticPassword)

	pcg := rand.NewPCG(0, 0)
	g := &generator{
		pcg: pcg, r: rand.New(pcg), seed: uint64(seed),
		// A whole day, so runs on the same day give the same dates.
		now:  time.Now().UTC().Truncate(24 * time.Hour),
		cat:  cat,
		seq:  seq,
		hash: probe.GetString("password:hash"),
		seller: jsonText(map[string]string{"name": s.CompanyName, "address": s.CompanyAddress, "country": s.CompanyCountry,
			"vat_id": s.CompanyVATID, "email": s.CompanyEmail}),
		cols: map[string][]string{},
	}
	for _, c := range countries {
		if len(cat.prices[c.currency]) > 0 {
			g.weights += c.weight
		}
	}
	if g.weights == 0 {
		return nil, errors.New("seed: the catalog has no prices in USD, EUR or GBP")
	}
	return g, nil
}

func (g *generator) pick(ws []weighted) string {
	n := g.r.IntN(100)
	for _, w := range ws {
		if n -= w.w; n < 0 {
			return w.v
		}
	}
	return ws[len(ws)-1].v
}

func (g *generator) id() string {
	var b [15]byte
	for i := range b {
		b[i] = core.DefaultIdAlphabet[g.r.IntN(len(core.DefaultIdAlphabet))]
	}
	return string(b[:])
}

// between is a random time in [from, to).
func (g *generator) between(from, to time.Time) time.Time {
	if !to.After(from) {
		return from
	}
	return from.Add(time.Duration(g.r.Int64N(int64(to.Sub(from)))))
}

func (g *generator) country() country {
	n := g.r.IntN(g.weights)
	for _, c := range countries {
		if len(g.cat.prices[c.currency]) == 0 {
			continue
		}
		if n -= c.weight; n < 0 {
			return c
		}
	}
	panic("unreachable: weights sum to g.weights")
}
