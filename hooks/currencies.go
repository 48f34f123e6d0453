package hooks

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"sync"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/money"
)

// currencyInfo is one currency as the portal reads it: Exponent decides
// how every amount is shown and typed, Step is the smallest amount that
// can be charged, in minor units.
type currencyInfo struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	Exponent int    `json:"exponent"`
	Step     int64  `json:"step"`
}

// currencyTable is the body of GET /api/currencies and its ETag, built once:
// the table changes only with a new build.
var currencyTable = sync.OnceValues(func() ([]byte, string) {
	table := money.Currencies()
	out := make([]currencyInfo, len(table))
	for i, c := range table {
		out[i] = currencyInfo{Code: c.Code, Name: c.Name, Exponent: c.Exponent, Step: c.Step()}
	}
	body, err := json.Marshal(out)
	if err != nil {
		panic(err) // a fixed table of strings and numbers always encodes
	}
	sum := sha256.Sum256(body)
	return body, `"` + hex.EncodeToString(sum[:16]) + `"`
})

// bindCurrencies serves billing/money's currency table, so that the portal
// and the staff console show and read amounts with the server's decimal
// places (ISO 4217: HUF has 2, whatever a browser's Intl data says) rather
// than a table of their own. Anyone may read it, and caches may keep it.
func bindCurrencies(app core.App) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.GET("/api/currencies", func(e *core.RequestEvent) error {
			body, etag := currencyTable()
			h := e.Response.Header()
			h.Set("Cache-Control", "public, max-age=3600")
			h.Set("ETag", etag)
			if e.Request.Header.Get("If-None-Match") == etag {
				return e.NoContent(http.StatusNotModified)
			}
			return e.Blob(http.StatusOK, "application/json", body)
		})
		return se.Next()
	})
}
