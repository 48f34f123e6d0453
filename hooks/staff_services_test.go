package hooks_test

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/ledgercheck"
	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/billing/orders"
	"github.com/ezscale/ezscale/billing/payments"
	"github.com/ezscale/ezscale/billing/renewals"
	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/internal/testutil"
)

// staffWorld is an app with a paid, active monthly VPS of one customer.
type staffWorld struct {
	app        core.App
	api        *testutil.API
	staff, cus string // tokens
	svc, sub   *core.Record
	invoice    string
	base       string
}

func newStaffWorld(t *testing.T) *staffWorld {
	t.Helper()
	app := testutil.NewAppWithPlatforms(t, testutil.Config(), map[string]provisioning.Provisioner{"virtfusion": &powerPlatform{}})
	_, price := testutil.Plan(t, app, "vps-staff", "USD", 1000)
	c := testutil.Customer(t, app, "held@example.com", "USD")
	ctx := context.Background()
	res, err := orders.Place(ctx, app, c, orders.Request{PlanPrice: price.Id}, orders.By{}, time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	err = app.RunInTransaction(func(tx core.App) error {
		_, _, err := payments.ApplyCharge(ctx, tx, payments.Charge{InvoiceID: res.Invoice.Id, Gateway: payments.GatewayManual,
			Amount: money.MustNew(res.Invoice.Total(), "USD"), PaidAt: time.Now().UTC()})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	svc, _ := app.FindRecordById("services", res.Service.Id)
	svc.Set("status", "active") // as the create job would
	svc.Set("label", "vps.held.example")
	if err := app.Save(svc); err != nil {
		t.Fatal(err)
	}
	sub, _ := app.FindRecordById("subscriptions", res.Subscription.Id)
	return &staffWorld{app: app, api: testutil.NewAPI(t, app), staff: testutil.Token(t, testutil.Superuser(t, app, "ops@ezscale.test")),
		cus: testutil.Token(t, c), svc: svc, sub: sub, invoice: res.Invoice.Id, base: "/api/staff/services/" + svc.Id}
}

func (w *staffWorld) reload(t *testing.T, rec *core.Record) *core.Record {
	t.Helper()
	fresh, err := w.app.FindRecordById(rec.Collection().Name, rec.Id)
	if err != nil {
		t.Fatal(err)
	}
	return fresh
}

func (w *staffWorld) jobs(t *testing.T, action provisioning.Action) int {
	t.Helper()
	n, err := w.app.CountRecords(provisioning.Collection, dbx.HashExp{"service": w.svc.Id, "action": string(action)})
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func (w *staffWorld) audited(t *testing.T, action, message string) bool {
	t.Helper()
	n, _ := w.app.CountRecords("audit_logs", dbx.HashExp{"action": action, "message": message, "actor_kind": "superuser"})
	return n > 0
}

func (w *staffWorld) ledgerOK(t *testing.T, at time.Time) {
	t.Helper()
	rep, err := ledgercheck.RunAt(w.app, at)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range rep.Violations {
		t.Errorf("ledger check: %+v", v)
	}
}

func TestStaffServiceRoutesAreStaffOnly(t *testing.T) {
	w := newStaffWorld(t)
	for _, r := range []struct{ method, path string }{
		{http.MethodPost, w.base + "/suspend"}, {http.MethodPost, w.base + "/unsuspend"}, {http.MethodPost, w.base + "/terminate"},
		{http.MethodPost, w.base + "/due-date"}, {http.MethodPost, w.base + "/price"}, {http.MethodPost, w.base + "/power"},
		{http.MethodGet, w.base + "/credentials"}, {http.MethodGet, w.base + "/panel-login"},
		{http.MethodPost, w.base + "/jobs/x/retry"}, {http.MethodPost, w.base + "/jobs/x/cancel"},
		{http.MethodPost, "/api/staff/orders/x/approve"}, {http.MethodPost, "/api/staff/orders/x/decline"},
	} {
		for who, tok := range map[string]string{"anonymous": "", "customer": w.cus} {
			if res := w.api.Do(r.method, r.path, tok, map[string]string{"reason": "x"}); res.Status != http.StatusUnauthorized && res.Status != http.StatusForbidden {
				t.Errorf("%s %s as %s: %d", r.method, r.path, who, res.Status)
			}
		}
	}
	if w.reload(t, w.svc).GetString("status") != "active" {
		t.Error("a refused request changed the service")
	}
}

func TestStaffSuspendAndUnsuspend(t *testing.T) {
	w := newStaffWorld(t)
	for name, tc := range map[string]struct {
		path   string
		body   any
		status int
	}{
		"no reason":        {w.base + "/suspend", map[string]string{"reason": " "}, http.StatusBadRequest},
		"unknown field":    {w.base + "/suspend", map[string]string{"reason": "abuse", "status": "terminated"}, http.StatusBadRequest},
		"unknown service":  {"/api/staff/services/nosuchservice1/suspend", map[string]string{"reason": "abuse"}, http.StatusNotFound},
		"unsuspend active": {w.base + "/unsuspend", map[string]string{"reason": "back"}, http.StatusConflict},
	} {
		if res := w.api.Do(http.MethodPost, tc.path, w.staff, tc.body); res.Status != tc.status {
			t.Errorf("%s: %d %s, want %d", name, res.Status, res.Body, tc.status)
		}
	}
	if w.jobs(t, provisioning.ActionSuspend) != 0 || w.reload(t, w.svc).GetString("status") != "active" {
		t.Fatal("a refused suspension changed something")
	}

	if res := w.api.Do(http.MethodPost, w.base+"/suspend", w.staff, map[string]string{"reason": "Spam from this server"}); res.Status != http.StatusOK {
		t.Fatalf("suspend: %d %s", res.Status, res.Body)
	}
	svc := w.reload(t, w.svc)
	if svc.GetString("status") != "suspended" || svc.GetString("suspend_reason") != "staff" || w.jobs(t, provisioning.ActionSuspend) != 1 {
		t.Errorf("after suspend: %s/%s, %d jobs", svc.GetString("status"), svc.GetString("suspend_reason"), w.jobs(t, provisioning.ActionSuspend))
	}
	if !w.audited(t, "service.suspend", "Spam from this server") {
		t.Error("suspension not audited with its reason")
	}
	if res := w.api.Do(http.MethodPost, w.base+"/suspend", w.staff, map[string]string{"reason": "again"}); res.Status != http.StatusConflict {
		t.Errorf("suspend twice: %d", res.Status)
	}
	if res := w.api.Do(http.MethodPost, w.base+"/unsuspend", w.staff, map[string]string{"reason": "Customer cleaned up"}); res.Status != http.StatusOK {
		t.Fatalf("unsuspend: %d %s", res.Status, res.Body)
	}
	svc = w.reload(t, w.svc)
	if svc.GetString("status") != "active" || svc.GetString("suspend_reason") != "" || w.jobs(t, provisioning.ActionUnsuspend) != 1 {
		t.Errorf("after unsuspend: %s/%s", svc.GetString("status"), svc.GetString("suspend_reason"))
	}
	w.ledgerOK(t, time.Now().UTC())
}

func TestStaffTerminate(t *testing.T) {
	w := newStaffWorld(t)
	if res := w.api.Do(http.MethodPost, w.base+"/terminate", w.staff, map[string]any{"confirm": "vps.other.example", "reason": "fraud"}); res.Status != http.StatusBadRequest {
		t.Errorf("wrong label: %d %s", res.Status, res.Body)
	}
	if w.jobs(t, provisioning.ActionTerminate) != 0 || w.reload(t, w.sub).GetString("status") != "active" {
		t.Fatal("a refused termination changed something")
	}
	if res := w.api.Do(http.MethodPost, w.base+"/terminate", w.staff, map[string]any{"confirm": "vps.held.example", "reason": "Chargeback fraud"}); res.Status != http.StatusAccepted {
		t.Fatalf("terminate: %d %s", res.Status, res.Body)
	}
	if w.jobs(t, provisioning.ActionTerminate) != 1 || w.reload(t, w.sub).GetString("status") != "cancelled" || !w.audited(t, "service.terminate", "Chargeback fraud") {
		t.Error("termination: want one job, a cancelled subscription and an audit entry")
	}
	if res := w.api.Do(http.MethodPost, w.base+"/terminate", w.staff, map[string]any{"confirm": "vps.held.example", "reason": "again"}); res.Status != http.StatusConflict {
		t.Errorf("terminate twice: %d %s", res.Status, res.Body)
	}
	if w.jobs(t, provisioning.ActionTerminate) != 1 {
		t.Error("a second termination queued another job")
	}
	w.ledgerOK(t, time.Now().UTC())
}

// The next due date moves later (free time) or back down to the end of
// what was billed, never before it nor into the past; the renewal run then
// bills from it, and the books stay right.
func TestStaffMoveDueDate(t *testing.T) {
	w := newStaffWorld(t)
	paidEnd := w.sub.GetDateTime("current_period_end").Time()
	day := func(t time.Time) string { return t.UTC().Format(time.DateOnly) }
	for name, body := range map[string]map[string]string{
		"in the past":         {"date": day(time.Now().AddDate(0, 0, -2)), "reason": "x"},
		"before the paid end": {"date": day(paidEnd.AddDate(0, 0, -3)), "reason": "x"},
		"not a date":          {"date": "next tuesday", "reason": "x"},
		"no reason":           {"date": day(paidEnd.AddDate(0, 0, 10)), "reason": ""},
	} {
		if res := w.api.Do(http.MethodPost, w.base+"/due-date", w.staff, body); res.Status != http.StatusBadRequest {
			t.Errorf("%s: %d %s", name, res.Status, res.Body)
		}
	}
	if !w.reload(t, w.sub).GetDateTime("billed_until").Time().Equal(paidEnd) {
		t.Fatal("a refused move changed the due date")
	}

	to := paidEnd.AddDate(0, 0, 10)
	if res := w.api.Do(http.MethodPost, w.base+"/due-date", w.staff, map[string]string{"date": day(to), "reason": "Ten days for the outage"}); res.Status != http.StatusOK {
		t.Fatalf("move: %d %s", res.Status, res.Body)
	}
	sub := w.reload(t, w.sub)
	if got := sub.GetDateTime("billed_until").Time(); !got.Equal(to) || !sub.GetDateTime("current_period_end").Time().Equal(to) {
		t.Errorf("due date %v / period end %v, want %v (the day at the schedule's time)", got, sub.GetDateTime("current_period_end").Time(), to)
	}
	if !w.audited(t, "subscription.due_date", "next due date "+day(paidEnd)+" → "+day(to)+": Ten days for the outage") {
		t.Error("move not audited with its reason")
	}

	// Back to exactly the paid end is allowed.
	if res := w.api.Do(http.MethodPost, w.base+"/due-date", w.staff, map[string]string{"date": day(paidEnd), "reason": "Undo"}); res.Status != http.StatusOK {
		t.Fatalf("back to the paid end: %d %s", res.Status, res.Body)
	}
	if res := w.api.Do(http.MethodPost, w.base+"/due-date", w.staff, map[string]string{"date": day(to), "reason": "Redo"}); res.Status != http.StatusOK {
		t.Fatalf("move again: %d %s", res.Status, res.Body)
	}

	// Two renewal runs over the next months bill from the new date on,
	// each period once.
	for _, at := range []time.Time{to.AddDate(0, 0, -1), to.AddDate(0, 1, -1), to.AddDate(0, 1, -1)} {
		if _, err := renewals.Run(w.app, renewals.Options{Now: at}); err != nil {
			t.Fatal(err)
		}
	}
	lines, err := w.app.FindAllRecords(ledger.ItemsCollection, dbx.HashExp{"subscription": w.sub.Id, "kind": "period"})
	if err != nil {
		t.Fatal(err)
	}
	var starts []time.Time
	for _, l := range lines {
		starts = append(starts, l.GetDateTime("period_start").Time())
	}
	slices.SortFunc(starts, time.Time.Compare)
	if len(lines) != 3 || !starts[1].Equal(to) {
		t.Errorf("period starts %v, want the first period, then one from %v, then the next", starts, to)
	}
	w.ledgerOK(t, to.AddDate(0, 1, -1))
}

func TestStaffOverridePrice(t *testing.T) {
	w := newStaffWorld(t)
	for name, body := range map[string]map[string]any{
		"negative":         {"amount": -1, "currency": "USD", "reason": "x"},
		"wrong currency":   {"amount": 500, "currency": "EUR", "reason": "x"},
		"unknown currency": {"amount": 500, "currency": "XXX", "reason": "x"},
		"no reason":        {"amount": 500, "currency": "USD", "reason": ""},
	} {
		if res := w.api.Do(http.MethodPost, w.base+"/price", w.staff, body); res.Status != http.StatusBadRequest {
			t.Errorf("%s: %d %s", name, res.Status, res.Body)
		}
	}
	if w.reload(t, w.sub).GetInt64("amount") != 1000 {
		t.Fatal("a refused override changed the price")
	}
	if res := w.api.Do(http.MethodPost, w.base+"/price", w.staff, map[string]any{"amount": 750, "currency": "USD", "reason": "Loyalty"}); res.Status != http.StatusOK {
		t.Fatalf("override: %d %s", res.Status, res.Body)
	}
	if !w.audited(t, "subscription.price", "price 10.00 USD → 7.50 USD: Loyalty") {
		t.Error("override not audited with before, after and reason")
	}
	end := w.sub.GetDateTime("current_period_end").Time()
	if _, err := renewals.Run(w.app, renewals.Options{Now: end.AddDate(0, 0, -1)}); err != nil {
		t.Fatal(err)
	}
	line, err := w.app.FindFirstRecordByFilter(ledger.ItemsCollection, "subscription = {:s} && kind = 'period' && period_start = {:p}",
		dbx.Params{"s": w.sub.Id, "p": end.UTC().Format("2006-01-02 15:04:05.000Z")})
	if err != nil || line.GetInt64("unit_amount") != 750 {
		t.Errorf("renewal line %v, %v: want the overridden 750", line, err)
	}
	w.ledgerOK(t, end.AddDate(0, 0, -1))
}

func TestStaffRetryAndCancelFailedJobs(t *testing.T) {
	w := newStaffWorld(t)
	failed := func(action provisioning.Action) *core.Record {
		return testutil.Create(t, w.app, provisioning.Collection, map[string]any{"service": w.svc.Id, "action": string(action), "status": "failed",
			"attempts": 8, "max_attempts": 8, "last_error": "platform answered 422", "finished_at": time.Now().UTC()})
	}
	suspend, create := failed(provisioning.ActionSuspend), failed(provisioning.ActionCreate)
	path := func(j *core.Record, what string) string { return w.base + "/jobs/" + j.Id + "/" + what }

	if res := w.api.Do(http.MethodPost, path(create, "cancel"), w.staff, map[string]string{"reason": "not needed"}); res.Status != http.StatusConflict {
		t.Errorf("cancel a failed create: %d %s", res.Status, res.Body)
	}
	if res := w.api.Do(http.MethodPost, path(suspend, "cancel"), w.staff, map[string]string{"reason": ""}); res.Status != http.StatusBadRequest {
		t.Errorf("cancel without reason: %d", res.Status)
	}
	if res := w.api.Do(http.MethodPost, "/api/staff/services/othersvc123456/jobs/"+suspend.Id+"/retry", w.staff, nil); res.Status != http.StatusNotFound {
		t.Errorf("a job through another service: %d", res.Status)
	}
	if res := w.api.Do(http.MethodPost, path(create, "retry"), w.staff, nil); res.Status != http.StatusOK {
		t.Fatalf("retry: %d %s", res.Status, res.Body)
	}
	job := w.reload(t, create)
	if job.GetString("status") != "pending" || job.GetInt("attempts") != 0 || !w.audited(t, "job.retry", "") {
		t.Errorf("retried job %s, %d attempts", job.GetString("status"), job.GetInt("attempts"))
	}
	if res := w.api.Do(http.MethodPost, path(create, "retry"), w.staff, nil); res.Status != http.StatusConflict {
		t.Errorf("retry a pending job: %d", res.Status)
	}
	if res := w.api.Do(http.MethodPost, path(suspend, "cancel"), w.staff, map[string]string{"reason": "Suspended by hand in the panel"}); res.Status != http.StatusOK {
		t.Fatalf("cancel: %d %s", res.Status, res.Body)
	}
	if w.reload(t, suspend).GetString("status") != "cancelled" || !w.audited(t, "job.cancel", "Suspended by hand in the panel") {
		t.Error("cancelled job not cancelled or not audited")
	}
}

func TestStaffPowerCredentialsAndPanel(t *testing.T) {
	w := newStaffWorld(t)
	if res := w.api.Do(http.MethodPost, w.base+"/power", w.staff, map[string]string{"action": "explode"}); res.Status != http.StatusBadRequest {
		t.Errorf("unknown power action: %d", res.Status)
	}
	if res := w.api.Do(http.MethodPost, w.base+"/power", w.staff, map[string]string{"action": "restart"}); res.Status != http.StatusAccepted {
		t.Errorf("restart: %d %s", res.Status, res.Body)
	}
	if res := w.api.Do(http.MethodGet, w.base+"/panel-login", w.staff, nil); res.Status != http.StatusOK || res.Object(t)["url"] == "" {
		t.Errorf("panel login: %d %s", res.Status, res.Body)
	}
	if res := w.api.Do(http.MethodGet, w.base+"/credentials", w.staff, nil); res.Status != http.StatusNotFound {
		t.Errorf("credentials of a service without any: %d", res.Status)
	}
	for _, action := range []string{"power.restart", "panel.login"} {
		if !w.audited(t, action, "staff") {
			t.Errorf("%s not audited", action)
		}
	}
}
