package paypalsim

import (
	"fmt"
	"strconv"

	"github.com/ezscale/ezscale/billing/money"
)

// The simulator applies PayPal's currency rules from the contract itself,
// not the client's copy of them, so a client that gets them wrong is
// refused here as PayPal would refuse it.

// supportedCurrencies are the currencies PayPal REST accepts for payments
// (developer.paypal.com/reference/currency-codes).
var supportedCurrencies = map[string]bool{
	"AUD": true, "BRL": true, "CAD": true, "CHF": true, "CNY": true, "CZK": true,
	"DKK": true, "EUR": true, "GBP": true, "HKD": true, "HUF": true, "ILS": true,
	"JPY": true, "MXN": true, "MYR": true, "NOK": true, "NZD": true, "PHP": true,
	"PLN": true, "SEK": true, "SGD": true, "THB": true, "TWD": true, "USD": true,
}

// wholeUnitCurrencies take no decimals at PayPal, though HUF and TWD have
// two minor digits in ISO 4217.
var wholeUnitCurrencies = map[string]bool{"HUF": true, "JPY": true, "TWD": true}

// formatAmount writes a as PayPal writes it ("29.00", "1500"), refusing an
// unsupported currency or a fraction of a whole-unit one.
func formatAmount(a money.Amount) (string, error) {
	if !supportedCurrencies[a.Currency] {
		return "", fmt.Errorf("paypal simulator: currency %q is not supported by PayPal", a.Currency)
	}
	if !wholeUnitCurrencies[a.Currency] {
		return a.FormatDecimal(), nil
	}
	c, err := money.LookupCurrency(a.Currency)
	if err != nil {
		return "", err
	}
	unit := int64(1)
	for range c.Exponent {
		unit *= 10
	}
	if a.Minor%unit != 0 {
		return "", fmt.Errorf("paypal simulator: %s has a fraction, but PayPal takes %s in whole units", a, a.Currency)
	}
	return strconv.FormatInt(a.Minor/unit, 10), nil
}
