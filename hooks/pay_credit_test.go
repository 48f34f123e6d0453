package hooks_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/internal/testutil"
)

func TestPayFromAccountCredit(t *testing.T) {
	w := newOrderWorld(t)
	inv := placeVPSOrder(t, w) // 1,700 USD due
	id := inv["id"].(string)
	pay := func(token string) int {
		return w.api.Do(http.MethodPost, "/api/invoices/"+id+"/pay/credit", token, nil).Status
	}
	credit := func(c string, amount int64, currency string) {
		t.Helper()
		if _, err := ledger.AddCredit(context.Background(), w.app, ledger.CreditEntry{
			CustomerID: c, Currency: currency, Amount: amount, Reason: ledger.CreditManual, Description: "goodwill",
		}); err != nil {
			t.Fatal(err)
		}
	}

	if got := pay(w.aliceTok); got != http.StatusConflict {
		t.Errorf("without credit: %d, want 409", got)
	}
	credit(w.alice.Id, 5000, "EUR") // another currency's credit does not pay USD
	credit(w.bob.Id, 5000, "USD")
	if got := pay(w.aliceTok); got != http.StatusConflict {
		t.Errorf("with only EUR credit: %d, want 409", got)
	}
	if got := pay(testutil.Token(t, w.bob)); got != http.StatusNotFound {
		t.Errorf("bob paying alice's invoice: %d, want 404", got)
	}
	if got := pay(""); got != http.StatusUnauthorized {
		t.Errorf("anonymous: %d, want 401", got)
	}

	// Part of it, then the rest.
	credit(w.alice.Id, 700, "USD")
	if got := pay(w.aliceTok); got != http.StatusOK {
		t.Fatalf("partial: %d", got)
	}
	after, _ := ledger.FindInvoice(w.app, id)
	if after.Status() != ledger.StatusOpen || after.AmountDue() != 1000 || after.GetInt64("credit_applied") != 700 {
		t.Errorf("after 700 credit: %s due %d applied %d", after.Status(), after.AmountDue(), after.GetInt64("credit_applied"))
	}
	credit(w.alice.Id, 2500, "USD")
	res := w.api.Do(http.MethodPost, "/api/invoices/"+id+"/pay/credit", w.aliceTok, nil)
	if res.Status != http.StatusOK || res.Object(t)["status"] != "paid" {
		t.Fatalf("rest: %d %s", res.Status, res.Body)
	}
	if bal, _ := ledger.Balance(w.app, w.alice.Id, "USD"); bal != 1500 {
		t.Errorf("balance left %d, want 1500", bal)
	}
	if got := pay(w.aliceTok); got != http.StatusConflict {
		t.Errorf("paid twice: %d, want 409", got)
	}
	res = w.api.Do(http.MethodGet, "/api/account/credit", w.aliceTok, nil)
	balances, _ := res.Object(t)["balances"].(map[string]any)
	if res.Status != http.StatusOK || balances["USD"] != float64(1500) || balances["EUR"] != float64(5000) || len(balances) != 2 {
		t.Errorf("alice's balances: %d %s", res.Status, res.Body)
	}
	if res := w.api.Do(http.MethodGet, "/api/account/credit", "", nil); res.Status != http.StatusUnauthorized {
		t.Errorf("anonymous balance: %d", res.Status)
	}
	if bal, _ := ledger.Balance(w.app, w.alice.Id, "USD"); bal != 1500 {
		t.Errorf("a refused payment spent credit: balance %d", bal)
	}
}
