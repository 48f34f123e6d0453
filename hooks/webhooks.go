package hooks

import (
	"errors"
	"io"
	"net/http"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/webhooks"
	"github.com/ezscale/ezscale/integrations/gateway"
	"github.com/ezscale/ezscale/integrations/gateways"
	"github.com/ezscale/ezscale/internal/replication"
)

// bindWebhooks adds POST /api/webhooks/{gateway} for each enabled gateway,
// and the staff route that re-runs a stored event.
func bindWebhooks(app core.App, gw *gateways.Set) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		for _, g := range gw.Enabled() {
			se.Router.POST("/api/webhooks/"+g.Name, func(e *core.RequestEvent) error {
				return receive(e, g.Name, g.Client, g.HandleEvent)
			})
		}
		se.Router.POST("/api/staff/webhook-events/{id}/rerun", func(e *core.RequestEvent) error {
			rec, err := e.App.FindRecordById(webhooks.Collection, e.Request.PathValue("id"))
			if err != nil {
				return e.NotFoundError("", nil)
			}
			handle, ok := gateways.EventHandler(rec.GetString("gateway"))
			if !ok {
				return e.BadRequestError("No handler for this gateway's events.", nil)
			}
			out, err := webhooks.Rerun(e.App, rec.Id, handle)
			if err != nil {
				return e.BadRequestError("The event failed again: "+err.Error(), nil)
			}
			return e.JSON(http.StatusOK, out.Event)
		}).Bind(apis.RequireSuperuserAuth())
		return se.Next()
	})
}

// maxWebhookBytes bounds a delivery; no gateway event comes near it.
const maxWebhookBytes = 1 << 20

// receive verifies a delivery and hands it to webhooks.Receive. A forged or
// oversized delivery is answered 400 and nothing is stored; a stored event
// is answered 200 even when processing failed (it is flagged for staff),
// so the gateway does not retry what only staff can fix, but only once it
// is replicated (503 until then).
func receive(e *core.RequestEvent, name string, v gateway.Gateway, handle webhooks.Handler) error {
	body, err := io.ReadAll(io.LimitReader(e.Request.Body, maxWebhookBytes+1))
	if err != nil {
		return e.BadRequestError("Unreadable body.", nil)
	}
	if len(body) > maxWebhookBytes {
		return e.Error(http.StatusRequestEntityTooLarge, "Webhook body over 1 MiB.", nil)
	}
	ev, err := v.VerifyWebhook(e.Request.Context(), e.Request.Header, body)
	if errors.Is(err, gateway.ErrBadSignature) {
		return e.BadRequestError("Invalid webhook signature.", nil)
	}
	if err != nil {
		return e.BadRequestError("Invalid webhook: "+err.Error(), nil)
	}
	out, err := webhooks.Receive(e.App, name, ev, handle)
	if out.Event == nil {
		return err
	}
	if err != nil {
		e.App.Logger().Error("webhook processing failed", "gateway", name, "event", ev.ID, "error", err)
	}
	// 200 tells the gateway never to send this event again, so it is said
	// only once the event is on the replica: a machine lost a second later
	// must not take a payment with it. Otherwise the gateway redelivers and
	// the stored event makes the redelivery a duplicate.
	if err := replication.Durable(e.Request.Context(), e.App); err != nil {
		e.App.Logger().Error("webhook stored but not yet on the replica; asking for redelivery", "gateway", name, "event", ev.ID, "error", err)
		return e.Error(http.StatusServiceUnavailable, "The event is recorded but not yet replicated; please deliver it again.", nil)
	}
	return e.JSON(http.StatusOK, map[string]any{"received": true, "status": out.Status, "duplicate": out.Duplicate})
}
