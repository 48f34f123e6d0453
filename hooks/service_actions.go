package hooks

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/internal/audit"
	"github.com/ezscale/ezscale/internal/secrets"
)

// powerEvery is how often one service accepts a power action.
const powerEvery = 10 * time.Second

var powerActions = []string{provisioning.PowerStart, provisioning.PowerStop, provisioning.PowerRestart, provisioning.PowerKill}

// bindServiceActions adds what an owner does with a running service:
// reveal its credentials, power it, and open its panel. Every one is
// audited; power is limited per service. None is open to an account that
// is not in good standing (requireServiceAccess).
func bindServiceActions(app core.App, drivers map[string]provisioning.Provisioner, box *secrets.Box) {
	power := newThrottle(powerEvery)

	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		g := se.Router.Group("/api/services/{id}")
		g.Bind(apis.RequireAuth("customers", core.CollectionNameSuperusers), requireServiceAccess)

		g.GET("/credentials", func(e *core.RequestEvent) error {
			svc, err := ownedService(e)
			if err != nil {
				return err
			}
			if svc.GetString("credentials") == "" || box == nil {
				return e.NotFoundError("This service has no stored credentials.", nil)
			}
			creds, err := box.Open(svc.GetString("credentials"))
			if err != nil {
				return err
			}
			if err := audit.Record(e.App, audit.FromRequest(e), "credentials.reveal", svc, ""); err != nil {
				return err
			}
			return e.JSON(http.StatusOK, creds)
		})

		g.POST("/power", func(e *core.RequestEvent) error {
			svc, err := ownedService(e)
			if err != nil {
				return err
			}
			var body struct {
				Action string `json:"action"`
			}
			if err := decodeJSON(e, &body); err != nil {
				return err
			}
			if !slices.Contains(powerActions, body.Action) {
				return e.BadRequestError("Unknown power action.", fieldError("action", "invalid", "choose start, stop, restart or kill"))
			}
			if svc.GetString("status") != "active" {
				return e.Error(http.StatusConflict, "Only an active service can be powered; this one is "+svc.GetString("status")+".", nil)
			}
			driver := drivers[svc.GetString("platform")]
			if driver == nil {
				return e.Error(http.StatusConflict, "This service's platform has no power control.", nil)
			}
			if !power.allow(svc.Id, time.Now()) {
				return e.TooManyRequestsError("Wait a few seconds before the next power action.", nil)
			}
			if err := audit.Record(e.App, audit.FromRequest(e), "power."+body.Action, svc, ""); err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(e.Request.Context(), 30*time.Second)
			defer cancel()
			err = driver.Power(ctx, refOf(svc), body.Action)
			if errors.Is(err, provisioning.ErrNotSupported) {
				return e.BadRequestError("This platform does not offer "+body.Action+".", nil)
			}
			if err != nil {
				return e.Error(http.StatusBadGateway, "The server's platform did not answer, try again.", nil)
			}
			return e.JSON(http.StatusAccepted, map[string]string{"action": body.Action, "status": "sent"})
		}).Bind(refuseWhileWHMCSServes, apis.BodyLimit(1<<10))

		g.GET("/panel-login", func(e *core.RequestEvent) error {
			svc, err := ownedService(e)
			if err != nil {
				return err
			}
			driver := drivers[svc.GetString("platform")]
			if driver == nil || svc.GetString("status") != "active" {
				return e.Error(http.StatusConflict, "No panel login for this service.", nil)
			}
			url, err := driver.LoginURL(e.Request.Context(), refOf(svc))
			if errors.Is(err, provisioning.ErrNotSupported) {
				return e.Error(http.StatusConflict, "This platform has no panel login.", nil)
			}
			if err != nil {
				return e.Error(http.StatusBadGateway, "The server's platform did not answer, try again.", nil)
			}
			if err := audit.Record(e.App, audit.FromRequest(e), "panel.login", svc, ""); err != nil {
				return err
			}
			return e.JSON(http.StatusOK, map[string]string{"url": url})
		})
		return se.Next()
	})
}

func refOf(svc *core.Record) provisioning.Ref {
	return provisioning.Ref{ServiceID: svc.Id, PlatformServiceID: svc.GetString("platform_service_id"), PlatformUserID: svc.GetString("platform_user_id")}
}
