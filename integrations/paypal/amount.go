package paypal

import (
	"fmt"
	"strconv"

	"github.com/ezscale/ezscale/billing/money"
)

// supportedCurrencies are the currencies PayPal REST accepts for payments
// (developer.paypal.com/reference/currency-codes); anything else is refused
// by PayPal with CURRENCY_NOT_SUPPORTED, so we refuse it before sending.
var supportedCurrencies = map[string]bool{
	"AUD": true, "BRL": true, "CAD": true, "CHF": true, "CNY": true, "CZK": true,
	"DKK": true, "EUR": true, "GBP": true, "HKD": true, "HUF": true, "ILS": true,
	"JPY": true, "MXN": true, "MYR": true, "NOK": true, "NZD": true, "PHP": true,
	"PLN": true, "SEK": true, "SGD": true, "THB": true, "TWD": true, "USD": true,
}

// wholeUnitCurrencies take no decimals at PayPal. For JPY that is ISO 4217
// too, but HUF and TWD have two minor digits in ISO and none at PayPal, so an
// amount in them must be a whole number of forints or dollars.
var wholeUnitCurrencies = map[string]bool{"HUF": true, "JPY": true, "TWD": true}

// formatAmount writes a as the decimal string PayPal wants ("29.00", "1500"),
// exactly, refusing what PayPal would refuse instead of rounding it.
func formatAmount(a money.Amount) (string, error) {
	if !supportedCurrencies[a.Currency] {
		return "", fmt.Errorf("paypal: currency %q is not supported by PayPal", a.Currency)
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
		return "", fmt.Errorf("paypal: %s has a fraction, but PayPal takes %s in whole units", a, a.Currency)
	}
	return strconv.FormatInt(a.Minor/unit, 10), nil
}

// parseAmount reads one of PayPal's decimal strings exactly. PayPal echoes
// amounts normalised ("29.0" for "29.00", "-0.01" in some refund events),
// which money.ParseDecimal takes as they are: never compare the strings.
func parseAmount(value, currency string) (money.Amount, error) {
	code, err := money.NormalizeCurrency(currency)
	if err != nil {
		return money.Amount{}, fmt.Errorf("paypal: amount %q %q: %w", value, currency, err)
	}
	a, err := money.ParseDecimal(value, code)
	if err != nil {
		return money.Amount{}, fmt.Errorf("paypal: amount: %w", err)
	}
	return a, nil
}
