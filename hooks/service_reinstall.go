package hooks

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/integrations/notify"
	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/internal/audit"
)

// reinstallEvery is how often one service accepts a reinstall request: a
// reinstall wipes the server, so a second one within minutes is a mistake.
const reinstallEvery = time.Minute

// serviceReinstall is the owner's OS (or game) reinstall: the choices the
// platform offers, and the request, which the provisioning queue carries
// out. The customer confirms by typing the service's name, as staff do to
// terminate.
type serviceReinstall struct {
	drivers  map[string]provisioning.Provisioner
	throttle *throttle
}

// reinstallOptions is what the reinstall card shows.
type reinstallOptions struct {
	Choices []provisioning.ReinstallChoice `json:"choices"`
	// Confirm is what the customer types to confirm.
	Confirm      string `json:"confirm"`
	Reinstalling bool   `json:"reinstalling"`
}

// reinstallerOf is the driver of a service that can be reinstalled now,
// or the refusal: not active (409), a platform without reinstall (400), a
// reinstall already under way (409).
func (s *serviceReinstall) reinstallerOf(e *core.RequestEvent, svc *provisioning.Service) (provisioning.Reinstaller, error) {
	r, ok := s.drivers[svc.Platform()].(provisioning.Reinstaller)
	if !ok {
		return nil, e.BadRequestError("This service cannot be reinstalled: "+platformWithoutReinstall(svc)+".", nil)
	}
	if svc.Status() != provisioning.ServiceActive {
		return nil, e.Error(http.StatusConflict, "Only an active service can be reinstalled; this one is "+string(svc.Status())+".", nil)
	}
	return r, nil
}

func platformWithoutReinstall(svc *provisioning.Service) string {
	if svc.ServiceType() == "hosting" {
		return "web hosting has no operating system to reinstall"
	}
	return "its platform offers no reinstall"
}

// choices asks the platform what the service may be reinstalled with.
func (s *serviceReinstall) choices(e *core.RequestEvent, r provisioning.Reinstaller, svc *provisioning.Service) ([]provisioning.ReinstallChoice, error) {
	plan, err := e.App.FindRecordById("plans", svc.PlanID())
	if err != nil {
		return nil, err
	}
	config := map[string]any{}
	_ = plan.UnmarshalJSONField("platform_config", &config)
	ctx, cancel := context.WithTimeout(e.Request.Context(), 30*time.Second)
	defer cancel()
	list, err := r.ReinstallChoices(ctx, svc.Ref(), config)
	if err != nil {
		e.App.Logger().Warn("reinstall choices", "service", svc.Id, "platform", svc.Platform(), "error", err.Error())
		return nil, e.Error(http.StatusBadGateway, "The server's platform did not answer, try again.", nil)
	}
	if list == nil {
		list = []provisioning.ReinstallChoice{}
	}
	return list, nil
}

func (s *serviceReinstall) options(e *core.RequestEvent) error {
	svc, err := ownedService(e)
	if err != nil {
		return err
	}
	r, err := s.reinstallerOf(e, svc)
	if err != nil {
		return err
	}
	list, err := s.choices(e, r, svc)
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, reinstallOptions{Choices: list, Confirm: notify.ServiceLabel(svc.ProxyRecord()),
		Reinstalling: provisioning.ReinstallQueued(e.App, svc.Id)})
}

func (s *serviceReinstall) request(e *core.RequestEvent) error {
	svc, err := ownedService(e)
	if err != nil {
		return err
	}
	var body struct {
		Choice  string   `json:"choice"`
		Confirm string   `json:"confirm"`
		SSHKeys []string `json:"ssh_keys"`
	}
	if err := decodeJSON(e, &body); err != nil {
		return err
	}
	r, err := s.reinstallerOf(e, svc)
	if err != nil {
		return err
	}
	if strings.TrimSpace(body.Choice) == "" {
		return e.BadRequestError("Choose what to install.", fieldError("choice", "required", "choose an operating system or game"))
	}
	if want := notify.ServiceLabel(svc.ProxyRecord()); strings.TrimSpace(body.Confirm) != want {
		return e.BadRequestError("Type the service's name, "+want+", to confirm: reinstalling erases all its data.",
			fieldError("confirm", "mismatch", "type "+want+" to confirm"))
	}
	if len(body.SSHKeys) > provisioning.MaxSSHKeys {
		return e.BadRequestError("Too many SSH keys.", fieldError("ssh_keys", "too_many", "choose at most 20 keys"))
	}
	if provisioning.ReinstallQueued(e.App, svc.Id) {
		return e.Error(http.StatusConflict, "This service is being reinstalled already.", nil)
	}
	if !s.throttle.allow(svc.Id, time.Now()) {
		return e.TooManyRequestsError("This service was reinstalled a moment ago; wait a minute.", nil)
	}
	list, err := s.choices(e, r, svc)
	if err != nil {
		return err
	}
	var chosen *provisioning.ReinstallChoice
	for i := range list {
		if list[i].ID == body.Choice {
			chosen = &list[i]
		}
	}
	if chosen == nil {
		return e.BadRequestError("That is not one of this service's choices.", fieldError("choice", "invalid", "choose one of the listed choices"))
	}
	var job *core.Record
	err = e.App.RunInTransaction(func(tx core.App) error {
		if err := audit.Record(tx, audit.FromRequest(e), "service.reinstall", svc.ProxyRecord(), chosen.Name); err != nil {
			return err
		}
		job, err = provisioning.RequestReinstall(e.Request.Context(), tx, svc.ProxyRecord(), *chosen, body.SSHKeys, "customer:"+e.Auth.Id)
		return err
	})
	if errors.Is(err, provisioning.ErrReinstallBusy) {
		return e.Error(http.StatusConflict, "This service is being reinstalled already.", nil)
	}
	if err != nil {
		return err
	}
	return e.JSON(http.StatusAccepted, map[string]string{"status": "queued", "job": job.Id, "choice": chosen.Name})
}

// bindServiceReinstall adds the owner's reinstall routes. Like power they
// need an account in good standing and a service WHMCS no longer serves.
func bindServiceReinstall(app core.App, drivers map[string]provisioning.Provisioner) {
	s := &serviceReinstall{drivers: drivers, throttle: newThrottle(reinstallEvery)}
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		g := se.Router.Group("/api/services/{id}")
		g.Bind(apis.RequireAuth(customers.Collection, core.CollectionNameSuperusers), requireServiceAccess)
		g.GET("/reinstall-options", s.options)
		g.POST("/reinstall", s.request).Bind(refuseWhileWHMCSServes, apis.BodyLimit(4<<10))
		return se.Next()
	})
}
