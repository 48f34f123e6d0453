package hooks_test

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/internal/testutil"
)

func TestInvoicePDF(t *testing.T) {
	w := newOrderWorld(t)
	res := w.api.Do(http.MethodPost, "/api/orders", w.aliceTok, map[string]any{
		"plan_price": w.vpsUSD.Id, "options": map[string]string{"hostname": "web1.example.com", "os": "debian-12"},
	})
	if res.Status != http.StatusCreated {
		t.Fatalf("order: %d %s", res.Status, res.Body)
	}
	invID := res.Object(t)["invoice"].(map[string]any)["id"].(string)
	url := "/api/invoices/" + invID + "/pdf"

	owner := w.api.Do(http.MethodGet, url, w.aliceTok, nil)
	if owner.Status != 200 || !bytes.HasPrefix(owner.Body, []byte("%PDF")) {
		t.Fatalf("owner: %d %.40q", owner.Status, owner.Body)
	}
	if dir := os.Getenv("PDF_SAMPLE_DIR"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, "order-invoice.pdf"), owner.Body, 0o644)
	}
	if again := w.api.Do(http.MethodGet, url, w.aliceTok, nil); !bytes.Equal(again.Body, owner.Body) {
		t.Error("an unchanged invoice rendered differently")
	}
	for name, tc := range map[string]struct {
		url, token string
		status     int
	}{
		"other customer": {url, testutil.Token(t, w.bob), 404},
		"anonymous":      {url, "", 401},
		"missing":        {"/api/invoices/nosuchinvoice00/pdf", w.aliceTok, 404},
		"staff":          {url, w.staffTok, 200},
		// A plain link carries a short-lived file token instead of a header.
		"owner's file token":  {url + "?token=" + fileToken(t, w.alice), "", 200},
		"other's file token":  {url + "?token=" + fileToken(t, w.bob), "", 404},
		"auth token in URL":   {url + "?token=" + w.aliceTok, "", 401},
		"forged token in URL": {url + "?token=not-a-token", "", 401},
	} {
		if got := w.api.Do(http.MethodGet, tc.url, tc.token, nil); got.Status != tc.status {
			t.Errorf("%s: status %d, want %d", name, got.Status, tc.status)
		}
	}

	// A change to the invoice renders anew.
	inv, _ := ledger.FindInvoice(w.app, invID)
	inv.Set("notes", "Paid by bank transfer, thank you.")
	if err := w.app.Save(inv); err != nil {
		t.Fatal(err)
	}
	if changed := w.api.Do(http.MethodGet, url, w.aliceTok, nil); bytes.Equal(changed.Body, owner.Body) {
		t.Error("the cached PDF outlived a change of the invoice")
	}

	// Drafts stay with staff.
	draft := testutil.Create(t, w.app, "invoices", map[string]any{"customer": w.alice.Id})
	if got := w.api.Do(http.MethodGet, "/api/invoices/"+draft.Id+"/pdf", w.aliceTok, nil); got.Status != 404 {
		t.Errorf("a customer got their draft's PDF: %d", got.Status)
	}
}

// fileToken is the file token PocketBase gives c (POST /api/files/token).
func fileToken(t *testing.T, c *core.Record) string {
	t.Helper()
	token, err := c.NewFileToken()
	if err != nil {
		t.Fatal(err)
	}
	return token
}
