package pterodactyl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/ezscale/ezscale/integrations/provisioning"
)

// Driver implements provisioning.Provisioner for a Pterodactyl panel.
type Driver struct {
	c      *client
	flavor string
	now    func() time.Time
}

var _ provisioning.Provisioner = (*Driver)(nil)

// New checks cfg and returns a Driver. No request is made.
func New(cfg Config) (*Driver, error) {
	u, err := url.Parse(strings.TrimSpace(cfg.URL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("pterodactyl: URL must be the panel's http(s) base URL, got %q", cfg.URL)
	}
	if strings.TrimSpace(cfg.AppKey) == "" {
		return nil, errors.New("pterodactyl: AppKey (Application API key, ptla_...) is required")
	}
	flavor := strings.ToLower(strings.TrimSpace(cfg.Flavor))
	switch flavor {
	case "":
		flavor = FlavorPterodactyl
	case FlavorPterodactyl, FlavorPelican:
	default:
		return nil, fmt.Errorf("pterodactyl: Flavor must be %q or %q, got %q", FlavorPterodactyl, FlavorPelican, cfg.Flavor)
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	base := strings.TrimRight(u.Scheme+"://"+u.Host+u.Path, "/")
	return &Driver{
		c:      newClient(base, cfg.AppKey, cfg.ClientKey, hc),
		flavor: flavor,
		now:    time.Now,
	}, nil
}

// Name is the platform's name.
func (d *Driver) Name() string { return "pterodactyl" }

// ValidateConfig checks a plan's platform_config (see planConfig).
func (d *Driver) ValidateConfig(config map[string]any) error {
	if _, err := parseConfig(config, d.flavor); err != nil {
		return &provisioning.Error{Permanent: true, Message: "pterodactyl: invalid plan config: " + err.Error()}
	}
	return nil
}

func permanent(format string, a ...any) error {
	return &provisioning.Error{Permanent: true, Message: "pterodactyl: " + fmt.Sprintf(format, a...)}
}

// user is the Application API user object.
type user struct {
	ID         int     `json:"id"`
	ExternalID *string `json:"external_id"`
	UUID       string  `json:"uuid"`
	Username   string  `json:"username"`
	Email      string  `json:"email"`
}

// server is the Application API server object.
type server struct {
	ID            int           `json:"id"`
	ExternalID    *string       `json:"external_id"`
	UUID          string        `json:"uuid"`
	Identifier    string        `json:"identifier"`
	Name          string        `json:"name"`
	Status        *string       `json:"status"`
	Suspended     bool          `json:"suspended"`
	Limits        limits        `json:"limits"`
	FeatureLimits featureLimits `json:"feature_limits"`
	User          int           `json:"user"`
	Allocation    int           `json:"allocation"`
	Egg           int           `json:"egg"`
	Relationships struct {
		Allocations *listEnvelope `json:"allocations"`
	} `json:"relationships"`
}

type allocation struct {
	ID    int     `json:"id"`
	IP    string  `json:"ip"`
	Alias *string `json:"alias"`
	Port  int     `json:"port"`
}

// addresses returns the server's allocations as IPs and "ip:port" of the
// primary one.
func (s *server) addresses() (ips []string, primary string) {
	if s.Relationships.Allocations == nil {
		return nil, ""
	}
	seen := map[string]bool{}
	for _, e := range s.Relationships.Allocations.Data {
		var a allocation
		if json.Unmarshal(e.Attributes, &a) != nil {
			continue
		}
		if !seen[a.IP] {
			seen[a.IP] = true
			ips = append(ips, a.IP)
		}
		if a.ID == s.Allocation || primary == "" {
			host := a.IP
			if a.Alias != nil && *a.Alias != "" {
				host = *a.Alias
			}
			primary = host + ":" + strconv.Itoa(a.Port)
		}
	}
	return ips, primary
}

// Create builds the customer's panel user (once per customer) and the
// server. It is idempotent: the user is found by external_id = customer id
// (then by exact email) and the server by external_id = our service id.
func (d *Driver) Create(ctx context.Context, req provisioning.CreateRequest) (provisioning.Created, error) {
	var out provisioning.Created
	if req.ServiceID == "" {
		return out, permanent("create: service id is required")
	}
	cfg, err := parseConfig(req.Config, d.flavor)
	if err != nil {
		return out, permanent("invalid plan config: %v", err)
	}
	eggID, err := cfg.eggFor(req.Options["game"])
	if err != nil {
		return out, permanent("%v", err)
	}
	if loc, ok, err := provisioning.ChooseLocation(cfg.Locations, req.Options["location"]); err != nil {
		return out, err
	} else if ok {
		cfg.LocationID, _ = toInt(loc.ID)
	}

	// A server from an earlier attempt wins: nothing else to do.
	srv, err := d.serverByExternal(ctx, req.ServiceID)
	if err != nil && !errors.Is(err, provisioning.ErrNotFound) {
		return out, err
	}
	if err == nil {
		return d.created(srv, nil), nil
	}

	u, newPassword, err := d.ensureUser(ctx, req)
	if err != nil {
		return out, err
	}

	e, err := d.egg(ctx, cfg, eggID)
	if err != nil {
		return out, err
	}
	env := e.environment(cfg.Environment)
	image, startup := e.DockerImage, e.Startup
	if cfg.DockerImage != "" {
		image = cfg.DockerImage
	}
	if cfg.Startup != "" {
		startup = cfg.Startup
	}
	name := strings.TrimSpace(req.Options["hostname"])
	if name == "" {
		name = strings.TrimSpace(req.Options["name"])
	}
	if name == "" {
		name = "Service " + req.ServiceID
	}
	portRange := cfg.PortRange
	if portRange == nil {
		portRange = []string{}
	}
	body := map[string]any{
		"name":                name,
		"description":         "ezscale service " + req.ServiceID,
		"user":                u.ID,
		"egg":                 eggID,
		"docker_image":        image,
		"startup":             startup,
		"environment":         env,
		"limits":              cfg.Limits,
		"feature_limits":      cfg.FeatureLimits,
		"deploy":              d.deploy(cfg, portRange),
		"external_id":         req.ServiceID,
		"start_on_completion": true,
	}
	var s server
	err = d.c.item(ctx, http.MethodPost, "application", "/servers?include=allocations", body, &s)
	if err != nil {
		var pe *provisioning.Error
		// Lost a race with another attempt that created it meanwhile.
		if errors.As(err, &pe) && pe.Status == http.StatusUnprocessableEntity &&
			strings.Contains(pe.Message, "[external_id]") {
			if srv, err2 := d.serverByExternal(ctx, req.ServiceID); err2 == nil {
				return d.created(srv, nil), nil
			}
		}
		if errors.Is(err, provisioning.ErrNotFound) {
			return out, permanent("create server: user %d or egg %d not found", u.ID, eggID)
		}
		return out, err
	}
	var creds map[string]string
	if newPassword != "" {
		creds = map[string]string{"username": u.Username, "password": newPassword}
	}
	return d.created(&s, creds), nil
}

func (d *Driver) created(s *server, creds map[string]string) provisioning.Created {
	ips, primary := s.addresses()
	c := provisioning.Created{
		PlatformServiceID: strconv.Itoa(s.ID),
		PlatformUserID:    strconv.Itoa(s.User),
		IPs:               ips,
		Hostname:          primary,
		Address:           primary,
		Credentials:       map[string]string{"identifier": s.Identifier, "panel_url": d.c.base + "/server/" + s.Identifier},
	}
	for k, v := range creds {
		c.Credentials[k] = v
	}
	return c
}

// ensureUser finds or creates the customer's panel user. It returns the
// password set when it created the user (empty when it found one).
func (d *Driver) ensureUser(ctx context.Context, req provisioning.CreateRequest) (*user, string, error) {
	cust := req.Customer
	if cust.PlatformUserID != "" {
		var u user
		err := d.c.item(ctx, http.MethodGet, "application", "/users/"+pathEscape(cust.PlatformUserID), nil, &u)
		if err == nil {
			return &u, "", nil
		}
		if !errors.Is(err, provisioning.ErrNotFound) {
			return nil, "", err
		}
	}
	if cust.ID != "" {
		var u user
		err := d.c.item(ctx, http.MethodGet, "application", "/users/external/"+pathEscape(cust.ID), nil, &u)
		if err == nil {
			return &u, "", nil
		}
		if !errors.Is(err, provisioning.ErrNotFound) {
			return nil, "", err
		}
	}
	email := strings.TrimSpace(cust.Email)
	if email == "" {
		return nil, "", permanent("customer %s has no email", cust.ID)
	}
	// filter[email] is a partial match (LIKE): page through and check equality.
	for page := 1; page <= maxUserPages; page++ {
		var list listEnvelope
		if err := d.c.do(ctx, http.MethodGet, "application", fmt.Sprintf("/users?filter[email]=%s&per_page=%d&page=%d",
			url.QueryEscape(email), userPageSize, page), nil, &list); err != nil {
			return nil, "", err
		}
		for _, e := range list.Data {
			var u user
			if json.Unmarshal(e.Attributes, &u) == nil && strings.EqualFold(u.Email, email) {
				return &u, "", nil
			}
		}
		if page >= list.Meta.Pagination.TotalPages || len(list.Data) == 0 {
			break
		}
	}
	first, last := splitName(cust.Name, cust.ID)
	body := map[string]any{
		"email":      email,
		"username":   username(email, cust.ID),
		"first_name": first,
		"last_name":  last,
	}
	if cust.ID != "" {
		body["external_id"] = cust.ID
	}
	if req.Password != "" {
		body["password"] = req.Password
	}
	var u user
	if err := d.c.item(ctx, http.MethodPost, "application", "/users", body, &u); err != nil {
		return nil, "", err
	}
	return &u, req.Password, nil
}

// user search paging; variables so tests can page with small sizes.
var (
	userPageSize = 100
	maxUserPages = 50
)

var nonUsername = regexp.MustCompile(`[^a-z0-9_.-]+`)

// username derives a panel username matching ^[a-z0-9][\w.-]+[a-z0-9]$
// from the email's local part and the customer id (for uniqueness).
func username(email, id string) string {
	local, _, _ := strings.Cut(strings.ToLower(email), "@")
	local = nonUsername.ReplaceAllString(local, "")
	suffix := nonUsername.ReplaceAllString(strings.ToLower(id), "")
	if len(local) > 40 {
		local = local[:40]
	}
	u := strings.Trim(local+suffix, "_.-")
	if u == "" {
		u = "user"
	}
	for len(u) < 3 {
		u += "0"
	}
	if len(u) > 191 {
		u = strings.Trim(u[:191], "_.-")
	}
	return u
}

func splitName(name, id string) (string, string) {
	f := strings.Fields(name)
	switch len(f) {
	case 0:
		return "Customer", firstNonEmpty(id, "Customer")
	case 1:
		return f[0], f[0]
	}
	return f[0], strings.Join(f[1:], " ")
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

func (d *Driver) serverByExternal(ctx context.Context, serviceID string) (*server, error) {
	var s server
	if err := d.c.item(ctx, http.MethodGet, "application",
		"/servers/external/"+pathEscape(serviceID)+"?include=allocations", nil, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// resolve finds the server of a ref: by our service id (external_id) when
// known, as the WHMCS module does, else by the panel's numeric id. A
// service linked to a server WHMCS built is not under our id: its linked
// panel id is tried next (see Link).
func (d *Driver) resolve(ctx context.Context, ref provisioning.Ref) (*server, error) {
	if ref.ServiceID != "" {
		s, err := d.serverByExternal(ctx, ref.ServiceID)
		if errors.Is(err, provisioning.ErrNotFound) && ref.PlatformServiceID != "" {
			return d.linkedServer(ctx, ref)
		}
		return s, err
	}
	if _, err := strconv.Atoi(ref.PlatformServiceID); err != nil {
		return nil, permanent("ref has no service id and platform id %q is not numeric", ref.PlatformServiceID)
	}
	var s server
	if err := d.c.item(ctx, http.MethodGet, "application",
		"/servers/"+ref.PlatformServiceID+"?include=allocations", nil, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// Suspend suspends the server (a no-op if it already is).
func (d *Driver) Suspend(ctx context.Context, ref provisioning.Ref) error {
	s, err := d.resolve(ctx, ref)
	if err != nil {
		return err
	}
	return d.c.do(ctx, http.MethodPost, "application", fmt.Sprintf("/servers/%d/suspend", s.ID), nil, nil)
}

// Unsuspend lifts a suspension (a no-op on an active server).
func (d *Driver) Unsuspend(ctx context.Context, ref provisioning.Ref) error {
	s, err := d.resolve(ctx, ref)
	if err != nil {
		return err
	}
	return d.c.do(ctx, http.MethodPost, "application", fmt.Sprintf("/servers/%d/unsuspend", s.ID), nil, nil)
}

// ChangePlan applies the new plan's limits and feature_limits with
// PATCH /servers/{id}/build. The egg and image are left as they are.
func (d *Driver) ChangePlan(ctx context.Context, ref provisioning.Ref, config map[string]any) error {
	cfg, err := parseConfig(config, d.flavor)
	if err != nil {
		return permanent("invalid plan config: %v", err)
	}
	s, err := d.resolve(ctx, ref)
	if err != nil {
		return err
	}
	body := map[string]any{
		"allocation":     s.Allocation,
		"limits":         cfg.Limits,
		"feature_limits": cfg.FeatureLimits,
	}
	var out server
	return d.c.item(ctx, http.MethodPatch, "application", fmt.Sprintf("/servers/%d/build", s.ID), body, &out)
}

// stats is the Client API resources object.
type stats struct {
	CurrentState string `json:"current_state"`
	IsSuspended  bool   `json:"is_suspended"`
	Resources    struct {
		MemoryBytes    int64   `json:"memory_bytes"`
		CPUAbsolute    float64 `json:"cpu_absolute"`
		DiskBytes      int64   `json:"disk_bytes"`
		NetworkRxBytes int64   `json:"network_rx_bytes"`
		NetworkTxBytes int64   `json:"network_tx_bytes"`
		Uptime         int64   `json:"uptime"`
	} `json:"resources"`
}

// Status reads each server's panel state and, when it is neither
// suspended nor installing, its live resources from the Client API. A
// server not on the panel is reported as "unknown"; other errors abort.
// Keys of the map are the refs' ServiceID (PlatformServiceID if empty).
func (d *Driver) Status(ctx context.Context, refs []provisioning.Ref) (map[string]provisioning.Status, error) {
	out := make(map[string]provisioning.Status, len(refs))
	for _, ref := range refs {
		key := firstNonEmpty(ref.ServiceID, ref.PlatformServiceID)
		st := provisioning.Status{State: "unknown", CheckedAt: d.now()}
		s, err := d.resolve(ctx, ref)
		if errors.Is(err, provisioning.ErrNotFound) {
			out[key] = st
			continue
		}
		if err != nil {
			return out, err
		}
		st.IPs, st.Address = s.addresses()
		// limits are MiB, 0 = unlimited: no total
		st.MemoryTotalMB, st.DiskTotalMB = int64(s.Limits.Memory), int64(s.Limits.Disk)
		status := ""
		if s.Status != nil {
			status = *s.Status
		}
		switch {
		case s.Suspended || status == "suspended":
			st.State = "suspended"
		case status == "installing" || status == "restoring_backup":
			st.State = "provisioning"
		case status != "": // install_failed, reinstall_failed
			st.State = "unknown"
		case d.c.clientKey == "":
			// no Client API key: panel-side state only
		default:
			var x stats
			err := d.c.item(ctx, http.MethodGet, "client", "/servers/"+pathEscape(s.Identifier)+"/resources", nil, &x)
			var pe *provisioning.Error
			switch {
			case err == nil:
				st.State = mapState(x.CurrentState, x.IsSuspended)
				st.CPUPercent = x.Resources.CPUAbsolute
				st.MemoryUsedMB = x.Resources.MemoryBytes / (1 << 20)
				st.DiskUsedMB = x.Resources.DiskBytes / (1 << 20)
				st.BandwidthB = x.Resources.NetworkRxBytes + x.Resources.NetworkTxBytes
			case errors.As(err, &pe) && pe.Status == http.StatusConflict:
				st.State = "unknown" // state guard: transferring, maintenance...
			case errors.Is(err, provisioning.ErrNotFound):
				st.State = "unknown"
			default:
				return out, err
			}
		}
		out[key] = st
	}
	return out, nil
}

// mapState maps Wings' current_state to ours: running → online;
// starting and stopping stay (a power action under way); offline,
// stopped → offline.
func mapState(s string, suspended bool) string {
	if suspended {
		return "suspended"
	}
	switch s {
	case "running":
		return "online"
	case "starting", "stopping":
		return s
	case "offline", "stopped":
		return "offline"
	}
	return "unknown"
}

// Power sends start, stop, restart or kill through the Client API.
func (d *Driver) Power(ctx context.Context, ref provisioning.Ref, action string) error {
	switch action {
	case provisioning.PowerStart, provisioning.PowerStop, provisioning.PowerRestart, provisioning.PowerKill:
	default:
		return permanent("unknown power action %q (start, stop, restart, kill)", action)
	}
	if d.c.clientKey == "" {
		return provisioning.ErrNotSupported // no Client API key configured
	}
	s, err := d.resolve(ctx, ref)
	if err != nil {
		return err
	}
	return d.c.do(ctx, http.MethodPost, "client", "/servers/"+pathEscape(s.Identifier)+"/power",
		map[string]string{"signal": action}, nil)
}

// LoginURL returns the server's page on the panel. Pterodactyl has no
// single sign-on: the customer logs in with the panel user's own
// credentials (set or mailed when the user was created), so this is a
// plain link, URL + "/server/" + identifier.
func (d *Driver) LoginURL(ctx context.Context, ref provisioning.Ref) (string, error) {
	s, err := d.resolve(ctx, ref)
	if err != nil {
		return "", err
	}
	return d.c.base + "/server/" + s.Identifier, nil
}
