package tax

// Party is the seller or the buyer of a sale, as far as tax is concerned.
// Country is an upper-case ISO 3166-1 alpha-2 code; Region is the state,
// province or county; VATID is an EU VAT id with its prefix, or empty;
// Exempt marks a buyer that staff have made exempt from tax.
type Party struct {
	Country, Region, VATID string
	Exempt                 bool
}

// Decision is the tax treatment of a sale. Rate is the rate to charge, and
// is the zero Rate whenever Charge is false. ReverseCharge means the buyer
// accounts for the VAT itself, which the invoice must say. Reason is one of
// the Reason constants, kept for the invoice and for audits.
type Decision struct {
	Rate          Rate
	Charge        bool
	ReverseCharge bool
	Reason        string
}

// The reasons a Decision records.
const (
	ReasonExempt        = "exempt"
	ReasonReverseCharge = "reverse charge"
	ReasonNoRate        = "no rate"
	// ReasonDomestic charges the rate of the seller's own country.
	ReasonDomestic = "domestic"
	// ReasonDestination charges the rate of another country the buyer is in.
	ReasonDestination = "destination"
)

// Decide returns who pays what tax on a sale of electronically supplied
// services, such as hosting, from seller to buyer. In order:
//
//   - An exempt buyer pays no tax.
//   - With euReverseCharge on, an EU seller selling to a business in another
//     member state charges no VAT: the buyer reverse-charges it. The buyer is
//     taken to be a business when its VAT id is well formed for the buyer's
//     own country (see ValidVATFormat).
//   - Otherwise the rate of the place of supply applies, which for these
//     services is where the customer is (EU place-of-supply rules; US states
//     likewise tax by the buyer's address): the buyer's region or country
//     rate from rates, chosen by Select. A buyer in the seller's own country
//     therefore pays the domestic rate even with a VAT id, since the reverse
//     charge only applies across borders.
//   - Without a rate for that place, no tax is charged: the seller has not
//     configured that it must collect tax there.
func Decide(seller, buyer Party, rates []Rate, euReverseCharge bool) Decision {
	if buyer.Exempt {
		return Decision{Reason: ReasonExempt}
	}
	if euReverseCharge && IsEU(seller.Country) && IsEU(buyer.Country) && buyer.Country != seller.Country {
		if country, ok := ValidVATFormat(buyer.VATID); ok && country == buyer.Country {
			return Decision{ReverseCharge: true, Reason: ReasonReverseCharge}
		}
	}
	r, ok := Select(rates, buyer.Country, buyer.Region)
	if !ok {
		return Decision{Reason: ReasonNoRate}
	}
	reason := ReasonDestination
	if buyer.Country == seller.Country {
		reason = ReasonDomestic
	}
	return Decision{Rate: r, Charge: true, Reason: reason}
}
