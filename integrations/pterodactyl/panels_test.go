package pterodactyl

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/integrations/pterodactyl/pterodactylsim"
)

// While the node is down a normal delete fails and the server stays; only
// the job's last attempt force-deletes it.
func TestTerminateWhileTheNodeIsDown(t *testing.T) {
	sim, d := setup(t)
	ctx := context.Background()
	c, err := d.Create(ctx, createReq("1842", "42"))
	if err != nil {
		t.Fatal(err)
	}
	r := ref(c, "1842")
	sim.SetNodeDown(true)

	for _, a := range []provisioning.Attempt{{}, {N: 1, Max: 3}, {N: 2, Max: 3}} {
		err := d.Terminate(provisioning.WithAttempt(ctx, a), r)
		var pe *provisioning.Error
		if !errors.As(err, &pe) || pe.Permanent || !strings.Contains(pe.Message, "DaemonConnectionException") {
			t.Fatalf("attempt %+v: %v, want a retryable node failure", a, err)
		}
		if _, ok := sim.Server("1842"); !ok {
			t.Fatalf("attempt %+v removed the server before the last attempt", a)
		}
	}
	if err := d.Terminate(provisioning.WithAttempt(ctx, provisioning.Attempt{N: 3, Max: 3}), r); err != nil {
		t.Fatalf("last attempt: %v", err)
	}
	if _, ok := sim.Server("1842"); ok {
		t.Fatal("the last attempt left the server on the panel")
	}
	// Done is done: a repeat finds nothing.
	if err := d.Terminate(provisioning.WithAttempt(ctx, provisioning.Attempt{N: 3, Max: 3}), r); err != provisioning.ErrNotFound {
		t.Errorf("repeat: %v, want ErrNotFound", err)
	}
}

// With the node up the last attempt is an ordinary delete, and other panel
// failures are never forced.
func TestTerminateForcesOnlyForTheNode(t *testing.T) {
	sim, d := setup(t)
	ctx := provisioning.WithAttempt(context.Background(), provisioning.Attempt{N: 8, Max: 8})
	c, err := d.Create(context.Background(), createReq("1842", "42"))
	if err != nil {
		t.Fatal(err)
	}
	sim.FailNext(2, http.StatusInternalServerError, 0) // the lookup passes, the delete fails
	if err := d.Terminate(ctx, provisioning.Ref{PlatformServiceID: c.PlatformServiceID}); err == nil {
		t.Fatal("a panel error was not reported")
	}
	if _, ok := sim.Server("1842"); !ok {
		t.Fatal("a panel error (not the node's) force-deleted the server")
	}
	sim.Recover()
	if err := d.Terminate(ctx, ref(c, "1842")); err != nil {
		t.Fatal(err)
	}
	if _, ok := sim.Server("1842"); ok {
		t.Error("server still there")
	}
}

// The simulator answers what needs the node as the panel does while it is
// down, and everything again once it is back.
func TestSimulatorNodeDown(t *testing.T) {
	sim, d := setup(t)
	ctx := context.Background()
	c, err := d.Create(ctx, createReq("1", "42"))
	if err != nil {
		t.Fatal(err)
	}
	sim.SetNodeDown(true)
	for name, call := range map[string]func() error{
		"create":  func() error { _, err := d.Create(ctx, createReq("2", "42")); return err },
		"suspend": func() error { return d.Suspend(ctx, ref(c, "1")) },
		"power":   func() error { return d.Power(ctx, ref(c, "1"), provisioning.PowerStart) },
	} {
		var pe *provisioning.Error
		if err := call(); !errors.As(err, &pe) || pe.Status != http.StatusGatewayTimeout {
			t.Errorf("%s with the node down: %v, want 504", name, err)
		}
	}
	if sv, _ := sim.Server("1"); sv.Suspended() || sim.Servers() != 1 {
		t.Errorf("a failed call changed the panel: suspended %v, %d servers", sv.Suspended(), sim.Servers())
	}
	sim.SetNodeDown(false)
	if err := d.Suspend(ctx, ref(c, "1")); err != nil {
		t.Errorf("node back: %v", err)
	}
}

func TestRequiredEggVariables(t *testing.T) {
	sim, d := setup(t)
	sim.AddEgg(9, "ARK", pterodactylsim.Variable{Name: "Server Map", Env: "SERVER_MAP", Required: true},
		pterodactylsim.Variable{Name: "Mods", Env: "MOD_IDS"})
	ctx := context.Background()
	cfg := func(env map[string]any) map[string]any {
		m := planConfigMap()
		m["eggs"] = map[string]any{"minecraft": float64(5), "ark": float64(9)}
		m["environment"] = env
		return m
	}
	cases := []struct {
		name string
		env  map[string]any
		want string // "" = accepted
	}{
		{"no value", nil, `SERVER_MAP ("Server Map")`},
		{"blank value", map[string]any{"SERVER_MAP": "  "}, "SERVER_MAP"},
		{"supplied by the plan", map[string]any{"SERVER_MAP": "TheIsland"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := d.CheckPlatform(ctx, cfg(tc.env))
			var pe *provisioning.Error
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want != "" && (!errors.As(err, &pe) || !pe.Permanent || !strings.Contains(err.Error(), tc.want) ||
				!strings.Contains(err.Error(), `game "ark"`)):
				t.Fatalf("%v, want a permanent refusal naming %s", err, tc.want)
			}
			// What the check refuses, the panel refuses on every create.
			req := createReq("svc-"+strings.ReplaceAll(tc.name, " ", "-"), "42")
			req.Config, req.Options["game"] = cfg(tc.env), "ark"
			before := sim.Servers()
			_, err = d.Create(ctx, req)
			if tc.want == "" && err != nil {
				t.Fatalf("create: %v", err)
			}
			if tc.want != "" && (!errors.As(err, &pe) || pe.Status != http.StatusUnprocessableEntity ||
				!strings.Contains(err.Error(), "[environment.SERVER_MAP]") || sim.Servers() != before) {
				t.Fatalf("create: %v, want the panel's 422 and no server", err)
			}
		})
	}
	// A config the driver refuses anyway is left to ValidateConfig.
	if err := d.CheckPlatform(ctx, map[string]any{"eggs": "x"}); err != nil {
		t.Errorf("invalid config: %v", err)
	}
}

func TestEggRulesDecode(t *testing.T) {
	cases := []struct {
		in       string
		required bool
		bad      bool
	}{
		{`"required|string|max:20"`, true, false},
		{`"nullable|string"`, false, false},
		{`"required_if:X,1|string"`, false, false},
		{`["required", "string"]`, true, false}, // Pelican
		{`[]`, false, false},
		{`null`, false, false},
		{`42`, false, true},
	}
	for _, tc := range cases {
		var r eggRules
		err := r.UnmarshalJSON([]byte(tc.in))
		if (err != nil) != tc.bad || r.required() != tc.required {
			t.Errorf("%s: required %v, err %v", tc.in, r.required(), err)
		}
	}
}

func pelican(t *testing.T) (*pterodactylsim.Simulator, *Driver) {
	t.Helper()
	sim := pterodactylsim.New(testAppKey, testClientKey)
	u, stop := sim.Start()
	t.Cleanup(stop)
	d, err := New(Config{URL: u, AppKey: testAppKey, ClientKey: testClientKey, Flavor: "Pelican",
		HTTPClient: &http.Client{Timeout: 5 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	return sim, d
}

func pelicanConfig() map[string]any {
	m := planConfigMap()
	delete(m, "nest_id")
	delete(m, "location_id")
	m["node_tags"] = []any{"fra"}
	return m
}

func TestPelicanFlavor(t *testing.T) {
	sim, d := pelican(t)
	ctx := context.Background()
	if err := d.ValidateConfig(pelicanConfig()); err != nil {
		t.Fatalf("pelican config: %v", err)
	}
	req := createReq("1842", "42")
	req.Config = pelicanConfig()
	c, err := d.Create(ctx, req)
	if err != nil {
		t.Fatalf("create on pelican: %v", err)
	}
	if sv, ok := sim.Server("1842"); !ok || sv.Env["SERVER_JARFILE"] != "server.jar" || sv.Env["VANILLA_VERSION"] != "1.21.1" {
		t.Errorf("server %+v", sv)
	}
	if err := d.Terminate(ctx, ref(c, "1842")); err != nil {
		t.Fatal(err)
	}

	sim.AddEgg(9, "ARK", pterodactylsim.Variable{Name: "Server Map", Env: "SERVER_MAP", Required: true})
	withArk := pelicanConfig()
	withArk["eggs"] = map[string]any{"ark": float64(9)}
	if err := d.CheckPlatform(ctx, withArk); err == nil || !strings.Contains(err.Error(), "SERVER_MAP") {
		t.Errorf("pelican egg check: %v", err)
	}

	refused := []struct {
		name string
		edit func(map[string]any)
		want string
	}{
		{"nests", func(m map[string]any) { m["nest_id"] = float64(1) }, "nest_id"},
		{"tags not a list", func(m map[string]any) { m["node_tags"] = "fra" }, "node_tags"},
		{"empty tag", func(m map[string]any) { m["node_tags"] = []any{""} }, "node_tags"},
	}
	for _, tc := range refused {
		m := pelicanConfig()
		tc.edit(m)
		if err := d.ValidateConfig(m); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want a refusal naming %s", tc.name, err, tc.want)
		}
	}
	// No node has the tag: the panel finds nowhere to deploy.
	req = createReq("1843", "42")
	req.Config = pelicanConfig()
	req.Config["node_tags"] = []any{"nyc"}
	if _, err := d.Create(ctx, req); err == nil || !strings.Contains(err.Error(), "NoViableNodeException") {
		t.Errorf("unknown tag: %v", err)
	}
}

func TestFlavorChecked(t *testing.T) {
	if _, err := New(Config{URL: "https://panel.example.com", AppKey: testAppKey, Flavor: "wisp"}); err == nil {
		t.Error("an unknown flavour was accepted")
	}
	// Pterodactyl still needs its nest and location.
	_, d := setup(t)
	if err := d.ValidateConfig(pelicanConfig()); err == nil || !strings.Contains(err.Error(), "node_tags") {
		t.Errorf("pterodactyl with a pelican config: %v", err)
	}
}
