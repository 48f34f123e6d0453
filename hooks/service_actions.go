package hooks

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/internal/audit"
	"github.com/ezscale/ezscale/internal/secrets"
)

// powerEvery is how often one service accepts a power action.
const powerEvery = 10 * time.Second

var powerActions = []string{provisioning.PowerStart, provisioning.PowerStop, provisioning.PowerRestart, provisioning.PowerKill}

// serviceActions are what can be done to a running service from outside:
// reveal its credentials, power it, open its panel. The owner's routes and
// staff's find the service their own way and share these, and one power
// throttle per service, so staff and customer cannot power it in turn
// faster than either alone. Each is audited with note ("" for the owner,
// "staff" for the console).
type serviceActions struct {
	drivers map[string]provisioning.Provisioner
	box     *secrets.Box
	power   *throttle
}

func newServiceActions(drivers map[string]provisioning.Provisioner, box *secrets.Box) *serviceActions {
	return &serviceActions{drivers: drivers, box: box, power: newThrottle(powerEvery)}
}

// driverOf is the platform driver of an active service.
func (a *serviceActions) driverOf(e *core.RequestEvent, svc *provisioning.Service) (provisioning.Provisioner, error) {
	if svc.Status() != provisioning.ServiceActive {
		return nil, e.Error(http.StatusConflict, "Only an active service can be powered or opened in its panel; this one is "+string(svc.Status())+".", nil)
	}
	if provisioning.ReinstallQueued(e.App, svc.Id) {
		return nil, e.Error(http.StatusConflict, "This service is being reinstalled; try again when it is done.", nil)
	}
	driver := a.drivers[svc.Platform()]
	if driver == nil {
		return nil, e.Error(http.StatusConflict, "This service's platform has no power control or panel login.", nil)
	}
	return driver, nil
}

func (a *serviceActions) credentials(e *core.RequestEvent, svc *provisioning.Service, note string) error {
	if svc.Credentials() == "" || a.box == nil {
		return e.NotFoundError("This service has no stored credentials.", nil)
	}
	creds, err := a.box.Open(svc.Credentials())
	if err != nil {
		return err
	}
	if err := audit.Record(e.App, audit.FromRequest(e), "credentials.reveal", svc.ProxyRecord(), note); err != nil {
		return err
	}
	if !e.HasSuperuserAuth() {
		creds = provisioning.CustomerCredentials(creds)
	}
	return e.JSON(http.StatusOK, creds)
}

func (a *serviceActions) sendPower(e *core.RequestEvent, svc *provisioning.Service, note string) error {
	var body struct {
		Action string `json:"action"`
	}
	if err := decodeJSON(e, &body); err != nil {
		return err
	}
	if !slices.Contains(powerActions, body.Action) {
		return e.BadRequestError("Unknown power action.", fieldError("action", "invalid", "choose start, stop, restart or kill"))
	}
	driver, err := a.driverOf(e, svc)
	if err != nil {
		return err
	}
	if !a.power.allow(svc.Id, time.Now()) {
		return e.TooManyRequestsError("Wait a few seconds before the next power action.", nil)
	}
	if err := audit.Record(e.App, audit.FromRequest(e), "power."+body.Action, svc.ProxyRecord(), note); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(e.Request.Context(), 30*time.Second)
	defer cancel()
	err = driver.Power(ctx, svc.Ref(), body.Action)
	if errors.Is(err, provisioning.ErrNotSupported) {
		return e.BadRequestError("This platform does not offer "+body.Action+".", nil)
	}
	if err != nil {
		return e.Error(http.StatusBadGateway, "The server's platform did not answer, try again.", nil)
	}
	// The platform accepted: show the transition and follow the service
	// until it reports the action done (in the background, past this
	// request). The action is sent either way, so a failure to follow it
	// is logged, not answered as an error to send it again.
	state, err := provisioning.PowerWatchOf(e.App, a.drivers).Start(e.Request.Context(), svc.ProxyRecord(), body.Action)
	if err != nil {
		e.App.Logger().Warn("power watch not started", "service", svc.Id, "action", body.Action, "error", err)
	}
	return e.JSON(http.StatusAccepted, map[string]string{"action": body.Action, "status": "sent", "power_state": string(state)})
}

func (a *serviceActions) panelLogin(e *core.RequestEvent, svc *provisioning.Service, note string) error {
	driver, err := a.driverOf(e, svc)
	if err != nil {
		return err
	}
	url, err := driver.LoginURL(e.Request.Context(), svc.Ref())
	if errors.Is(err, provisioning.ErrNotSupported) {
		return e.Error(http.StatusConflict, "This platform has no panel login.", nil)
	}
	if err != nil {
		return e.Error(http.StatusBadGateway, "The server's platform did not answer, try again.", nil)
	}
	if err := audit.Record(e.App, audit.FromRequest(e), "panel.login", svc.ProxyRecord(), note); err != nil {
		return err
	}
	return e.JSON(http.StatusOK, map[string]string{"url": url})
}

// owned runs an action on the caller's own service.
func owned(action func(*core.RequestEvent, *provisioning.Service, string) error) func(*core.RequestEvent) error {
	return func(e *core.RequestEvent) error {
		svc, err := ownedService(e)
		if err != nil {
			return err
		}
		return action(e, svc, "")
	}
}

// bindServiceActions adds what an owner does with a running service:
// reveal its credentials, power it, and open its panel. Every one is
// audited; power is limited per service. None is open to an account that
// is not in good standing (requireServiceAccess).
func bindServiceActions(app core.App, a *serviceActions) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		g := se.Router.Group("/api/services/{id}")
		g.Bind(apis.RequireAuth(customers.Collection, core.CollectionNameSuperusers), requireServiceAccess)
		g.GET("/credentials", owned(a.credentials))
		g.POST("/power", owned(a.sendPower)).Bind(refuseWhileWHMCSServes, apis.BodyLimit(1<<10))
		g.GET("/panel-login", owned(a.panelLogin))
		return se.Next()
	})
}
