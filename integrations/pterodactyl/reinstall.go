package pterodactyl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/ezscale/ezscale/integrations/provisioning"
)

var _ provisioning.Reinstaller = (*Driver)(nil)

// namedEgg is an egg with the name a customer chooses it by.
type namedEgg struct {
	egg
	Name string `json:"name"`
}

// installable reports whether a server of the plan can run the egg: the
// panel refuses one whose required variables have no value (422).
func (e *namedEgg) installable(cfg planConfig) bool {
	return len(e.missing(e.environment(cfg.Environment))) == 0
}

// namedEggByID reads one egg with its variables, as egg does.
func (d *Driver) namedEggByID(ctx context.Context, cfg planConfig, id int) (*namedEgg, error) {
	path := fmt.Sprintf("/nests/%d/eggs/%d?include=variables", cfg.NestID, id)
	if d.flavor == FlavorPelican {
		path = fmt.Sprintf("/eggs/%d?include=variables", id)
	}
	var e namedEgg
	if err := d.c.item(ctx, http.MethodGet, "application", path, nil, &e); err != nil {
		if errors.Is(err, provisioning.ErrNotFound) {
			return nil, permanent("egg %d is not a game of this plan's nest %d", id, cfg.NestID)
		}
		return nil, err
	}
	return &e, nil
}

// gameEggs lists the eggs a game server of the plan may be reinstalled
// with: on Pterodactyl every egg of the plan's nest
// (GET /nests/{nest}/eggs?include=variables), on Pelican, which has no
// nests, the plan's own eggs. Eggs whose required variables neither the
// panel nor the plan give a value are left out.
func (d *Driver) gameEggs(ctx context.Context, cfg planConfig) ([]*namedEgg, error) {
	var eggs []*namedEgg
	if d.flavor == FlavorPelican {
		ids := make([]int, 0, len(cfg.Eggs))
		for _, id := range cfg.Eggs {
			ids = append(ids, id)
		}
		sort.Ints(ids)
		for _, id := range ids {
			e, err := d.namedEggByID(ctx, cfg, id)
			if err != nil {
				return nil, err
			}
			eggs = append(eggs, e)
		}
	} else {
		var list listEnvelope
		if err := d.c.do(ctx, http.MethodGet, "application", fmt.Sprintf("/nests/%d/eggs?include=variables", cfg.NestID), nil, &list); err != nil {
			if errors.Is(err, provisioning.ErrNotFound) {
				return nil, permanent("nest %d not found (check the plan's nest_id)", cfg.NestID)
			}
			return nil, err
		}
		for _, item := range list.Data {
			var e namedEgg
			if json.Unmarshal(item.Attributes, &e) == nil && e.ID > 0 {
				eggs = append(eggs, &e)
			}
		}
	}
	out := eggs[:0]
	for _, e := range eggs {
		if e.installable(cfg) {
			out = append(out, e)
		}
	}
	return out, nil
}

// ReinstallChoices lists the games (eggs) the server may be reinstalled
// with, its own egg marked current.
func (d *Driver) ReinstallChoices(ctx context.Context, ref provisioning.Ref, config map[string]any) ([]provisioning.ReinstallChoice, error) {
	cfg, err := parseConfig(config, d.flavor)
	if err != nil {
		return nil, permanent("invalid plan config: %v", err)
	}
	s, err := d.resolve(ctx, ref)
	if err != nil {
		return nil, err
	}
	eggs, err := d.gameEggs(ctx, cfg)
	if err != nil {
		return nil, err
	}
	choices := make([]provisioning.ReinstallChoice, 0, len(eggs))
	for _, e := range eggs {
		choices = append(choices, provisioning.ReinstallChoice{ID: strconv.Itoa(e.ID), Name: e.Name, Current: e.ID == s.Egg})
	}
	return choices, nil
}

// Reinstall reinstalls the server with the chosen egg. Another egg is set
// first with PATCH /servers/{id}/startup (egg, its image and startup, the
// environment built as create builds it), then
// POST /servers/{id}/reinstall (204) runs the egg's install script. A
// retry finds the egg already set, and a server already installing that
// egg is not reinstalled a second time.
func (d *Driver) Reinstall(ctx context.Context, ref provisioning.Ref, req provisioning.ReinstallRequest) (provisioning.Reinstalled, error) {
	var out provisioning.Reinstalled
	cfg, err := parseConfig(req.Config, d.flavor)
	if err != nil {
		return out, permanent("invalid plan config: %v", err)
	}
	eggID, err := strconv.Atoi(strings.TrimSpace(req.Choice))
	if err != nil || eggID <= 0 {
		return out, permanent("%q is not an egg id", req.Choice)
	}
	s, err := d.resolve(ctx, ref)
	if err != nil {
		return out, err
	}
	e, err := d.namedEggByID(ctx, cfg, eggID)
	if err != nil {
		return out, err
	}
	env := e.environment(cfg.Environment)
	if missing := e.missing(env); len(missing) > 0 {
		return out, permanent("%s", missingMessage(e.Name, eggID, missing))
	}
	installing := s.Status != nil && *s.Status == "installing"
	if s.Egg != eggID {
		body := map[string]any{"egg": eggID, "image": e.DockerImage, "startup": e.Startup, "environment": env, "skip_scripts": false}
		var changed server
		if err := d.c.item(ctx, http.MethodPatch, "application", fmt.Sprintf("/servers/%d/startup", s.ID), body, &changed); err != nil {
			return out, err
		}
		installing = false
	}
	if !installing {
		if err := d.c.do(ctx, http.MethodPost, "application", fmt.Sprintf("/servers/%d/reinstall", s.ID), nil, nil); err != nil {
			return out, err
		}
	}
	out.Option = e.Name
	games := make([]string, 0, len(cfg.Eggs))
	for game, id := range cfg.Eggs {
		if id == eggID {
			games = append(games, game)
		}
	}
	if len(games) > 0 {
		sort.Strings(games)
		out.Option = games[0]
	}
	return out, nil
}
