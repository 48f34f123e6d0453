package virtfusion

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/ezscale/ezscale/integrations/provisioning"
)

var _ provisioning.Reinstaller = (*Driver)(nil)

// templateGroup is an item of GET /media/templates/fromServerPackageSpec:
// the OS templates of one category.
type templateGroup struct {
	Name      string `json:"name"`
	Templates []struct {
		ID      int    `json:"id"`
		Name    string `json:"name"`
		Version string `json:"version"`
		Variant string `json:"variant"`
	} `json:"templates"`
}

// installedServer is the part of the server object a rebuild reads: its
// name (the tag Create links by), hostname and installed template.
type installedServer struct {
	OwnerID  int     `json:"ownerId"`
	Name     string  `json:"name"`
	Hostname *string `json:"hostname"`
	Settings struct {
		OSTemplateInstallID int `json:"osTemplateInstallId"`
	} `json:"settings"`
}

// templates lists the OS templates VirtFusion offers for a package.
func (d *Driver) templates(ctx context.Context, packageID int) ([]provisioning.ReinstallChoice, error) {
	var got envelope[[]templateGroup]
	if err := d.c.do(ctx, http.MethodGet, fmt.Sprintf("/media/templates/fromServerPackageSpec/%d", packageID), nil, nil, &got); err != nil {
		if errors.Is(err, provisioning.ErrNotFound) {
			return nil, permanent("virtfusion: package %d has no OS templates (404)", packageID)
		}
		return nil, err
	}
	var out []provisioning.ReinstallChoice
	for _, g := range got.Data {
		for _, t := range g.Templates {
			name := strings.TrimSpace(strings.Join([]string{t.Name, t.Version, t.Variant}, " "))
			out = append(out, provisioning.ReinstallChoice{ID: strconv.Itoa(t.ID), Name: name, Group: g.Name})
		}
	}
	return out, nil
}

func (d *Driver) installed(ctx context.Context, id int) (installedServer, error) {
	var g envelope[installedServer]
	err := d.c.do(ctx, http.MethodGet, fmt.Sprintf("/servers/%d", id), nil, nil, &g)
	return g.Data, err
}

// ReinstallChoices lists the OS templates of the plan's package, the
// installed one marked current.
func (d *Driver) ReinstallChoices(ctx context.Context, ref provisioning.Ref, config map[string]any) ([]provisioning.ReinstallChoice, error) {
	pc, err := parseConfig(config)
	if err != nil {
		return nil, &provisioning.Error{Permanent: true, Message: err.Error()}
	}
	id, err := serverID(ref)
	if err != nil {
		return nil, err
	}
	srv, err := d.installed(ctx, id)
	if err != nil {
		return nil, err
	}
	choices, err := d.templates(ctx, pc.PackageID)
	for i := range choices {
		choices[i].Current = choices[i].ID == strconv.Itoa(srv.Settings.OSTemplateInstallID)
	}
	return choices, err
}

// Reinstall rebuilds the server with the chosen template:
// POST /servers/{id}/build, keeping the server's name (Create's tag) and
// hostname. VirtFusion makes the root password and answers it; a retry
// builds again and its answer's password is the one stored.
func (d *Driver) Reinstall(ctx context.Context, ref provisioning.Ref, req provisioning.ReinstallRequest) (provisioning.Reinstalled, error) {
	var out provisioning.Reinstalled
	pc, err := parseConfig(req.Config)
	if err != nil {
		return out, &provisioning.Error{Permanent: true, Message: err.Error()}
	}
	id, err := serverID(ref)
	if err != nil {
		return out, err
	}
	templateID, err := strconv.Atoi(strings.TrimSpace(req.Choice))
	if err != nil || templateID <= 0 {
		return out, permanent("virtfusion: %q is not an OS template id", req.Choice)
	}
	choices, err := d.templates(ctx, pc.PackageID)
	if err != nil {
		return out, err
	}
	var chosen *provisioning.ReinstallChoice
	for i := range choices {
		if choices[i].ID == strconv.Itoa(templateID) {
			chosen = &choices[i]
		}
	}
	if chosen == nil {
		return out, permanent("virtfusion: OS template %d is not offered for package %d", templateID, pc.PackageID)
	}
	srv, err := d.installed(ctx, id)
	if err != nil {
		return out, err
	}
	name := srv.Name
	if name == "" {
		name = ServerName(ref.ServiceID)
	}
	body := map[string]any{"operatingSystemId": templateID, "name": name, "email": false}
	if srv.Hostname != nil && *srv.Hostname != "" {
		body["hostname"] = *srv.Hostname
	}
	if len(req.SSHKeys) > 0 {
		keys, err := d.ensureSSHKeys(ctx, srv.OwnerID, req.SSHKeys)
		if err != nil {
			return out, err
		}
		body["sshKeys"] = keys
	}
	var br envelope[server]
	if err := d.c.do(ctx, http.MethodPost, fmt.Sprintf("/servers/%d/build", id), nil, body, &br); err != nil {
		return out, err
	}
	out.Option = chosen.Name
	planName := ""
	for osName, tid := range pc.OSTemplates {
		if tid == templateID && (planName == "" || osName < planName) {
			planName = osName
		}
	}
	if planName != "" {
		out.Option = planName
	}
	if pw := br.Data.Settings.DecryptedPassword; pw != "" {
		out.Credentials = map[string]string{"password": pw}
	}
	return out, nil
}
