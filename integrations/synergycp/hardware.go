package synergycp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/ezscale/ezscale/integrations/provisioning"
)

var _ provisioning.HardwarePicker = (*Driver)(nil)

// apiInventoryServer is a server as the inventory lists it, with the
// parts' names (contract §3, Server: cpu, mem, disks, group).
type apiInventoryServer struct {
	ID       flexID `json:"id"`
	SrvID    string `json:"srv_id"`
	Nickname string `json:"nickname"`
	CPU      struct {
		Name string `json:"name"`
	} `json:"cpu"`
	Mem struct {
		Name string `json:"name"`
	} `json:"mem"`
	Disks []struct {
		Name string `json:"name"`
	} `json:"disks"`
	Group struct {
		Name string `json:"name"`
	} `json:"group"`
}

// FreeServers implements provisioning.HardwarePicker: every page of
// GET /server?available=1 at the plan's (or the order's) location, without
// the part filters, since staff pick hardware the automatic match refused.
func (d *Driver) FreeServers(ctx context.Context, config map[string]any, options map[string]string) ([]provisioning.HardwareServer, error) {
	p, err := parsePlan(config)
	if err != nil {
		return nil, &provisioning.Error{Permanent: true, Message: err.Error()}
	}
	if loc, ok, err := provisioning.ChooseLocation(p.Locations, options["location"]); err != nil {
		return nil, err
	} else if ok {
		p.Location = loc.ID
	}
	q := url.Values{}
	q.Set("ip_group_billing[0]", p.Location)
	q.Set("available", "1")
	out := []provisioning.HardwareServer{}
	err = d.c.list(ctx, "/server", q, func(raw json.RawMessage) error {
		var s apiInventoryServer
		if err := json.Unmarshal(raw, &s); err != nil {
			return fmt.Errorf("synergycp: read an inventory server: %w", err)
		}
		hs := provisioning.HardwareServer{ID: string(s.ID), Name: s.SrvID, CPU: s.CPU.Name, Memory: s.Mem.Name, Location: s.Group.Name, Disks: []string{}}
		if n := strings.TrimSpace(s.Nickname); n != "" {
			hs.Name = n
		}
		for _, dk := range s.Disks {
			hs.Disks = append(hs.Disks, dk.Name)
		}
		out = append(out, hs)
		return nil
	})
	return out, err
}

// assignable reads the server staff chose (GET /server/{id}) and refuses
// it when it is already granted to a client or billed for a service (the
// contract's in-use marks, which the available=1 filter also excludes),
// with ErrNoHardware so the order waits for another pick.
func (d *Driver) assignable(ctx context.Context, id string) (apiServer, error) {
	var s apiServer
	if strings.TrimSpace(id) == "" {
		return s, &provisioning.Error{Permanent: true, Message: "synergycp: no server id to assign"}
	}
	err := d.c.do(ctx, http.MethodGet, "/server/"+url.PathEscape(id), nil, nil, &s, "")
	var pe *provisioning.Error
	if errors.Is(err, provisioning.ErrNotFound) || (errors.As(err, &pe) && pe.Status == http.StatusNotFound) {
		return s, &provisioning.Error{Status: http.StatusNotFound, Permanent: true, Message: "synergycp: assigned server " + id + " does not exist"}
	}
	if err != nil {
		return s, err
	}
	if s.Access != nil || s.Billing != nil {
		// Taken since staff chose it: the order waits for another pick.
		return s, fmt.Errorf("synergycp: assigned server %s is already in use: %w", id, provisioning.ErrNoHardware)
	}
	return s, nil
}
