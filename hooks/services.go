package hooks

import (
	"errors"
	"net/http"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/ezscale/ezscale/billing/cancellation"
	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/billing/planchange"
	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/internal/clock"
)

// bindServiceRoutes adds the customer's service actions: plan change
// (quote, then apply) and renaming, which need an account in good
// standing, and cancellation, which any account that can sign in may ask
// for.
func bindServiceRoutes(app core.App) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		g := se.Router.Group("/api/services/{id}")
		g.Bind(apis.RequireAuth(customers.Collection, core.CollectionNameSuperusers), apis.BodyLimit(16<<10))
		g.GET("/change-plan", quotePlanChange).Bind(requireServiceAccess, refuseWhileWHMCSServes)
		g.POST("/change-plan", applyPlanChange).Bind(requireServiceAccess, refuseWhileWHMCSServes)
		g.POST("/cancel", cancelService).Bind(refuseWhileWHMCSServes)
		g.PATCH("/label", renameService).Bind(requireServiceAccess)
		return se.Next()
	})
}

// ownedService loads the service in the path: the caller's own, or any for
// staff. Someone else's service answers exactly like a missing one.
func ownedService(e *core.RequestEvent) (*provisioning.Service, error) {
	svc, err := provisioning.FindService(e.App, e.Request.PathValue("id"))
	if err != nil || (!e.HasSuperuserAuth() && svc.CustomerID() != e.Auth.Id) {
		return nil, e.NotFoundError("", nil)
	}
	return svc, nil
}

func quotePlanChange(e *core.RequestEvent) error {
	svc, err := ownedService(e)
	if err != nil {
		return err
	}
	q, err := planchange.QuoteChange(e.App, svc.ProxyRecord(), e.Request.URL.Query().Get("plan_price"), clock.Now(e.App))
	if err != nil {
		return planChangeError(err)
	}
	return e.JSON(http.StatusOK, q)
}

func applyPlanChange(e *core.RequestEvent) error {
	svc, err := ownedService(e)
	if err != nil {
		return err
	}
	var body struct {
		PlanPrice string `json:"plan_price"`
	}
	if err := decodeJSON(e, &body); err != nil {
		return err
	}
	q, err := planchange.QuoteChange(e.App, svc.ProxyRecord(), body.PlanPrice, clock.Now(e.App))
	if err != nil {
		return planChangeError(err)
	}
	out, err := planchange.Apply(e.Request.Context(), e.App, q)
	if err != nil {
		return planChangeError(err)
	}
	resp := map[string]any{"quote": q, "applied": out.Applied, "credit": out.Credit}
	if out.Invoice != nil {
		resp["invoice"] = out.Invoice.ProxyRecord()
	}
	return e.JSON(http.StatusOK, resp)
}

func cancelService(e *core.RequestEvent) error {
	svc, err := ownedService(e)
	if err != nil {
		return err
	}
	var req cancellation.Request
	if err := decodeJSON(e, &req); err != nil {
		return err
	}
	res, err := cancellation.Cancel(e.Request.Context(), e.App, svc.ProxyRecord(), req, e.HasSuperuserAuth(), clock.Now(e.App))
	var ce *cancellation.Error
	if errors.As(err, &ce) {
		return router.NewApiError(ce.Status, ce.Message, fieldError(ce.Field, ce.Code, ce.Message))
	}
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, map[string]any{"subscription": res.Subscription, "credit": res.Credit})
}

func planChangeError(err error) error {
	var pe *planchange.Error
	if errors.As(err, &pe) {
		return router.NewApiError(pe.Status, pe.Message, fieldError("plan_price", pe.Code, pe.Message))
	}
	return err
}

// bindServiceStatus turns staff status edits in the dashboard into queued
// platform actions, in the same transaction as the edit. A service
// terminated there ends its subscription now, as the console's Terminate
// does, so a terminated service is never billed again.
func bindServiceStatus(app core.App) {
	app.OnRecordUpdateRequest(provisioning.ServicesCollection).BindFunc(func(e *core.RecordRequestEvent) error {
		if !e.HasSuperuserAuth() {
			return e.Next()
		}
		return e.App.RunInTransaction(func(tx core.App) error {
			e.App = tx
			ctx := e.Request.Context()
			if err := provisioning.StaffStatusChange(ctx, tx, e.Record, e.Auth.Id); err != nil {
				return e.BadRequestError(err.Error(), nil)
			}
			was := provisioning.AsService(e.Record.Original()).Status()
			if provisioning.AsService(e.Record).Status() == provisioning.ServiceTerminated && was != provisioning.ServiceTerminated {
				_, err := cancellation.Cancel(ctx, tx, e.Record, cancellation.Request{When: cancellation.Immediately,
					Comment: "terminated by staff in the dashboard"}, true, clock.Now(tx))
				var ce *cancellation.Error
				if err != nil && !(errors.As(err, &ce) && (ce.Code == "no_subscription" || ce.Code == "already_cancelled")) {
					return err
				}
			}
			return e.Next()
		})
	})
}

// bindJobRetry gives a failed provisioning job that staff set back to
// pending a fresh set of attempts, due now.
func bindJobRetry(app core.App) {
	app.OnRecordUpdateRequest(provisioning.Collection).BindFunc(func(e *core.RecordRequestEvent) error {
		job := provisioning.AsQueuedJob(e.Record)
		if provisioning.AsQueuedJob(e.Record.Original()).Status() == provisioning.JobFailed && job.Status() == provisioning.JobPending {
			job.SetAttempts(0)
			job.SetRunAfter(types.NowDateTime())
			job.SetFinishedAt(types.DateTime{})
		}
		return e.Next()
	})
}
