package pterodactyl

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/ezscale/ezscale/integrations/provisioning"
)

var _ provisioning.Linker = (*Driver)(nil)

// Link finds the server Pterodactyl's WHMCS module built for an imported
// service: the module sets the server's external_id to the WHMCS service
// id, which the panel keeps unique, and resolves it with
// /servers/external/{id} as we do.
func (d *Driver) Link(ctx context.Context, req provisioning.LinkRequest) (provisioning.Linked, error) {
	id := strings.TrimSpace(req.WHMCSServiceID)
	if id == "" {
		return provisioning.Linked{}, fmt.Errorf("%w: no WHMCS service id", provisioning.ErrNoLinkKey)
	}
	s, err := d.serverByExternal(ctx, id)
	if errors.Is(err, provisioning.ErrNotFound) {
		return provisioning.Linked{}, fmt.Errorf("%w: no server with external_id %s", provisioning.ErrNotFound, id)
	}
	if err != nil {
		return provisioning.Linked{}, err
	}
	return provisioning.Linked{PlatformServiceID: strconv.Itoa(s.ID), PlatformUserID: strconv.Itoa(s.User),
		How: "external_id " + id}, nil
}

// linkedServer is the server of a service linked to one WHMCS built, whose
// external_id is WHMCS's service id rather than ours: it is found by the
// panel id the link recorded (panel ids are never reused).
func (d *Driver) linkedServer(ctx context.Context, ref provisioning.Ref) (*server, error) {
	if _, err := strconv.Atoi(ref.PlatformServiceID); err != nil {
		return nil, provisioning.ErrNotFound
	}
	var s server
	if err := d.c.item(ctx, http.MethodGet, "application",
		"/servers/"+ref.PlatformServiceID+"?include=allocations", nil, &s); err != nil {
		return nil, err
	}
	return &s, nil
}
