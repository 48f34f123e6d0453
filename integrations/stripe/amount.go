package stripe

import (
	"fmt"
	"math"
	"strings"

	"github.com/ezscale/ezscale/billing/money"
)

// stripeZeroDecimal is Stripe's list of currencies whose API amounts carry
// no minor unit (https://docs.stripe.com/currencies#zero-decimal). It is
// not ISO 4217's: Stripe counts MGA (ISO: 2 digits) as zero-decimal, and
// keeps ISK (ISO: 0 digits) two-decimal for backwards compatibility, with
// amounts that must be whole krónur.
var stripeZeroDecimal = map[string]bool{
	"BIF": true, "CLP": true, "DJF": true, "GNF": true, "JPY": true, "KMF": true,
	"KRW": true, "MGA": true, "PYG": true, "RWF": true, "UGX": true, "VND": true,
	"VUV": true, "XAF": true, "XOF": true, "XPF": true,
}

// stripeExponent is how many minor-unit digits Stripe's API uses for c.
// HUF and TWD are two-decimal for charges in both, so only payouts (which
// we do not make) treat them differently.
func stripeExponent(c money.Currency) int {
	switch {
	case stripeZeroDecimal[c.Code]:
		return 0
	case c.Code == "ISK":
		return 2
	}
	return c.Exponent
}

// toStripe converts an amount into Stripe's integer and lower-case currency.
// It refuses what Stripe cannot represent exactly (MGA with a fraction of an
// ariary) or would refuse (5.124 KWD: three-decimal amounts must end in 0)
// rather than round someone's money or send a request bound to fail.
func toStripe(a money.Amount) (int64, string, error) {
	c, err := money.LookupCurrency(a.Currency)
	if err != nil {
		return 0, "", err
	}
	if step := c.Step(); a.Minor%step != 0 {
		return 0, "", fmt.Errorf("%s cannot be charged at Stripe: %s amounts must be multiples of %s",
			a, c.Code, money.Amount{Minor: step, Currency: c.Code})
	}
	n, err := rescale(a.Minor, c.Exponent, stripeExponent(c))
	if err != nil {
		return 0, "", fmt.Errorf("%s in Stripe's units: %w", a, err)
	}
	return n, strings.ToLower(c.Code), nil
}

// fromStripe reads an amount Stripe reports, with its lower-case currency.
func fromStripe(n int64, currency string) (money.Amount, error) {
	code, err := money.NormalizeCurrency(currency)
	if err != nil {
		return money.Amount{}, err
	}
	c, err := money.LookupCurrency(code)
	if err != nil {
		return money.Amount{}, err
	}
	minor, err := rescale(n, stripeExponent(c), c.Exponent)
	if err != nil {
		return money.Amount{}, fmt.Errorf("%d %s from Stripe: %w", n, code, err)
	}
	return money.Amount{Minor: minor, Currency: code}, nil
}

// rescale moves n from one number of decimal digits to another, exactly.
func rescale(n int64, from, to int) (int64, error) {
	for ; from < to; from++ {
		if n > math.MaxInt64/10 || n < math.MinInt64/10 {
			return 0, money.ErrOverflow
		}
		n *= 10
	}
	for ; from > to; from-- {
		if n%10 != 0 {
			return 0, fmt.Errorf("not a whole number of %d-decimal units", to)
		}
		n /= 10
	}
	return n, nil
}
