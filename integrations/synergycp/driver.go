package synergycp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ezscale/ezscale/integrations/provisioning"
)

// Driver is the SynergyCP provisioning.Provisioner.
type Driver struct {
	c *client
}

var _ provisioning.Provisioner = (*Driver)(nil)

// New returns a Driver for the SynergyCP API at cfg.URL.
func New(cfg Config) (*Driver, error) {
	c, err := newClient(cfg)
	if err != nil {
		return nil, err
	}
	return &Driver{c: c}, nil
}

// Name implements provisioning.Provisioner.
func (d *Driver) Name() string { return "synergycp" }

// ValidateConfig implements provisioning.Provisioner.
func (d *Driver) ValidateConfig(config map[string]any) error {
	_, err := parsePlan(config)
	return err
}

type apiClient struct {
	ID    flexID `json:"id"`
	Email string `json:"email"`
}

type apiAccess struct {
	ID       flexID `json:"id"`
	IsActive bool   `json:"is_active"`
	Client   struct {
		ID flexID `json:"id"`
	} `json:"client"`
	Server struct {
		ID flexID `json:"id"`
	} `json:"server"`
}

type apiServer struct {
	ID         flexID `json:"id"`
	SrvID      string `json:"srv_id"`
	Nickname   string `json:"nickname"`
	StatusDesc string `json:"status_desc"`
	Billing    *struct {
		ID flexID `json:"id"`
	} `json:"billing"`
	Usage struct {
		Used float64 `json:"used"`
		Max  float64 `json:"max"`
	} `json:"usage"`
	Access *apiAccess `json:"access"`
	IPMI   *struct {
		IP     string `json:"ip"`
		Client *struct {
			Username string `json:"username"`
			Password string `json:"password"`
		} `json:"client"`
	} `json:"ipmi"`
}

type apiEntity struct {
	Address string `json:"address"`
}

// Create implements provisioning.Provisioner. It is idempotent: the server
// is looked up by our service id (billing_id) first, the client by our
// customer id then email, and only then is a free server matched and
// provisioned.
func (d *Driver) Create(ctx context.Context, req provisioning.CreateRequest) (provisioning.Created, error) {
	var out provisioning.Created
	if strings.TrimSpace(req.ServiceID) == "" {
		return out, &provisioning.Error{Permanent: true, Message: "synergycp: service id is required"}
	}
	p, err := parsePlan(req.Config)
	if err != nil {
		return out, &provisioning.Error{Permanent: true, Message: err.Error()}
	}
	if loc, ok, err := provisioning.ChooseLocation(p.Locations, req.Options["location"]); err != nil {
		return out, err
	} else if ok {
		p.Location = loc.ID
	}
	os := strings.TrimSpace(req.Options["os"])
	if os == "" {
		os = p.DefaultOS
	}
	if os == "" {
		return out, &provisioning.Error{Permanent: true, Message: "synergycp: no operating system chosen (options[\"os\"]) and no default_os in the plan"}
	}

	// 1. Already provisioned for this service (a retry after a timeout)?
	if srv, found, err := d.serverByBilling(ctx, req.ServiceID); err != nil {
		return out, err
	} else if found {
		clientID := req.Customer.PlatformUserID
		if srv.Access != nil && srv.Access.Client.ID != "" {
			clientID = string(srv.Access.Client.ID)
		}
		return d.created(ctx, srv, clientID, req.Password)
	}

	// 2. Client: once per customer.
	clientID, err := d.ensureClient(ctx, req.Customer)
	if err != nil {
		return out, err
	}

	// 3. Free hardware (staff's pick, or the match) and IPs.
	var free apiServer
	if req.ServerID != "" {
		free, err = d.assignable(ctx, req.ServerID)
	} else {
		free, err = d.match(ctx, p)
	}
	if err != nil {
		return out, err
	}
	if p.IPsBilling != "" {
		eq := url.Values{}
		eq.Set("group[billing][0]", p.Location)
		eq.Set("billing_id", p.IPsBilling)
		eq.Set("server", "none")
		var ent apiEntity
		ok, err := d.c.first(ctx, "/entity", eq, &ent, "")
		if err != nil {
			return out, err
		}
		if !ok {
			return out, &provisioning.Error{Message: fmt.Sprintf(
				"synergycp: no matching server in stock: no free IP allocation %s at %s; queue for manual setup", p.IPsBilling, p.Location)}
		}
	}

	// 4. Provision.
	nickname := strings.TrimSpace(req.Options["hostname"])
	body := map[string]any{
		"client_id":           idValue(clientID),
		"server_id":           idValue(string(free.ID)),
		"ips_billing":         p.IPsBilling,
		"pxe_profile_billing": os,
		"port_speed_billing":  p.PortSpeed,
		"nickname":            nickname,
		"password":            req.Password,
		"server":              map[string]any{"fields": map[string]any{}},
		"billing":             map[string]any{"id": idValue(req.ServiceID), "max_bandwidth": p.MaxBandwidth},
		"access":              map[string]any{"pxe": true, "ipmi": true, "switch": true},
	}
	var res struct {
		Server *apiServer `json:"server"`
	}
	if err := d.c.do(ctx, http.MethodPost, "/server/provision", nil, body, &res, ""); err != nil {
		return out, err
	}
	if res.Server == nil || res.Server.ID == "" {
		return out, &provisioning.Error{Message: "synergycp: provision returned no server; nothing was provisioned"}
	}
	return d.created(ctx, *res.Server, clientID, req.Password)
}

// match finds a free server with exactly the plan's parts at its location
// (contract §4.2), or answers ErrNoHardware: the order then waits for
// staff to assign one.
func (d *Driver) match(ctx context.Context, p plan) (apiServer, error) {
	q := url.Values{}
	q.Set("cpu_billing", p.CPU)
	q.Set("mem_billing", p.memBilling())
	for i, dk := range p.Disks {
		q.Set(fmt.Sprintf("disks_billing[%d]", i), dk)
	}
	q.Set("ip_group_billing[0]", p.Location)
	q.Set("available", "1")
	q.Set("parts[exact]", "1")
	var free apiServer
	found, err := d.c.first(ctx, "/server", q, &free, "")
	if err != nil {
		return free, err
	}
	if !found {
		return free, fmt.Errorf("synergycp: no matching server in stock (%s): %w", p.describe(), provisioning.ErrNoHardware)
	}
	return free, nil
}

func (d *Driver) created(ctx context.Context, srv apiServer, clientID, password string) (provisioning.Created, error) {
	out := provisioning.Created{
		PlatformServiceID: string(srv.ID),
		PlatformUserID:    clientID,
		Hostname:          srv.Nickname,
		Credentials:       map[string]string{},
	}
	if password != "" {
		out.Credentials["root_password"] = password
	}
	if srv.SrvID != "" {
		out.Credentials["srv_id"] = srv.SrvID
	}
	ips, err := d.ips(ctx, string(srv.ID))
	if err != nil {
		return out, err
	}
	out.IPs = ips
	return out, nil
}

func (d *Driver) ips(ctx context.Context, serverID string) ([]string, error) {
	var ips []string
	q := url.Values{}
	q.Set("server", serverID)
	err := d.c.list(ctx, "/entity", q, func(raw json.RawMessage) error {
		var e apiEntity
		if err := json.Unmarshal(raw, &e); err == nil && e.Address != "" {
			ips = append(ips, e.Address)
		}
		return nil
	})
	return ips, err
}

func (d *Driver) ensureClient(ctx context.Context, cust provisioning.Customer) (string, error) {
	if cust.PlatformUserID != "" {
		return cust.PlatformUserID, nil
	}
	var c apiClient
	if cust.ID != "" {
		q := url.Values{}
		q.Set("billing_id", cust.ID)
		ok, err := d.c.first(ctx, "/client", q, &c, "")
		if err != nil {
			return "", err
		}
		if ok && c.ID != "" {
			return string(c.ID), nil
		}
	}
	if cust.Email != "" {
		q := url.Values{}
		q.Set("email", cust.Email)
		ok, err := d.c.first(ctx, "/client", q, &c, "")
		if err != nil {
			return "", err
		}
		if ok && c.ID != "" {
			if cust.ID != "" {
				if err := d.c.do(ctx, http.MethodPatch, "/client/"+url.PathEscape(string(c.ID)), nil,
					map[string]any{"api_user": idValue(cust.ID)}, nil, ""); err != nil {
					return "", err
				}
			}
			return string(c.ID), nil
		}
	}
	if cust.Email == "" {
		return "", &provisioning.Error{Permanent: true, Message: "synergycp: customer email is required to create a client"}
	}
	first, last := splitName(cust.Name)
	if err := d.c.do(ctx, http.MethodPost, "/client", nil, map[string]any{
		"email": cust.Email, "first": first, "last": last,
		"billing_id": idValue(cust.ID), "password": "",
	}, &c, ""); err != nil {
		return "", err
	}
	if c.ID == "" {
		return "", &provisioning.Error{Message: "synergycp: create client returned no id"}
	}
	return string(c.ID), nil
}

func splitName(n string) (string, string) {
	n = strings.TrimSpace(n)
	if i := strings.LastIndex(n, " "); i > 0 {
		return strings.TrimSpace(n[:i]), strings.TrimSpace(n[i+1:])
	}
	return n, ""
}

// serverByBilling finds the server provisioned for our service id.
func (d *Driver) serverByBilling(ctx context.Context, serviceID string) (apiServer, bool, error) {
	var s apiServer
	q := url.Values{}
	q.Set("billing_id", serviceID)
	ok, err := d.c.first(ctx, "/server", q, &s, "")
	return s, ok && s.ID != "", err
}

// resolve finds the service's server. Like the WHMCS module it always goes
// through the billing id (so a server wiped and reassigned to someone else
// is never acted on by a stale PlatformServiceID); a service linked to a
// server WHMCS provisioned, whose billing id is WHMCS's, goes through the
// checks of linkedServer instead.
func (d *Driver) resolve(ctx context.Context, ref provisioning.Ref) (apiServer, error) {
	if ref.ServiceID == "" {
		if ref.PlatformServiceID == "" {
			return apiServer{}, &provisioning.Error{Permanent: true, Message: "synergycp: ref has no service id"}
		}
		var s apiServer
		err := d.c.do(ctx, http.MethodGet, "/server/"+url.PathEscape(ref.PlatformServiceID), nil, nil, &s, "")
		return s, err
	}
	s, ok, err := d.serverByBilling(ctx, ref.ServiceID)
	if err != nil {
		return s, err
	}
	if !ok && ref.PlatformServiceID != "" {
		return d.linkedServer(ctx, ref) // linked to a server WHMCS provisioned (see Link)
	}
	if !ok {
		return s, fmt.Errorf("%w: synergycp: server with billing ID %s does not exist", provisioning.ErrNotFound, ref.ServiceID)
	}
	return s, nil
}

// Suspend implements provisioning.Provisioner: the primary access grant is
// deactivated as an automatic (billing) suspension.
func (d *Driver) Suspend(ctx context.Context, ref provisioning.Ref) error {
	return d.setActive(ctx, ref, false)
}

// Unsuspend implements provisioning.Provisioner.
func (d *Driver) Unsuspend(ctx context.Context, ref provisioning.Ref) error {
	return d.setActive(ctx, ref, true)
}

func (d *Driver) setActive(ctx context.Context, ref provisioning.Ref, active bool) error {
	srv, err := d.resolve(ctx, ref)
	if err != nil {
		return err
	}
	q := url.Values{}
	q.Set("is_primary", "1")
	var acc apiAccess
	ok, err := d.c.first(ctx, "/server/"+url.PathEscape(string(srv.ID))+"/access", q, &acc, "")
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%w: synergycp: server %s has no primary access", provisioning.ErrNotFound, srv.ID)
	}
	sid := string(acc.Server.ID)
	if sid == "" {
		sid = string(srv.ID)
	}
	body := map[string]any{"is_active": true}
	if !active {
		body = map[string]any{"is_active": false, "auto": true, "suspension_reason": "Suspended by billing"}
	}
	return d.c.do(ctx, http.MethodPatch, "/server/"+url.PathEscape(sid)+"/access/"+url.PathEscape(string(acc.ID)), nil, body, nil, "")
}

// Terminate implements provisioning.Provisioner: the server is wiped and
// returns to inventory. A service already gone is not an error.
func (d *Driver) Terminate(ctx context.Context, ref provisioning.Ref) error {
	srv, err := d.resolve(ctx, ref)
	if errors.Is(err, provisioning.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return d.c.do(ctx, http.MethodPatch, "/server/"+url.PathEscape(string(srv.ID)), nil,
		map[string]any{"wiped": "1", "auto": true}, nil, "")
}

// ChangePlan is not supported: dedicated hardware cannot be changed in place.
func (d *Driver) ChangePlan(ctx context.Context, ref provisioning.Ref, config map[string]any) error {
	return provisioning.ErrNotSupported
}

// Status implements provisioning.Provisioner. SynergyCP reports no live
// power state through the contract's API, so an active server is "online";
// an inactive access is "suspended". BandwidthB is the cycle's usage.used
// (bits) / 8.
func (d *Driver) Status(ctx context.Context, refs []provisioning.Ref) (map[string]provisioning.Status, error) {
	out := make(map[string]provisioning.Status, len(refs))
	for _, ref := range refs {
		now := time.Now().UTC()
		key := ref.ServiceID
		if key == "" {
			key = ref.PlatformServiceID
		}
		srv, err := d.resolve(ctx, ref)
		if errors.Is(err, provisioning.ErrNotFound) {
			out[key] = provisioning.Status{State: "unknown", CheckedAt: now}
			continue
		}
		if err != nil {
			return out, err
		}
		// The contract offers IPMI power commands but no power reading, so
		// an active server's power state is unknown, never a guessed online.
		st := provisioning.Status{State: "unknown", CheckedAt: now, BandwidthB: int64(srv.Usage.Used / 8)}
		if srv.Access != nil && !srv.Access.IsActive {
			st.State = "suspended"
		}
		ips, err := d.ips(ctx, string(srv.ID))
		if err != nil {
			return out, err
		}
		st.IPs = ips
		out[key] = st
	}
	return out, nil
}

// powerBodies maps our actions to the contract's IPMI commands. stop is an
// ACPI soft shutdown, kill a hard power off, restart a hard reset (the
// contract has no soft reboot).
var powerBodies = map[string]map[string]any{
	provisioning.PowerStart:   {"power": "on"},
	provisioning.PowerStop:    {"power": "soft"},
	provisioning.PowerRestart: {"power": "reset"},
	provisioning.PowerKill:    {"power": "off"},
}

// Power implements provisioning.Provisioner through IPMI, with a client key.
func (d *Driver) Power(ctx context.Context, ref provisioning.Ref, action string) error {
	body, ok := powerBodies[action]
	if !ok {
		return provisioning.ErrNotSupported
	}
	srv, clientID, err := d.serverAndClient(ctx, ref)
	if err != nil {
		return err
	}
	key, err := d.clientKey(ctx, clientID)
	if err != nil {
		return err
	}
	sid := url.PathEscape(string(srv.ID))
	var ctl struct {
		ID flexID `json:"id"`
	}
	found, err := d.c.first(ctx, "/server/"+sid+"/control", nil, &ctl, key)
	if err != nil {
		return err
	}
	if !found || ctl.ID == "" {
		return &provisioning.Error{Permanent: true, Message: fmt.Sprintf("synergycp: server %s has no IPMI control", srv.ID)}
	}
	return d.c.do(ctx, http.MethodPost, "/server/"+sid+"/control/"+url.PathEscape(string(ctl.ID))+"/command", nil, body, nil, key)
}

// LoginURL implements provisioning.Provisioner: a client-key SSO link
// straight to the server's page.
func (d *Driver) LoginURL(ctx context.Context, ref provisioning.Ref) (string, error) {
	srv, clientID, err := d.serverAndClient(ctx, ref)
	if err != nil {
		return "", err
	}
	key, err := d.clientKey(ctx, clientID)
	if err != nil {
		return "", err
	}
	q := url.Values{}
	q.Set("key", key)
	q.Set("view_type", "server")
	q.Set("view_id", string(srv.ID))
	return d.c.base + "/auth/sso?" + q.Encode(), nil
}

func (d *Driver) serverAndClient(ctx context.Context, ref provisioning.Ref) (apiServer, string, error) {
	srv, err := d.resolve(ctx, ref)
	if err != nil {
		return srv, "", err
	}
	clientID := ref.PlatformUserID
	if srv.Access != nil && srv.Access.Client.ID != "" {
		clientID = string(srv.Access.Client.ID)
	}
	if clientID == "" {
		return srv, "", &provisioning.Error{Permanent: true, Message: fmt.Sprintf("synergycp: server %s is not assigned to a client", srv.ID)}
	}
	return srv, clientID, nil
}

func (d *Driver) clientKey(ctx context.Context, clientID string) (string, error) {
	var k struct {
		Key string `json:"key"`
	}
	if err := d.c.do(ctx, http.MethodPost, "/key", nil,
		map[string]any{"owner_id": idValue(clientID), "owner_type": "client"}, &k, ""); err != nil {
		return "", err
	}
	if k.Key == "" {
		return "", &provisioning.Error{Message: "synergycp: key endpoint returned no key"}
	}
	return k.Key, nil
}
