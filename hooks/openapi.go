package hooks

import (
	"net/http"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/openapi"
)

// bindOpenAPI serves the API's OpenAPI document at GET /api/openapi.json,
// to anyone: it describes routes, never data.
func bindOpenAPI(app core.App) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.GET("/api/openapi.json", func(e *core.RequestEvent) error {
			e.Response.Header().Set("Cache-Control", "no-cache")
			return e.Blob(http.StatusOK, "application/json", openapi.Document())
		})
		return se.Next()
	})
}
