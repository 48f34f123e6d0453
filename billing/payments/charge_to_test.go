package payments_test

import (
	"errors"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/billing/payments"
)

// ApplyChargeTo takes the invoice its caller loaded; an invoice that is
// not the charge's is refused and nothing is written.
func TestApplyChargeToRefusesAnotherInvoice(t *testing.T) {
	w := newWorld(t)
	other := newWorld(t)
	otherInv, err := ledger.FindInvoice(other.app, other.order.Invoice.Id)
	if err != nil {
		t.Fatal(err)
	}
	for name, inv := range map[string]*ledger.Invoice{"none": nil, "another invoice": otherInv} {
		err := w.app.RunInTransaction(func(tx core.App) error {
			_, _, err := payments.ApplyChargeTo(ctx, tx, inv, payments.Charge{InvoiceID: w.order.Invoice.Id, Gateway: payments.GatewayStripe,
				GatewayID: "pi_" + name, Amount: money.Amount{Minor: 1700, Currency: "USD"}})
			return err
		})
		if !errors.Is(err, payments.ErrInvalid) {
			t.Errorf("%s: want ErrInvalid, got %v", name, err)
		}
	}
	if n := w.count(t, "payments", ""); n != 0 {
		t.Errorf("refused charges wrote %d payments", n)
	}
	if inv, _ := ledger.FindInvoice(w.app, w.order.Invoice.Id); inv.Status() != ledger.StatusOpen {
		t.Errorf("status %s", inv.Status())
	}
}

func TestApplyChargeToPaysTheLoadedInvoice(t *testing.T) {
	w := newWorld(t)
	err := w.app.RunInTransaction(func(tx core.App) error {
		inv, err := ledger.FindInvoice(tx, w.order.Invoice.Id)
		if err != nil {
			return err
		}
		_, applied, err := payments.ApplyChargeTo(ctx, tx, inv, payments.Charge{InvoiceID: inv.Id, Gateway: payments.GatewayStripe,
			GatewayID: "pi_loaded", Amount: money.Amount{Minor: inv.AmountDue(), Currency: inv.Currency()}})
		if err == nil && !applied {
			t.Error("charge not applied")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if inv, _ := ledger.FindInvoice(w.app, w.order.Invoice.Id); inv.Status() != ledger.StatusPaid {
		t.Errorf("status %s, want paid", inv.Status())
	}
	if n := w.count(t, "provisioning_jobs", ""); n != 1 {
		t.Errorf("%d provisioning jobs, want 1", n)
	}
}
