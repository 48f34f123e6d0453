package orders

import (
	"context"
	"math/big"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/integrations/notify"
	"github.com/ezscale/ezscale/internal/settings"
)

// announce tells staff about a new order, and flags it when its invoice
// total reaches settings' high_value_order_threshold (in the base
// currency; 0 turns it off), in the order's transaction: a quote, which
// rolls back, tells nobody.
func announce(ctx context.Context, tx core.App, s *settings.Settings, customer, plan, order *core.Record, inv *ledger.Invoice) error {
	total := money.Amount{Minor: inv.Total(), Currency: inv.Currency()}
	data := notify.Data{"Order": order.Id, "Plan": plan.GetString("name"), "Total": total, "Invoice": notify.InvoiceFacts(inv)}
	if _, err := notify.Staff(ctx, tx, notify.Alert{Key: "new_order", Customer: customer, Data: data,
		DedupeKey: "order:" + order.Id + ":new"}); err != nil {
		return err
	}
	if !highValue(s, total) {
		return nil
	}
	data["Threshold"] = money.Amount{Minor: s.HighValueOrderThreshold, Currency: s.BaseCurrency}
	_, err := notify.Staff(ctx, tx, notify.Alert{Key: "high_value_order", Customer: customer, Data: data,
		DedupeKey: "order:" + order.Id + ":high_value"})
	return err
}

// highValue compares total, converted exactly to the base currency with
// settings' exchange rates (units of base per unit), with the threshold.
// A currency without a rate is never flagged.
func highValue(s *settings.Settings, total money.Amount) bool {
	if s.HighValueOrderThreshold <= 0 {
		return false
	}
	base, err := money.LookupCurrency(s.BaseCurrency)
	if err != nil {
		return false
	}
	cur, err := money.LookupCurrency(total.Currency)
	if err != nil {
		return false
	}
	rate := big.NewRat(1, 1)
	if cur.Code != base.Code {
		r, ok := new(big.Rat).SetString(s.ExchangeRates[cur.Code])
		if !ok || r.Sign() <= 0 {
			return false
		}
		rate = r
	}
	inBase := new(big.Rat).Mul(new(big.Rat).SetInt64(total.Minor), rate)
	shift := base.Exponent - cur.Exponent
	pow := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(max(shift, -shift))), nil))
	if shift >= 0 {
		inBase.Mul(inBase, pow)
	} else {
		inBase.Quo(inBase, pow)
	}
	return inBase.Cmp(new(big.Rat).SetInt64(s.HighValueOrderThreshold)) >= 0
}
