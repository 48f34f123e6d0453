package stripe

import (
	"testing"

	"github.com/ezscale/ezscale/billing/money"
)

func TestStripeAmounts(t *testing.T) {
	tests := []struct {
		name         string
		amount       money.Amount
		wantN        int64
		wantCurrency string
		wantErr      bool
	}{
		{"two-decimal", money.Amount{Minor: 1999, Currency: "USD"}, 1999, "usd", false},
		{"zero-decimal in both", money.Amount{Minor: 1234, Currency: "JPY"}, 1234, "jpy", false},
		{"three-decimal", money.Amount{Minor: 5120, Currency: "KWD"}, 5120, "kwd", false},
		{"ISK: ISO zero-decimal, Stripe two-decimal", money.Amount{Minor: 5, Currency: "ISK"}, 500, "isk", false},
		{"MGA: ISO two-decimal, Stripe zero-decimal", money.Amount{Minor: 150000, Currency: "MGA"}, 1500, "mga", false},
		{"MGA fraction Stripe cannot take", money.Amount{Minor: 150050, Currency: "MGA"}, 0, "", true},
		{"lower-case currency is not canonical", money.Amount{Minor: 100, Currency: "usd"}, 0, "", true},
		{"unknown currency", money.Amount{Minor: 100, Currency: "ZZZ"}, 0, "", true},
		{"overflow when scaling up", money.Amount{Minor: 1 << 62, Currency: "ISK"}, 0, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, cur, err := toStripe(tt.amount)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("toStripe(%v) = %d %s, want an error", tt.amount, n, cur)
				}
				return
			}
			if err != nil || n != tt.wantN || cur != tt.wantCurrency {
				t.Fatalf("toStripe(%v) = %d %q, %v; want %d %q", tt.amount, n, cur, err, tt.wantN, tt.wantCurrency)
			}
			back, err := fromStripe(n, cur)
			if err != nil || back != tt.amount {
				t.Fatalf("fromStripe(%d, %q) = %v, %v; want %v", n, cur, back, err, tt.amount)
			}
		})
	}
}

func TestFromStripeRefusesFractionalKronur(t *testing.T) {
	if a, err := fromStripe(550, "isk"); err == nil {
		t.Fatalf("fromStripe(550, isk) = %v, want an error", a)
	}
}
