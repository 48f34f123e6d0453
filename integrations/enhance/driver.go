package enhance

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/ezscale/ezscale/integrations/provisioning"
)

var _ provisioning.Provisioner = (*Driver)(nil)

// Wire types (only the fields used).
type org struct {
	ID           string `json:"id"`
	ParentID     string `json:"parentId"`
	Name         string `json:"name"`
	Status       string `json:"status"`
	OwnerEmail   string `json:"ownerEmail"`
	OwnerID      string `json:"ownerId"`
	OwnerLoginID string `json:"ownerLoginId"`
	SuspendedBy  string `json:"suspendedBy"`
}

type login struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
}

type member struct {
	ID      string   `json:"id"`
	LoginID string   `json:"loginId"`
	Roles   []string `json:"roles"`
}

type resource struct {
	Name  string `json:"name"`
	Usage int64  `json:"usage"`
	Total *int64 `json:"total,omitempty"`
}

type subscription struct {
	ID           int        `json:"id"`
	PlanID       int        `json:"planId"`
	SubscriberID string     `json:"subscriberId"`
	Status       string     `json:"status"`
	SuspendedBy  string     `json:"suspendedBy"`
	FriendlyName string     `json:"friendlyName"`
	Resources    []resource `json:"resources"`
}

type website struct {
	ID     string `json:"id"`
	Domain struct {
		Domain string `json:"domain"`
	} `json:"domain"`
	SubscriptionID int    `json:"subscriptionId"`
	Status         string `json:"status"`
	SuspendedBy    string `json:"suspendedBy"`
	Size           int64  `json:"size"`
	OrgID          string `json:"orgId"`
	ServerIPs      []struct {
		IP        string `json:"ip"`
		IsPrimary bool   `json:"isPrimary"`
	} `json:"serverIps"`
}

type uuidID struct {
	ID string `json:"id"`
}

type intID struct {
	ID int `json:"id"`
}

// Name is the platform name.
func (d *Driver) Name() string { return "enhance" }

var phpVersionRE = regexp.MustCompile(`^php[5-8][0-9]$`)

// ValidateConfig checks a plan's platform config: plan_id (required, a
// positive integer Enhance plan id) and php_version (optional, e.g. php83).
func (d *Driver) ValidateConfig(config map[string]any) error {
	if _, err := planID(config); err != nil {
		return err
	}
	if v, ok := config["php_version"]; ok && v != nil && v != "" {
		s, _ := v.(string)
		if !phpVersionRE.MatchString(s) {
			return &provisioning.Error{Permanent: true, Message: fmt.Sprintf("enhance: php_version %v is not like php83", v)}
		}
	}
	return nil
}

func planID(config map[string]any) (int, error) {
	bad := func(msg string) (int, error) {
		return 0, &provisioning.Error{Permanent: true, Message: "enhance: plan_id " + msg}
	}
	v, ok := config["plan_id"]
	if !ok || v == nil {
		return bad("is required (the Enhance plan id)")
	}
	var n float64
	switch x := v.(type) {
	case float64:
		n = x
	case float32:
		n = float64(x)
	case int:
		n = float64(x)
	case int64:
		n = float64(x)
	case int32:
		n = float64(x)
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return bad(fmt.Sprintf("%q is not a number", x))
		}
		n = f
	case string:
		i, err := strconv.Atoi(strings.TrimSpace(x))
		if err != nil {
			return bad(fmt.Sprintf("%q is not a whole number", x))
		}
		n = float64(i)
	default:
		return bad(fmt.Sprintf("has unsupported type %T", v))
	}
	if n != math.Trunc(n) || n < 1 || n > math.MaxInt32 {
		return bad(fmt.Sprintf("%v must be a positive whole number", v))
	}
	return int(n), nil
}

// friendlyName tags the subscription of one service so a retry finds it.
func friendlyName(serviceID string) string { return "ezscale:" + serviceID }

// orgTag ends the name of the customer organisation of one customer.
func orgTag(customerID string) string { return " [" + customerID + "]" }

var domainRE = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)

func permanent(format string, a ...any) error {
	return &provisioning.Error{Permanent: true, Message: "enhance: " + fmt.Sprintf(format, a...)}
}

// Create builds (or finds, on a retry) the customer organisation with its
// owner login, the subscription to config plan_id tagged with the service
// id, and the website for options["domain"].
func (d *Driver) Create(ctx context.Context, req provisioning.CreateRequest) (provisioning.Created, error) {
	var out provisioning.Created
	plan, err := planID(req.Config)
	if err != nil {
		return out, err
	}
	if err := d.ValidateConfig(req.Config); err != nil {
		return out, err
	}
	if req.ServiceID == "" {
		return out, permanent("create: missing service id")
	}
	domain := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(req.Options["domain"])), ".")
	if !domainRE.MatchString(domain) {
		return out, permanent("create: option domain %q is not a valid domain name", req.Options["domain"])
	}
	email := strings.TrimSpace(req.Customer.Email)
	if req.Customer.ID == "" || !strings.Contains(email, "@") {
		return out, permanent("create: customer id and e-mail are required")
	}
	name := strings.TrimSpace(req.Customer.Name)
	if name == "" {
		name = email
	}

	o, err := d.findOrCreateOrg(ctx, req.Customer, name)
	if err != nil {
		return out, createErr(err)
	}
	var creds map[string]string
	if !strings.EqualFold(o.OwnerEmail, email) {
		created, err := d.ensureOwner(ctx, o, email, name, req.Password)
		if err != nil {
			return out, createErr(err)
		}
		creds = map[string]string{"username": email}
		if created {
			creds["password"] = req.Password
		}
	} else {
		creds = map[string]string{"username": email}
	}
	sub, err := d.findOrCreateSubscription(ctx, o.ID, plan, req.ServiceID)
	if err != nil {
		return out, createErr(err)
	}
	ws, err := d.findOrCreateWebsite(ctx, o.ID, sub, domain, req.Config)
	if err != nil {
		return out, createErr(err)
	}
	out = provisioning.Created{
		PlatformServiceID: serviceRef(o.ID, sub, ws.ID),
		PlatformUserID:    o.ID,
		IPs:               ips(ws),
		Hostname:          domain,
		Credentials:       creds,
	}
	return out, nil
}

// createErr: a 404 during create means a wrong org or plan id.
func createErr(err error) error {
	if isNotFound(err) {
		return &provisioning.Error{Status: http.StatusNotFound, Permanent: true,
			Message: err.Error() + " (check the Enhance org id and plan_id)"}
	}
	return err
}

func (d *Driver) findOrCreateOrg(ctx context.Context, c provisioning.Customer, name string) (org, error) {
	if isUUID(c.PlatformUserID) {
		var o org
		err := d.do(ctx, http.MethodGet, "/orgs/"+c.PlatformUserID, nil, nil, &o)
		if err == nil && o.Status != "deleted" {
			return o, nil
		}
		if err != nil && !isNotFound(err) {
			return o, err
		}
	}
	find := func() (org, bool, error) {
		return list(ctx, d, "/orgs/"+d.org+"/customers", nil, func(o org) bool {
			return o.Status != "deleted" && strings.HasSuffix(o.Name, orgTag(c.ID))
		})
	}
	o, ok, err := find()
	if err != nil || ok {
		return o, err
	}
	var id uuidID
	err = d.do(ctx, http.MethodPost, "/orgs/"+d.org+"/customers", nil, map[string]any{"name": name + orgTag(c.ID)}, &id)
	if statusOf(err) == http.StatusConflict {
		if o, ok, ferr := find(); ferr == nil && ok {
			return o, nil
		}
	}
	if err != nil {
		return o, err
	}
	err = d.do(ctx, http.MethodGet, "/orgs/"+id.ID, nil, nil, &o)
	return o, err
}

// ensureOwner finds or creates the login for email, makes it an Owner
// member of the org and sets it as the org owner. created reports whether
// the login (and so the password) is new.
func (d *Driver) ensureOwner(ctx context.Context, o org, email, name, password string) (created bool, err error) {
	findLogin := func() (login, bool, error) {
		return list(ctx, d, "/logins", nil, func(l login) bool { return strings.EqualFold(l.Email, email) })
	}
	l, ok, err := findLogin()
	if err != nil {
		return false, err
	}
	if !ok {
		if password == "" {
			return false, permanent("create: a password is required for the new login")
		}
		var id uuidID
		err = d.do(ctx, http.MethodPost, "/logins", url.Values{"orgId": {o.ID}},
			map[string]any{"email": email, "password": password, "name": name}, &id)
		if statusOf(err) == http.StatusConflict {
			if l2, ok2, ferr := findLogin(); ferr == nil && ok2 {
				l, err = l2, nil
			}
		} else if err == nil {
			l, created = login{ID: id.ID, Email: email}, true
		}
		if err != nil {
			return false, err
		}
	}
	m, ok, err := list(ctx, d, "/orgs/"+o.ID+"/members", nil, func(m member) bool { return m.LoginID == l.ID })
	if err != nil {
		return created, err
	}
	if !ok {
		var id uuidID
		if err := d.do(ctx, http.MethodPost, "/orgs/"+o.ID+"/members", nil,
			map[string]any{"loginId": l.ID, "roles": []string{"Owner"}}, &id); err != nil {
			return created, err
		}
		m.ID = id.ID
	}
	if o.OwnerID != m.ID {
		if err := d.do(ctx, http.MethodPut, "/orgs/"+o.ID+"/owner", nil, map[string]any{"memberId": m.ID}, nil); err != nil {
			return created, err
		}
	}
	return created, nil
}

func (d *Driver) findOrCreateSubscription(ctx context.Context, orgID string, plan int, serviceID string) (int, error) {
	path := "/orgs/" + d.org + "/customers/" + orgID + "/subscriptions"
	tag := friendlyName(serviceID)
	s, ok, err := list(ctx, d, path, nil, func(s subscription) bool { return s.FriendlyName == tag && s.Status != "deleted" })
	if err != nil {
		return 0, err
	}
	if ok {
		return s.ID, nil
	}
	var id intID
	if err := d.do(ctx, http.MethodPost, path, nil, map[string]any{"planId": plan, "friendlyName": tag}, &id); err != nil {
		return 0, err
	}
	return id.ID, nil
}

func (d *Driver) findOrCreateWebsite(ctx context.Context, orgID string, sub int, domain string, config map[string]any) (website, error) {
	path := "/orgs/" + orgID + "/websites"
	w, ok, err := list(ctx, d, path, url.Values{"search": {domain}}, func(w website) bool {
		return strings.EqualFold(w.Domain.Domain, domain) && w.Status != "deleted"
	})
	if err != nil {
		return w, err
	}
	if ok {
		if w.SubscriptionID != sub {
			return w, permanent("create: %s is already a website of subscription %d in this organisation", domain, w.SubscriptionID)
		}
		return w, nil
	}
	body := map[string]any{"domain": domain, "subscriptionId": sub}
	if v, _ := config["php_version"].(string); v != "" {
		body["phpVersion"] = v
	}
	var id uuidID
	if err := d.do(ctx, http.MethodPost, path, nil, body, &id); err != nil {
		return w, err
	}
	// Creation is asynchronous; the details (IPs) may come later.
	if err := d.do(ctx, http.MethodGet, path+"/"+id.ID, nil, nil, &w); err != nil {
		w = website{ID: id.ID}
	}
	return w, nil
}

func ips(w website) []string {
	var out []string
	for _, ip := range w.ServerIPs {
		if ip.IsPrimary {
			out = append([]string{ip.IP}, out...)
		} else {
			out = append(out, ip.IP)
		}
	}
	return out
}

// ref is a parsed PlatformServiceID "<org uuid>/<subscription id>/<website uuid>".
type ref struct {
	org     string
	sub     int
	website string
}

func serviceRef(orgID string, sub int, websiteID string) string {
	return orgID + "/" + strconv.Itoa(sub) + "/" + websiteID
}

func parseRef(r provisioning.Ref) (ref, error) {
	parts := strings.Split(r.PlatformServiceID, "/")
	if len(parts) == 3 && isUUID(parts[0]) && isUUID(parts[2]) {
		if sub, err := strconv.Atoi(parts[1]); err == nil && sub > 0 {
			return ref{org: parts[0], sub: sub, website: parts[2]}, nil
		}
	}
	return ref{}, permanent("service %s: platform service id %q is not <org>/<subscription>/<website>", r.ServiceID, r.PlatformServiceID)
}

func (r ref) subPath() string     { return "/orgs/" + r.org + "/subscriptions/" + strconv.Itoa(r.sub) }
func (r ref) websitePath() string { return "/orgs/" + r.org + "/websites/" + r.website }

func (d *Driver) setSuspended(ctx context.Context, pr provisioning.Ref, suspended bool) error {
	r, err := parseRef(pr)
	if err != nil {
		return err
	}
	body := map[string]any{"isSuspended": suspended}
	if err := d.do(ctx, http.MethodPatch, r.subPath(), nil, body, nil); err != nil {
		return notFound(err)
	}
	return notFound(d.do(ctx, http.MethodPatch, r.websitePath(), nil, body, nil))
}

// Suspend suspends the subscription and its website.
func (d *Driver) Suspend(ctx context.Context, ref provisioning.Ref) error {
	return d.setSuspended(ctx, ref, true)
}

// Unsuspend lifts the suspension of the subscription and its website.
func (d *Driver) Unsuspend(ctx context.Context, ref provisioning.Ref) error {
	return d.setSuspended(ctx, ref, false)
}

// Terminate deletes the website and the subscription (soft delete: data
// kept on the servers). The customer organisation stays, as other services
// may use it. ErrNotFound when both are already gone.
func (d *Driver) Terminate(ctx context.Context, pr provisioning.Ref) error {
	r, err := parseRef(pr)
	if err != nil {
		return err
	}
	q := url.Values{"force": {"false"}}
	werr := d.do(ctx, http.MethodDelete, r.websitePath(), q, nil, nil)
	if werr != nil && !isNotFound(werr) {
		return werr
	}
	serr := d.do(ctx, http.MethodDelete, r.subPath(), q, nil, nil)
	if serr != nil && !isNotFound(serr) {
		return serr
	}
	if werr != nil && serr != nil {
		return provisioning.ErrNotFound
	}
	return nil
}

// ChangePlan moves the subscription to config plan_id.
func (d *Driver) ChangePlan(ctx context.Context, pr provisioning.Ref, config map[string]any) error {
	if err := d.ValidateConfig(config); err != nil {
		return err
	}
	plan, _ := planID(config)
	r, err := parseRef(pr)
	if err != nil {
		return err
	}
	return notFound(d.do(ctx, http.MethodPatch, r.subPath(), nil, map[string]any{"planId": plan}, nil))
}

// Status reads each service's subscription (suspension, disk and transfer
// usage) and website (status, IPs). Services no longer on the platform are
// left out of the map; any other error fails the call.
func (d *Driver) Status(ctx context.Context, refs []provisioning.Ref) (map[string]provisioning.Status, error) {
	out := make(map[string]provisioning.Status, len(refs))
	for _, pr := range refs {
		r, err := parseRef(pr)
		if err != nil {
			return out, err
		}
		var s subscription
		if err := d.do(ctx, http.MethodGet, r.subPath(), nil, nil, &s); err != nil {
			if isNotFound(err) {
				continue
			}
			return out, err
		}
		var w website
		if err := d.do(ctx, http.MethodGet, r.websitePath(), nil, nil, &w); err != nil {
			if isNotFound(err) {
				continue
			}
			return out, err
		}
		if s.Status == "deleted" || w.Status == "deleted" {
			continue
		}
		st := provisioning.Status{IPs: ips(w), CheckedAt: time.Now().UTC()}
		switch {
		case s.SuspendedBy != "" || w.SuspendedBy != "":
			st.State = "suspended"
		case w.Status == "active":
			st.State = "online"
		case w.Status == "disabled":
			st.State = "offline"
		default:
			st.State = "unknown"
		}
		disk := w.Size
		for _, res := range s.Resources {
			switch res.Name {
			case "diskspace":
				if res.Usage > disk {
					disk = res.Usage
				}
				if res.Total != nil { // absent = unlimited: no total
					st.DiskTotalMB = *res.Total / (1 << 20)
				}
			case "transfer":
				st.BandwidthB = res.Usage
			}
		}
		st.DiskUsedMB = disk / (1 << 20)
		out[pr.ServiceID] = st
	}
	return out, nil
}

// Power is not supported: this is shared web hosting.
func (d *Driver) Power(ctx context.Context, ref provisioning.Ref, action string) error {
	return provisioning.ErrNotSupported
}

// LoginURL asks for a one-time SSO link for the customer organisation's
// owner. Request it per click; it is short-lived.
func (d *Driver) LoginURL(ctx context.Context, pr provisioning.Ref) (string, error) {
	r, err := parseRef(pr)
	if err != nil {
		return "", err
	}
	var o org
	if err := d.do(ctx, http.MethodGet, "/orgs/"+r.org, nil, nil, &o); err != nil {
		return "", notFound(err)
	}
	if o.OwnerID == "" {
		return "", permanent("service %s: organisation %s has no owner to log in as", pr.ServiceID, r.org)
	}
	var link string
	if err := d.do(ctx, http.MethodGet, "/orgs/"+r.org+"/members/"+o.OwnerID+"/sso", nil, nil, &link); err != nil {
		return "", notFound(err)
	}
	if !strings.HasPrefix(link, "http://") && !strings.HasPrefix(link, "https://") {
		return "", &provisioning.Error{Message: fmt.Sprintf("enhance: SSO link %q is not a URL", link)}
	}
	return link, nil
}
