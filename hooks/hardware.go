package hooks

import (
	"net/http"
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/internal/audit"
	"github.com/ezscale/ezscale/internal/settings"
)

// bindHardware adds the routes of dedicated orders that found no matching
// hardware: staff list them, list the platform's free servers for one and
// assign one (superuser only); the customer reads that their server is
// being prepared and by when.
func bindHardware(app core.App, drivers map[string]provisioning.Provisioner) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		g := se.Router.Group("/api/staff/hardware")
		g.Bind(apis.RequireSuperuserAuth(), apis.BodyLimit(4<<10))
		g.GET("", listHardwareWaiting)
		g.GET("/{id}/servers", func(e *core.RequestEvent) error {
			_, free, err := freeHardware(e, drivers)
			if err != nil {
				return err
			}
			return e.JSON(http.StatusOK, map[string]any{"servers": free})
		})
		g.POST("/{id}/assign", func(e *core.RequestEvent) error {
			var body struct {
				ServerID string `json:"server_id"`
			}
			if err := decodeJSON(e, &body); err != nil {
				return err
			}
			svc, free, err := freeHardware(e, drivers)
			if err != nil {
				return err
			}
			job, err := provisioning.AssignHardware(e.Request.Context(), e.App, svc.Id, body.ServerID, free, audit.FromRequest(e))
			if err != nil {
				return staffError(err)
			}
			return e.JSON(http.StatusAccepted, map[string]any{"job": job.Id, "server_id": body.ServerID})
		})

		c := se.Router.Group("/api/services/{id}")
		c.Bind(apis.RequireAuth("customers", core.CollectionNameSuperusers))
		c.GET("/preparing", servicePreparing)
		return se.Next()
	})
}

// hardwareWaiting is one order staff must assign hardware to.
type hardwareWaiting struct {
	Service      string         `json:"service"`
	Label        string         `json:"label"`
	Customer     string         `json:"customer"`
	CustomerName string         `json:"customer_name"`
	Plan         string         `json:"plan"`
	Hardware     map[string]any `json:"hardware"` // the plan's platform_config
	Location     string         `json:"location"` // what the customer chose, if anything
	WaitingSince time.Time      `json:"waiting_since"`
	Reason       string         `json:"reason"`
}

func listHardwareWaiting(e *core.RequestEvent) error {
	jobs, err := provisioning.HardwareWaitingJobs(e.App)
	if err != nil {
		return err
	}
	out := []hardwareWaiting{}
	for _, j := range jobs {
		svc, err := provisioning.FindService(e.App, j.ServiceID())
		if err != nil {
			continue
		}
		w := hardwareWaiting{Service: svc.Id, Label: svc.GetString("label"), Customer: svc.CustomerID(),
			WaitingSince: j.Created().Time(), Reason: j.LastError(), Hardware: map[string]any{}}
		if c, err := e.App.FindRecordById("customers", svc.CustomerID()); err == nil {
			w.CustomerName = c.GetString("name")
		}
		if p, err := e.App.FindRecordById("plans", svc.PlanID()); err == nil {
			w.Plan = p.GetString("name")
			_ = p.UnmarshalJSONField("platform_config", &w.Hardware)
		}
		options := map[string]string{}
		_ = svc.UnmarshalJSONField("options", &options)
		w.Location = options["location"]
		out = append(out, w)
	}
	return e.JSON(http.StatusOK, map[string]any{"items": out})
}

// freeHardware checks the service in the path waits for hardware (404
// unknown, 409 not waiting) and asks its platform for the free servers,
// outside any transaction.
func freeHardware(e *core.RequestEvent, drivers map[string]provisioning.Provisioner) (*provisioning.Service, []provisioning.HardwareServer, error) {
	rec, err := provisioning.FindServiceForStaff(e.App, e.Request.PathValue("id"))
	if err != nil {
		return nil, nil, staffError(err)
	}
	svc := provisioning.AsService(rec)
	job, err := provisioning.HardwareWaiting(e.App, svc.Id)
	if err != nil {
		return nil, nil, err
	}
	if job == nil || svc.Status() != provisioning.ServiceProvisioning {
		return nil, nil, e.Error(http.StatusConflict, "This service is not waiting for hardware.", nil)
	}
	picker, ok := drivers[svc.Platform()].(provisioning.HardwarePicker)
	if !ok {
		return nil, nil, e.BadRequestError("This service's platform has no inventory to pick from.", nil)
	}
	plan, err := e.App.FindRecordById("plans", svc.PlanID())
	if err != nil {
		return nil, nil, e.NotFoundError("The service's plan was not found.", nil)
	}
	config := map[string]any{}
	_ = plan.UnmarshalJSONField("platform_config", &config)
	options := map[string]string{}
	_ = svc.UnmarshalJSONField("options", &options)
	free, err := picker.FreeServers(e.Request.Context(), config, options)
	if err != nil {
		return nil, nil, e.Error(http.StatusBadGateway, "The platform did not list its free servers: "+err.Error(), nil)
	}
	return svc, free, nil
}

// servicePreparing tells the owner whether their server waits for staff to
// prepare hardware, and by when it is usually ready. Someone else's
// service answers like a missing one.
func servicePreparing(e *core.RequestEvent) error {
	svc, err := ownedService(e)
	if err != nil {
		return err
	}
	job, err := provisioning.HardwareWaiting(e.App, svc.Id)
	if err != nil {
		return err
	}
	if job == nil || svc.Status() != provisioning.ServiceProvisioning {
		return e.JSON(http.StatusOK, map[string]any{"preparing": false})
	}
	s, err := settings.Load(e.App)
	if err != nil {
		return err
	}
	hours := s.HardwarePrepareHours
	return e.JSON(http.StatusOK, map[string]any{"preparing": true, "estimate_hours": hours,
		"ready_by": job.Created().Time().Add(time.Duration(hours) * time.Hour).UTC()})
}
