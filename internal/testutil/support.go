package testutil

import (
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/integrations/support"
	"github.com/ezscale/ezscale/integrations/supportpal"
	"github.com/ezscale/ezscale/integrations/supportpal/supportpalsim"
)

// HelpDeskSSOKey is the SimpleAuth key of HelpDesk's simulator.
var HelpDeskSSOKey = []byte("test-simpleauth-key")

// HelpDeskEnv is a SupportPal simulator and what talks to it over HTTP.
type HelpDeskEnv struct {
	Sim  *supportpalsim.Simulator
	API  *supportpal.Client // for a test to act as SupportPal's other users
	Desk *support.Desk
}

// HelpDesk starts a SupportPal simulator for the test and a Desk on app
// talking to it. now, when not nil, is the clock of both.
func HelpDesk(t testing.TB, app core.App, now func() time.Time) HelpDeskEnv {
	t.Helper()
	sim := supportpalsim.New("test-supportpal-token", HelpDeskSSOKey)
	if now != nil {
		sim.SetNow(now)
	}
	url, stop := sim.Start()
	t.Cleanup(stop)
	api, err := supportpal.New(supportpal.Config{URL: url, Token: "test-supportpal-token"})
	if err != nil {
		t.Fatalf("supportpal client: %v", err)
	}
	return HelpDeskEnv{Sim: sim, API: api, Desk: support.New(app, support.Config{API: api, SSOKey: HelpDeskSSOKey, Now: now})}
}
