package pterodactyl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/ezscale/ezscale/integrations/provisioning"
)

// The panels the driver speaks to. Pelican, Pterodactyl's successor, keeps
// the Application API but has no nests (eggs are at /eggs/{id}), picks
// nodes by tag instead of location, and lists a variable's rules as an
// array.
const (
	FlavorPterodactyl = "pterodactyl"
	FlavorPelican     = "pelican"
)

type egg struct {
	ID            int    `json:"id"`
	DockerImage   string `json:"docker_image"`
	Startup       string `json:"startup"`
	Relationships struct {
		Variables *listEnvelope `json:"variables"`
	} `json:"relationships"`
}

type eggVariable struct {
	Name         string   `json:"name"`
	EnvVariable  string   `json:"env_variable"`
	DefaultValue *string  `json:"default_value"`
	Rules        eggRules `json:"rules"`
}

// eggRules are a variable's Laravel validation rules: "required|string" on
// Pterodactyl, ["required", "string"] on Pelican.
type eggRules []string

func (r *eggRules) UnmarshalJSON(b []byte) error {
	var s *string
	if json.Unmarshal(b, &s) == nil {
		*r = nil
		if s != nil && *s != "" {
			*r = strings.Split(*s, "|")
		}
		return nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return fmt.Errorf("egg variable rules are neither a string nor a list: %s", b)
	}
	*r = list
	return nil
}

// required reports whether the panel refuses a server without a value.
func (r eggRules) required() bool {
	for _, rule := range r {
		if strings.TrimSpace(rule) == "required" {
			return true
		}
	}
	return false
}

// egg reads an egg with its variables.
func (d *Driver) egg(ctx context.Context, cfg planConfig, id int) (*egg, error) {
	path := fmt.Sprintf("/nests/%d/eggs/%d?include=variables", cfg.NestID, id)
	if d.flavor == FlavorPelican {
		path = fmt.Sprintf("/eggs/%d?include=variables", id)
	}
	var e egg
	if err := d.c.item(ctx, http.MethodGet, "application", path, nil, &e); err != nil {
		if !errors.Is(err, provisioning.ErrNotFound) {
			return nil, err
		}
		if d.flavor == FlavorPelican {
			return nil, permanent("egg %d not found (check the plan's eggs)", id)
		}
		return nil, permanent("egg %d not found in nest %d (check the plan's nest_id/eggs)", id, cfg.NestID)
	}
	return &e, nil
}

func (e *egg) variables() []eggVariable {
	var out []eggVariable
	if e.Relationships.Variables == nil {
		return nil
	}
	for _, item := range e.Relationships.Variables.Data {
		var v eggVariable
		if json.Unmarshal(item.Attributes, &v) == nil && v.EnvVariable != "" {
			out = append(out, v)
		}
	}
	return out
}

// environment is what a create sends: every variable's default, then the
// plan's values.
func (e *egg) environment(plan map[string]string) map[string]string {
	env := map[string]string{}
	for _, v := range e.variables() {
		env[v.EnvVariable] = ""
		if v.DefaultValue != nil {
			env[v.EnvVariable] = *v.DefaultValue
		}
	}
	for k, v := range plan {
		env[k] = v
	}
	return env
}

// missing lists the required variables env leaves empty: the panel would
// refuse every server of the egg with a 422.
func (e *egg) missing(env map[string]string) []eggVariable {
	var out []eggVariable
	for _, v := range e.variables() {
		if v.Rules.required() && strings.TrimSpace(env[v.EnvVariable]) == "" {
			out = append(out, v)
		}
	}
	return out
}

func missingMessage(game string, eggID int, missing []eggVariable) string {
	names := make([]string, len(missing))
	for i, v := range missing {
		names[i] = fmt.Sprintf("%s (%q)", v.EnvVariable, v.Name)
	}
	return fmt.Sprintf("egg %d of game %q requires %s, which has no default on the panel: set it in the plan's environment",
		eggID, game, strings.Join(names, ", "))
}

// CheckPlatform reads each egg of a plan's config on the panel and refuses
// one the panel does not have or whose required variables the plan leaves
// without a value, since every create would fail with a 422. It makes
// network calls, so it runs when staff save a plan, outside the save's
// transaction. A config ValidateConfig refuses is left to it.
func (d *Driver) CheckPlatform(ctx context.Context, config map[string]any) error {
	cfg, err := parseConfig(config, d.flavor)
	if err != nil {
		return nil
	}
	games := make([]string, 0, len(cfg.Eggs))
	for g := range cfg.Eggs {
		games = append(games, g)
	}
	sort.Strings(games)
	for _, game := range games {
		e, err := d.egg(ctx, cfg, cfg.Eggs[game])
		if err != nil {
			return err
		}
		if missing := e.missing(e.environment(cfg.Environment)); len(missing) > 0 {
			return permanent("%s", missingMessage(game, cfg.Eggs[game], missing))
		}
	}
	return nil
}

// deploy is the automatic deployment of a create: Pterodactyl picks a node
// in the plan's location, Pelican one with the plan's node tags (any node
// without tags); both need every key present.
func (d *Driver) deploy(cfg planConfig, ports []string) map[string]any {
	dep := map[string]any{"locations": []int{}, "dedicated_ip": false, "port_range": ports}
	if cfg.LocationID > 0 {
		dep["locations"] = []int{cfg.LocationID}
	}
	if d.flavor == FlavorPelican {
		tags := cfg.NodeTags
		if tags == nil {
			tags = []string{}
		}
		dep["tags"] = tags
	}
	return dep
}
