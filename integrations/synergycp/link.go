package synergycp

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ezscale/ezscale/integrations/provisioning"
)

var _ provisioning.Linker = (*Driver)(nil)

// Link finds the server SynergyCP's WHMCS module provisioned for an
// imported service: its billing id is the WHMCS service id (the module
// resolves it with ?billing_id= before every action). Billing ids are not
// unique in SynergyCP, so every match is read: several are ambiguous.
func (d *Driver) Link(ctx context.Context, req provisioning.LinkRequest) (provisioning.Linked, error) {
	id := strings.TrimSpace(req.WHMCSServiceID)
	if id == "" {
		return provisioning.Linked{}, fmt.Errorf("%w: no WHMCS service id", provisioning.ErrNoLinkKey)
	}
	var found []apiServer
	q := url.Values{}
	q.Set("billing_id", id)
	err := d.c.list(ctx, "/server", q, func(raw json.RawMessage) error {
		var s apiServer
		if err := json.Unmarshal(raw, &s); err != nil {
			return err
		}
		if s.ID != "" && s.Billing != nil && string(s.Billing.ID) == id {
			found = append(found, s)
		}
		return nil
	})
	how := "billing id " + id
	switch {
	case err != nil:
		return provisioning.Linked{}, err
	case len(found) == 0:
		return provisioning.Linked{}, fmt.Errorf("%w: no server with %s", provisioning.ErrNotFound, how)
	case len(found) > 1:
		ids := make([]string, len(found))
		for i, s := range found {
			ids[i] = string(s.ID)
		}
		return provisioning.Linked{}, &provisioning.AmbiguousError{Candidates: ids, How: how}
	}
	l := provisioning.Linked{PlatformServiceID: string(found[0].ID), How: how}
	if a := found[0].Access; a != nil {
		l.PlatformUserID = string(a.Client.ID)
	}
	return l, nil
}

// linkedServer is the server of a service linked to one WHMCS provisioned,
// whose billing id is WHMCS's service id rather than ours: it is read by
// the linked server id, and only while it still carries a WHMCS (numeric)
// billing id and is assigned to the linked client, so hardware wiped and
// provisioned again — by us for another service, or for someone else — is
// never acted on.
func (d *Driver) linkedServer(ctx context.Context, ref provisioning.Ref) (apiServer, error) {
	var s apiServer
	if err := d.c.do(ctx, http.MethodGet, "/server/"+url.PathEscape(ref.PlatformServiceID), nil, nil, &s, ""); err != nil {
		return s, err
	}
	assigned := s.Billing != nil && isWHMCSID(string(s.Billing.ID)) && s.Access != nil
	if !assigned || (ref.PlatformUserID != "" && string(s.Access.Client.ID) != ref.PlatformUserID) {
		return apiServer{}, fmt.Errorf("%w: synergycp: server %s is no longer assigned to client %s",
			provisioning.ErrNotFound, ref.PlatformServiceID, ref.PlatformUserID)
	}
	return s, nil
}

// isWHMCSID: WHMCS ids are positive integers; ours are not.
func isWHMCSID(id string) bool {
	n, err := strconv.ParseInt(id, 10, 64)
	return err == nil && n > 0
}
