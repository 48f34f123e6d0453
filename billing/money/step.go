package money

// payableSteps are the currencies whose amounts a card gateway takes only in
// steps coarser than ISO 4217's minor unit, in minor units per step. Stripe
// refuses a last digit other than 0 for the three-decimal BHD, JOD, KWD, OMR
// and TND (https://docs.stripe.com/currencies#three-decimal), and bills MGA
// in whole ariary although ISO 4217 gives it two digits. An invoice in one
// of them is rounded to its step when issued, so what it asks for can be paid.
var payableSteps = map[string]int64{
	"BHD": 10, "JOD": 10, "KWD": 10, "OMR": 10, "TND": 10,
	"MGA": 100,
}

// Step is the smallest amount of c that can be charged, in its minor units:
// 1 for most currencies, 10 fils for KWD.
func (c Currency) Step() int64 {
	if s, ok := payableSteps[c.Code]; ok {
		return s
	}
	return 1
}

// Currencies returns the currency table in code order, for whoever shows or
// reads amounts outside Go (the portal), so that there is one table.
func Currencies() []Currency {
	return append([]Currency(nil), currencyTable...)
}
