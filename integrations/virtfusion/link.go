package virtfusion

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/ezscale/ezscale/integrations/provisioning"
)

var _ provisioning.Linker = (*Driver)(nil)

// Link finds the server VirtFusion's WHMCS module built for an imported
// service. The module keys the user by extRelationId = the WHMCS client id
// and records the server id with the service (mod_virtfusion_direct, read
// by the caller into WHMCSServerID). Without that record, the client's
// user's servers are matched by hostname or IP address.
//
// PlatformUserID is the extRelationId, as Create keeps it: every user
// endpoint the driver calls is addressed by it.
func (d *Driver) Link(ctx context.Context, req provisioning.LinkRequest) (provisioning.Linked, error) {
	client, err := strconv.Atoi(strings.TrimSpace(req.WHMCSClientID))
	if err != nil || client <= 0 {
		return provisioning.Linked{}, fmt.Errorf("%w: WHMCS client id %q is not a positive integer", provisioning.ErrNoLinkKey, req.WHMCSClientID)
	}
	rel := strconv.Itoa(client)
	if req.WHMCSServerID != "" {
		return d.linkRecorded(ctx, req.WHMCSServerID, client)
	}
	var u envelope[user]
	if err := d.c.do(ctx, http.MethodGet, "/users/"+rel+"/byExtRelation", nil, nil, &u); err != nil {
		if errors.Is(err, provisioning.ErrNotFound) {
			return provisioning.Linked{}, fmt.Errorf("%w: no VirtFusion user with extRelationId %d", provisioning.ErrNotFound, client)
		}
		return provisioning.Linked{}, err
	}
	ids, err := d.serversOf(ctx, u.Data.ID)
	if err != nil {
		return provisioning.Linked{}, err
	}
	names := nonEmptyLower(req.Hostname, req.Domain)
	var matches []string
	for _, id := range ids {
		var g envelope[server]
		if err := d.c.do(ctx, http.MethodGet, fmt.Sprintf("/servers/%d", id), nil, nil, &g); err != nil {
			if errors.Is(err, provisioning.ErrNotFound) {
				continue // deleted since the list was read
			}
			return provisioning.Linked{}, err
		}
		if sameServer(g.Data, names, req.IPs) {
			matches = append(matches, strconv.Itoa(id))
		}
	}
	how := fmt.Sprintf("hostname/IP among the %d servers of extRelationId %d", len(ids), client)
	switch len(matches) {
	case 0:
		return provisioning.Linked{}, fmt.Errorf("%w: no server matches by %s", provisioning.ErrNotFound, how)
	case 1:
		return provisioning.Linked{PlatformServiceID: matches[0], PlatformUserID: rel, How: how}, nil
	}
	return provisioning.Linked{}, &provisioning.AmbiguousError{Candidates: matches, How: how}
}

// linkRecorded checks the server the module recorded: it must exist and
// belong to the client's user.
func (d *Driver) linkRecorded(ctx context.Context, serverID string, client int) (provisioning.Linked, error) {
	id, err := strconv.Atoi(strings.TrimSpace(serverID))
	if err != nil || id <= 0 {
		return provisioning.Linked{}, fmt.Errorf("%w: server id %q recorded by WHMCS is not a positive integer", provisioning.ErrNoLinkKey, serverID)
	}
	var g envelope[server]
	if err := d.c.do(ctx, http.MethodGet, fmt.Sprintf("/servers/%d", id), nil, nil, &g); err != nil {
		if errors.Is(err, provisioning.ErrNotFound) {
			return provisioning.Linked{}, fmt.Errorf("%w: server %d recorded by WHMCS is not on VirtFusion", provisioning.ErrNotFound, id)
		}
		return provisioning.Linked{}, err
	}
	if o := g.Data.Owner; o == nil || o.ExtRelationID == nil || *o.ExtRelationID != client {
		owner := "no extRelationId"
		if o != nil && o.ExtRelationID != nil {
			owner = "extRelationId " + strconv.Itoa(*o.ExtRelationID)
		}
		return provisioning.Linked{}, fmt.Errorf("%w: server %d recorded by WHMCS belongs to a user with %s, not client %d",
			provisioning.ErrNotFound, id, owner, client)
	}
	return provisioning.Linked{PlatformServiceID: strconv.Itoa(id), PlatformUserID: strconv.Itoa(client),
		How: "mod_virtfusion_direct server " + strconv.Itoa(id)}, nil
}

// linkListItem is an item of GET /servers as far as linking reads it; the
// owner comes as a user id or, from some versions, as the user object.
type linkListItem struct {
	ID    int             `json:"id"`
	Owner json.RawMessage `json:"owner"`
}

func (it linkListItem) ownerID() int {
	var n int
	if json.Unmarshal(it.Owner, &n) == nil {
		return n
	}
	var o struct {
		ID int `json:"id"`
	}
	_ = json.Unmarshal(it.Owner, &o)
	return o.ID
}

// serversOf pages through GET /servers (it has no owner filter) for the
// ids of one user's servers.
func (d *Driver) serversOf(ctx context.Context, userID int) ([]int, error) {
	var ids []int
	for page := 1; page <= 10000; page++ {
		var p struct {
			CurrentPage int            `json:"current_page"`
			LastPage    int            `json:"last_page"`
			Data        []linkListItem `json:"data"`
		}
		q := url.Values{"results": {"200"}, "page": {strconv.Itoa(page)}}
		if err := d.c.do(ctx, http.MethodGet, "/servers", q, nil, &p); err != nil {
			return nil, err
		}
		for _, it := range p.Data {
			if it.ownerID() == userID {
				ids = append(ids, it.ID)
			}
		}
		if len(p.Data) == 0 || p.CurrentPage >= p.LastPage {
			break
		}
	}
	return ids, nil
}

// sameServer: the server's hostname is one of names, or it has one of ips.
func sameServer(s server, names, ips []string) bool {
	if s.Hostname != nil && slices.Contains(names, strings.ToLower(strings.TrimSuffix(*s.Hostname, "."))) {
		return true
	}
	for _, ip := range serverIPs(s) {
		if slices.Contains(ips, ip) {
			return true
		}
	}
	return false
}

func nonEmptyLower(s ...string) []string {
	var out []string
	for _, v := range s {
		if v = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(v), ".")); v != "" {
			out = append(out, v)
		}
	}
	return out
}
