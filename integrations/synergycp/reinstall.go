package synergycp

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/ezscale/ezscale/integrations/provisioning"
)

var _ provisioning.Reinstaller = (*Driver)(nil)

// pxeProfile is an OS-reload profile (GET /pxe/profile).
type pxeProfile struct {
	ID    flexID `json:"id"`
	Name  string `json:"name"`
	ISOID flexID `json:"iso_id"`
}

// install is an OS reload job of a server (GET /server/{id}/install).
type install struct {
	ID      flexID `json:"id"`
	Percent int    `json:"percent"`
	Profile struct {
		Name string `json:"name"`
	} `json:"profile"`
}

func (d *Driver) pxeProfiles(ctx context.Context) ([]pxeProfile, error) {
	var out []pxeProfile
	err := d.c.list(ctx, "/pxe/profile", nil, func(raw json.RawMessage) error {
		var p pxeProfile
		if err := json.Unmarshal(raw, &p); err == nil && p.ID != "" {
			out = append(out, p)
		}
		return nil
	})
	return out, err
}

// lastInstall is the server's newest OS install (the list's last item),
// or nil when it never had one.
func (d *Driver) lastInstall(ctx context.Context, serverID string) (*install, error) {
	var last *install
	err := d.c.list(ctx, "/server/"+url.PathEscape(serverID)+"/install", nil, func(raw json.RawMessage) error {
		var in install
		if err := json.Unmarshal(raw, &in); err == nil {
			last = &in
		}
		return nil
	})
	return last, err
}

// ReinstallChoices lists the OS-reload (PXE) profiles, the one the
// server's newest install used marked current.
func (d *Driver) ReinstallChoices(ctx context.Context, ref provisioning.Ref, _ map[string]any) ([]provisioning.ReinstallChoice, error) {
	srv, err := d.resolve(ctx, ref)
	if err != nil {
		return nil, err
	}
	last, err := d.lastInstall(ctx, string(srv.ID))
	if err != nil {
		return nil, err
	}
	profiles, err := d.pxeProfiles(ctx)
	if err != nil {
		return nil, err
	}
	choices := make([]provisioning.ReinstallChoice, 0, len(profiles))
	for _, p := range profiles {
		choices = append(choices, provisioning.ReinstallChoice{ID: string(p.ID), Name: p.Name,
			Current: last != nil && last.Profile.Name == p.Name})
	}
	return choices, nil
}

// Reinstall queues an OS reload with the chosen profile and the request's
// root password: POST /server/{id}/install {server_id, pxe_profile_id,
// password}, the body SynergyCP's own client UI sends. An install still
// running with that profile is one an earlier attempt queued (its answer
// lost), with the same password: it is not queued twice. One running
// with another profile makes the job wait.
func (d *Driver) Reinstall(ctx context.Context, ref provisioning.Ref, req provisioning.ReinstallRequest) (provisioning.Reinstalled, error) {
	var out provisioning.Reinstalled
	if req.Password == "" {
		return out, &provisioning.Error{Permanent: true, Message: "synergycp: an OS reload needs a root password"}
	}
	profiles, err := d.pxeProfiles(ctx)
	if err != nil {
		return out, err
	}
	var chosen *pxeProfile
	for i := range profiles {
		if string(profiles[i].ID) == strings.TrimSpace(req.Choice) {
			chosen = &profiles[i]
		}
	}
	if chosen == nil {
		return out, &provisioning.Error{Permanent: true, Message: "synergycp: OS profile " + req.Choice + " does not exist"}
	}
	srv, err := d.resolve(ctx, ref)
	if err != nil {
		return out, err
	}
	last, err := d.lastInstall(ctx, string(srv.ID))
	if err != nil {
		return out, err
	}
	switch {
	case last != nil && last.Percent < 100 && last.Profile.Name == chosen.Name:
		// queued by an earlier attempt
	case last != nil && last.Percent < 100:
		return out, &provisioning.Error{Status: http.StatusConflict,
			Message: "synergycp: server " + string(srv.ID) + " is still installing " + last.Profile.Name + "; the reload waits for it"}
	default:
		body := map[string]any{"server_id": idValue(string(srv.ID)), "pxe_profile_id": idValue(string(chosen.ID)), "password": req.Password}
		var in install
		if err := d.c.do(ctx, http.MethodPost, "/server/"+url.PathEscape(string(srv.ID))+"/install", nil, body, &in, ""); err != nil {
			return out, err
		}
	}
	out.Option = chosen.Name
	out.Credentials = map[string]string{"root_password": req.Password}
	return out, nil
}
