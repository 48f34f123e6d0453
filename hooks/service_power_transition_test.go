package hooks_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/internal/testutil"
)

// livePowerPlatform accepts (or refuses) power actions and reports the
// state a test sets.
type livePowerPlatform struct {
	powerPlatform
	refuse bool
	mu     sync.Mutex
	state  string
}

func (p *livePowerPlatform) Power(ctx context.Context, ref provisioning.Ref, action string) error {
	if p.refuse {
		return errors.New("connection refused")
	}
	return p.powerPlatform.Power(ctx, ref, action)
}

func (p *livePowerPlatform) Status(_ context.Context, refs []provisioning.Ref) (map[string]provisioning.Status, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[string]provisioning.Status{}
	for _, r := range refs {
		out[r.ServiceID] = provisioning.Status{State: p.state}
	}
	return out, nil
}

func TestPowerRouteShowsTheTransitionUntilThePlatformIsDone(t *testing.T) {
	platform := &livePowerPlatform{state: "online"}
	drivers := map[string]provisioning.Provisioner{"virtfusion": platform}
	app := testutil.NewAppWithPlatforms(t, testutil.Config(), drivers)
	provisioning.WatchPower(app, drivers, 10*time.Millisecond, 5*time.Second)
	alice := testutil.Customer(t, app, "alice@example.com", "USD")
	svc := testutil.Service(t, app, alice)
	svc.Set("power_state", "online")
	if err := app.Save(svc); err != nil {
		t.Fatal(err)
	}
	api := testutil.NewAPI(t, app)
	power := func() string {
		got, _ := app.FindRecordById("services", svc.Id)
		return got.GetString("power_state")
	}

	res := api.Do(http.MethodPost, "/api/services/"+svc.Id+"/power", testutil.Token(t, alice), map[string]string{"action": "stop"})
	if res.Status != http.StatusAccepted || res.Object(t)["power_state"] != "stopping" {
		t.Fatalf("stop: %d %s", res.Status, res.Body)
	}
	if got := power(); got != "stopping" {
		t.Fatalf("after the platform accepted a stop the service shows %q", got)
	}
	platform.mu.Lock()
	platform.state = "offline"
	platform.mu.Unlock()
	deadline := time.Now().Add(5 * time.Second)
	for power() != "offline" {
		if time.Now().After(deadline) {
			t.Fatalf("the watch never wrote the end state: %q", power())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestPowerRouteRefusedByThePlatformShowsNoTransition(t *testing.T) {
	platform := &livePowerPlatform{state: "online", refuse: true}
	app := testutil.NewAppWithPlatforms(t, testutil.Config(), map[string]provisioning.Provisioner{"virtfusion": platform})
	alice := testutil.Customer(t, app, "alice@example.com", "USD")
	svc := testutil.Service(t, app, alice)
	svc.Set("power_state", "online")
	if err := app.Save(svc); err != nil {
		t.Fatal(err)
	}
	api := testutil.NewAPI(t, app)
	res := api.Do(http.MethodPost, "/api/services/"+svc.Id+"/power", testutil.Token(t, alice), map[string]string{"action": "stop"})
	if res.Status != http.StatusBadGateway {
		t.Fatalf("refused stop: %d %s", res.Status, res.Body)
	}
	if got, _ := app.FindRecordById("services", svc.Id); got.GetString("power_state") != "online" {
		t.Errorf("a refused action shows %q", got.GetString("power_state"))
	}
}
