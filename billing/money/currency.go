// Package money represents amounts as integer minor units of an ISO 4217
// currency, so that billing arithmetic is exact and never touches floats.
package money

import (
	"errors"
	"fmt"
	"strings"
)

// Currency is one ISO 4217 currency. Exponent is the number of minor-unit
// digits: 2 for USD (cents), 0 for JPY, 3 for KWD.
type Currency struct {
	Code     string
	Name     string
	Exponent int
}

var (
	// ErrUnknownCurrency reports a well-formed code that is not in the table.
	ErrUnknownCurrency = errors.New("unknown currency")
	// ErrMalformedCurrency reports a code that is not 3 upper-case letters.
	ErrMalformedCurrency = errors.New("malformed currency code")
)

// LookupCurrency returns the currency for an exact ISO 4217 code. It is strict
// on purpose: stored amounts must carry canonical codes, so that "usd" in the
// database is caught rather than silently accepted. Use NormalizeCurrency for
// input from outside.
func LookupCurrency(code string) (Currency, error) {
	if !isCodeShape(code) {
		return Currency{}, fmt.Errorf("%w %q: must be 3 upper-case letters", ErrMalformedCurrency, code)
	}
	c, ok := currencies[code]
	if !ok {
		return Currency{}, fmt.Errorf("%w %q", ErrUnknownCurrency, code)
	}
	return c, nil
}

// NormalizeCurrency turns a code from outside (Stripe, for one, speaks lower
// case) into its canonical form, and checks that the currency exists.
func NormalizeCurrency(code string) (string, error) {
	c, err := LookupCurrency(strings.ToUpper(strings.TrimSpace(code)))
	if err != nil {
		return "", fmt.Errorf("normalize %q: %w", code, err)
	}
	return c.Code, nil
}

// IsZeroDecimal reports whether the currency has no minor unit, so that its
// minor amount is also its major amount. It accepts any case, because the
// question is usually asked with a gateway's lower-case code, and it answers
// false for an unknown currency. This is the ISO 4217 answer: gateways keep
// their own exceptions (Stripe, for one, bills MGA without decimals and has
// special rules for ISK, HUF, TWD and UGX).
func IsZeroDecimal(code string) bool {
	code, err := NormalizeCurrency(code)
	return err == nil && currencies[code].Exponent == 0
}

func isCodeShape(code string) bool {
	if len(code) != 3 {
		return false
	}
	for i := range len(code) {
		if code[i] < 'A' || code[i] > 'Z' {
			return false
		}
	}
	return true
}

// currencies indexes currencyTable by code.
var currencies = func() map[string]Currency {
	m := make(map[string]Currency, len(currencyTable))
	for _, c := range currencyTable {
		m[c.Code] = c
	}
	return m
}()

// currencyTable is ISO 4217 List One as published on 2025-05-12, less the
// codes that have no minor unit (precious metals, bond-market units, SDR, XAD,
// XSU, XUA, XTS, XXX): nothing can be billed in them.
var currencyTable = []Currency{
	{"AED", "UAE Dirham", 2},
	{"AFN", "Afghani", 2},
	{"ALL", "Lek", 2},
	{"AMD", "Armenian Dram", 2},
	{"AOA", "Kwanza", 2},
	{"ARS", "Argentine Peso", 2},
	{"AUD", "Australian Dollar", 2},
	{"AWG", "Aruban Florin", 2},
	{"AZN", "Azerbaijan Manat", 2},
	{"BAM", "Convertible Mark", 2},
	{"BBD", "Barbados Dollar", 2},
	{"BDT", "Taka", 2},
	{"BGN", "Bulgarian Lev", 2},
	{"BHD", "Bahraini Dinar", 3},
	{"BIF", "Burundi Franc", 0},
	{"BMD", "Bermudian Dollar", 2},
	{"BND", "Brunei Dollar", 2},
	{"BOB", "Boliviano", 2},
	{"BOV", "Mvdol", 2},
	{"BRL", "Brazilian Real", 2},
	{"BSD", "Bahamian Dollar", 2},
	{"BTN", "Ngultrum", 2},
	{"BWP", "Pula", 2},
	{"BYN", "Belarusian Ruble", 2},
	{"BZD", "Belize Dollar", 2},
	{"CAD", "Canadian Dollar", 2},
	{"CDF", "Congolese Franc", 2},
	{"CHE", "WIR Euro", 2},
	{"CHF", "Swiss Franc", 2},
	{"CHW", "WIR Franc", 2},
	{"CLF", "Unidad de Fomento", 4},
	{"CLP", "Chilean Peso", 0},
	{"CNY", "Yuan Renminbi", 2},
	{"COP", "Colombian Peso", 2},
	{"COU", "Unidad de Valor Real", 2},
	{"CRC", "Costa Rican Colon", 2},
	{"CUP", "Cuban Peso", 2},
	{"CVE", "Cabo Verde Escudo", 2},
	{"CZK", "Czech Koruna", 2},
	{"DJF", "Djibouti Franc", 0},
	{"DKK", "Danish Krone", 2},
	{"DOP", "Dominican Peso", 2},
	{"DZD", "Algerian Dinar", 2},
	{"EGP", "Egyptian Pound", 2},
	{"ERN", "Nakfa", 2},
	{"ETB", "Ethiopian Birr", 2},
	{"EUR", "Euro", 2},
	{"FJD", "Fiji Dollar", 2},
	{"FKP", "Falkland Islands Pound", 2},
	{"GBP", "Pound Sterling", 2},
	{"GEL", "Lari", 2},
	{"GHS", "Ghana Cedi", 2},
	{"GIP", "Gibraltar Pound", 2},
	{"GMD", "Dalasi", 2},
	{"GNF", "Guinean Franc", 0},
	{"GTQ", "Quetzal", 2},
	{"GYD", "Guyana Dollar", 2},
	{"HKD", "Hong Kong Dollar", 2},
	{"HNL", "Lempira", 2},
	{"HTG", "Gourde", 2},
	{"HUF", "Forint", 2},
	{"IDR", "Rupiah", 2},
	{"ILS", "New Israeli Sheqel", 2},
	{"INR", "Indian Rupee", 2},
	{"IQD", "Iraqi Dinar", 3},
	{"IRR", "Iranian Rial", 2},
	{"ISK", "Iceland Krona", 0},
	{"JMD", "Jamaican Dollar", 2},
	{"JOD", "Jordanian Dinar", 3},
	{"JPY", "Yen", 0},
	{"KES", "Kenyan Shilling", 2},
	{"KGS", "Som", 2},
	{"KHR", "Riel", 2},
	{"KMF", "Comorian Franc", 0},
	{"KPW", "North Korean Won", 2},
	{"KRW", "Won", 0},
	{"KWD", "Kuwaiti Dinar", 3},
	{"KYD", "Cayman Islands Dollar", 2},
	{"KZT", "Tenge", 2},
	{"LAK", "Lao Kip", 2},
	{"LBP", "Lebanese Pound", 2},
	{"LKR", "Sri Lanka Rupee", 2},
	{"LRD", "Liberian Dollar", 2},
	{"LSL", "Loti", 2},
	{"LYD", "Libyan Dinar", 3},
	{"MAD", "Moroccan Dirham", 2},
	{"MDL", "Moldovan Leu", 2},
	{"MGA", "Malagasy Ariary", 2},
	{"MKD", "Denar", 2},
	{"MMK", "Kyat", 2},
	{"MNT", "Tugrik", 2},
	{"MOP", "Pataca", 2},
	{"MRU", "Ouguiya", 2},
	{"MUR", "Mauritius Rupee", 2},
	{"MVR", "Rufiyaa", 2},
	{"MWK", "Malawi Kwacha", 2},
	{"MXN", "Mexican Peso", 2},
	{"MXV", "Mexican Unidad de Inversion (UDI)", 2},
	{"MYR", "Malaysian Ringgit", 2},
	{"MZN", "Mozambique Metical", 2},
	{"NAD", "Namibia Dollar", 2},
	{"NGN", "Naira", 2},
	{"NIO", "Cordoba Oro", 2},
	{"NOK", "Norwegian Krone", 2},
	{"NPR", "Nepalese Rupee", 2},
	{"NZD", "New Zealand Dollar", 2},
	{"OMR", "Rial Omani", 3},
	{"PAB", "Balboa", 2},
	{"PEN", "Sol", 2},
	{"PGK", "Kina", 2},
	{"PHP", "Philippine Peso", 2},
	{"PKR", "Pakistan Rupee", 2},
	{"PLN", "Zloty", 2},
	{"PYG", "Guarani", 0},
	{"QAR", "Qatari Rial", 2},
	{"RON", "Romanian Leu", 2},
	{"RSD", "Serbian Dinar", 2},
	{"RUB", "Russian Ruble", 2},
	{"RWF", "Rwanda Franc", 0},
	{"SAR", "Saudi Riyal", 2},
	{"SBD", "Solomon Islands Dollar", 2},
	{"SCR", "Seychelles Rupee", 2},
	{"SDG", "Sudanese Pound", 2},
	{"SEK", "Swedish Krona", 2},
	{"SGD", "Singapore Dollar", 2},
	{"SHP", "Saint Helena Pound", 2},
	{"SLE", "Leone", 2},
	{"SOS", "Somali Shilling", 2},
	{"SRD", "Surinam Dollar", 2},
	{"SSP", "South Sudanese Pound", 2},
	{"STN", "Dobra", 2},
	{"SVC", "El Salvador Colon", 2},
	{"SYP", "Syrian Pound", 2},
	{"SZL", "Lilangeni", 2},
	{"THB", "Baht", 2},
	{"TJS", "Somoni", 2},
	{"TMT", "Turkmenistan New Manat", 2},
	{"TND", "Tunisian Dinar", 3},
	{"TOP", "Pa’anga", 2},
	{"TRY", "Turkish Lira", 2},
	{"TTD", "Trinidad and Tobago Dollar", 2},
	{"TWD", "New Taiwan Dollar", 2},
	{"TZS", "Tanzanian Shilling", 2},
	{"UAH", "Hryvnia", 2},
	{"UGX", "Uganda Shilling", 0},
	{"USD", "US Dollar", 2},
	{"USN", "US Dollar (Next day)", 2},
	{"UYI", "Uruguay Peso en Unidades Indexadas (UI)", 0},
	{"UYU", "Peso Uruguayo", 2},
	{"UYW", "Unidad Previsional", 4},
	{"UZS", "Uzbekistan Sum", 2},
	{"VED", "Bolívar Soberano", 2},
	{"VES", "Bolívar Soberano", 2},
	{"VND", "Dong", 0},
	{"VUV", "Vatu", 0},
	{"WST", "Tala", 2},
	{"XAF", "CFA Franc BEAC", 0},
	{"XCD", "East Caribbean Dollar", 2},
	{"XCG", "Caribbean Guilder", 2},
	{"XOF", "CFA Franc BCEAO", 0},
	{"XPF", "CFP Franc", 0},
	{"YER", "Yemeni Rial", 2},
	{"ZAR", "Rand", 2},
	{"ZMW", "Zambian Kwacha", 2},
	{"ZWG", "Zimbabwe Gold", 2},
}
