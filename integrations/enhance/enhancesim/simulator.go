// Package enhancesim stands in for an Enhance control panel in tests and
// in dev mode: a stateful orchd API speaking the contract's wire format,
// apart from the driver so the production binary carries none of it.
package enhancesim

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ezscale/ezscale/integrations/simfault"
)

// Simulator is a stateful in-memory fake of the Enhance orchd API, served
// under /api. One access token belongs to the master organisation (MO).
type Simulator struct {
	mu    sync.Mutex
	token string
	moID  string
	host  string

	orgs     map[string]*simOrg
	orgOrder []string
	logins   map[string]*simLogin
	loginOrd []string
	members  map[string]*simMember
	memOrder []string
	subs     map[int]*simSub
	nextSub  int
	sites    map[string]*simSite
	siteOrd  []string
	plans    map[int]string

	requests int

	simfault.Faults
}

type simOrg struct {
	ID, ParentID, Name, Status, OwnerMember, SuspendedBy string
	CreatedAt                                            time.Time
}

type simLogin struct{ ID, Email, Name, Password string }

type simMember struct {
	ID, OrgID, LoginID string
	Roles              []string
	JoinedAt           time.Time
}

type simSub struct {
	ID, PlanID                                            int
	SubscriberID, VendorID, Status, SuspendedBy, Friendly string
	Transfer                                              int64
}

type simSite struct {
	ID, DomainID, Domain, OrgID, Status, SuspendedBy string
	SubID                                            int
	Size                                             int64
	CreatedAt                                        time.Time
}

// New makes a simulator accepting token, with plan 1 ("Basic")
// and plan 2 ("Max") owned by the MO.
func New(token string) *Simulator {
	s := &Simulator{token: token, moID: newUUID(), orgs: map[string]*simOrg{}, logins: map[string]*simLogin{},
		members: map[string]*simMember{}, subs: map[int]*simSub{}, nextSub: 660, sites: map[string]*simSite{},
		plans: map[int]string{1: "Basic [Shared Webhosting]", 2: "Max [Shared Webhosting]"}}
	s.orgs[s.moID] = &simOrg{ID: s.moID, Name: "Master Org", Status: "active", CreatedAt: time.Now().UTC()}
	s.orgOrder = append(s.orgOrder, s.moID)
	return s
}

// MOOrgID is the master organisation's id (Config.OrgID).
func (s *Simulator) MOOrgID() string { return s.moID }

// AddPlan adds (or renames) a plan of the MO.
func (s *Simulator) AddPlan(id int, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.plans[id] = name
}

// DropNextResponseTo is DropNextResponse for the next request with this
// method (any if "") whose path ends with pathSuffix.
func (s *Simulator) DropNextResponseTo(method, pathSuffix string) {
	s.DropNext(func(r *http.Request) bool {
		return (method == "" || method == r.Method) && strings.HasSuffix(r.URL.Path, pathSuffix)
	})
}

// Counters of live (not deleted) objects.
func (s *Simulator) Websites() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, w := range s.sites {
		if w.Status != "deleted" {
			n++
		}
	}
	return n
}

// Subscriptions counts live subscriptions.
func (s *Simulator) Subscriptions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, x := range s.subs {
		if x.Status != "deleted" {
			n++
		}
	}
	return n
}

// Customers counts live customer organisations (not the MO).
func (s *Simulator) Customers() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, o := range s.orgs {
		if o.ID != s.moID && o.Status != "deleted" {
			n++
		}
	}
	return n
}

// Logins counts logins.
func (s *Simulator) Logins() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.logins)
}

// Requests counts requests received.
func (s *Simulator) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// SetTransfer sets a subscription's transfer usage in bytes.
func (s *Simulator) SetTransfer(subID int, bytes int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if x := s.subs[subID]; x != nil {
		x.Transfer = bytes
	}
}

// Start serves the simulator on loopback; url is the panel URL (without
// /api).
func (s *Simulator) Start() (url string, stop func()) {
	srv := httptest.NewServer(s)
	s.mu.Lock()
	s.host = srv.URL
	s.mu.Unlock()
	return srv.URL, srv.Close
}

type simErr struct {
	status int
	code   string
	msg    string
}

func (s *Simulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests++
	s.mu.Unlock()
	s.Serve(w, r, func(w http.ResponseWriter, f simfault.Failure) {
		writeErr(w, simErr{f.Status, "injected", "injected failure " + strconv.Itoa(f.Status)})
	}, s.serve)
}

func writeErr(w http.ResponseWriter, e simErr) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.status)
	_ = json.NewEncoder(w).Encode(map[string]string{"code": e.code, "message": e.msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Simulator) serve(w http.ResponseWriter, r *http.Request) {
	path, ok := strings.CutPrefix(r.URL.Path, "/api/")
	if !ok {
		writeErr(w, simErr{404, "not_found", "no such endpoint"})
		return
	}
	switch path {
	case "version":
		writeJSON(w, 200, "12.25.12")
		return
	case "status":
		writeJSON(w, 200, "ok")
		return
	}
	auth := r.Header.Get("Authorization")
	if auth == "" {
		writeErr(w, simErr{401, "no_session_token", "No session token"})
		return
	}
	if tok, ok := strings.CutPrefix(auth, "Bearer "); !ok || tok != s.token {
		writeErr(w, simErr{403, "unauthorized", "Invalid or expired access token"})
		return
	}
	seg := strings.Split(strings.Trim(path, "/"), "/")
	// Malformed UUIDs in the path get the plain-text 404 orchd gives.
	if seg[0] == "orgs" {
		bad := len(seg) > 1 && !uuidRE.MatchString(seg[1])
		if len(seg) > 3 && (seg[2] == "customers" || seg[2] == "members" || seg[2] == "websites") && !uuidRE.MatchString(seg[3]) {
			bad = true
		}
		if bad {
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(404)
			_, _ = w.Write([]byte("UUID parsing failed"))
			return
		}
	}
	var body map[string]json.RawMessage
	if r.Method == http.MethodPost || r.Method == http.MethodPatch || r.Method == http.MethodPut {
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			writeErr(w, simErr{400, "invalid_input", "Invalid input: " + err.Error()})
			return
		}
	}
	s.mu.Lock()
	status, v, e := s.route(r, seg, body)
	s.mu.Unlock()
	switch {
	case e != nil:
		writeErr(w, *e)
	case v == nil:
		w.WriteHeader(status)
	default:
		writeJSON(w, status, v)
	}
}

var (
	// uuidRE is the id shape orchd routes; anything else is a plain 404.
	uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	// domainRE is the domain names orchd accepts for a website.
	domainRE = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)

	errNotFound = &simErr{404, "not_found", "Not found"}
	errNoRoute  = &simErr{404, "not_found", "No such endpoint"}
)

func invalid(msg string) *simErr { return &simErr{422, "validation_error", msg} }

func (s *Simulator) route(r *http.Request, seg []string, body map[string]json.RawMessage) (int, any, *simErr) {
	m, n := r.Method, len(seg)
	q := r.URL.Query()
	if seg[0] == "logins" && n == 1 {
		switch m {
		case http.MethodGet:
			var items []any
			for _, id := range s.loginOrd {
				l := s.logins[id]
				items = append(items, map[string]any{"id": l.ID, "email": l.Email, "name": l.Name, "authMethod": "basic", "locale": "en"})
			}
			return paged(q, items)
		case http.MethodPost:
			o := s.liveOrg(q.Get("orgId"))
			if o == nil {
				return 0, nil, errNotFound
			}
			email, name, pw := str(body, "email"), str(body, "name"), str(body, "password")
			if !strings.Contains(email, "@") || name == "" || len(pw) < 8 {
				return 0, nil, invalid("email, name and a password of 8+ characters are required")
			}
			for _, l := range s.logins {
				if strings.EqualFold(l.Email, email) {
					return 0, nil, &simErr{409, "already_exists", "A login with this email already exists"}
				}
			}
			l := &simLogin{ID: newUUID(), Email: email, Name: name, Password: pw}
			s.logins[l.ID] = l
			s.loginOrd = append(s.loginOrd, l.ID)
			return 201, map[string]any{"id": l.ID}, nil
		}
	}
	if seg[0] != "orgs" || n < 2 {
		return 0, nil, errNoRoute
	}
	o := s.liveOrg(seg[1])
	if o == nil {
		return 0, nil, errNotFound
	}
	switch {
	case n == 2:
		switch m {
		case http.MethodGet:
			return 200, s.orgJSON(o), nil
		case http.MethodPatch:
			if v, ok := boolField(body, "isSuspended"); ok {
				o.SuspendedBy = ""
				if v {
					o.SuspendedBy = s.moID
				}
			}
			return 204, nil, nil
		case http.MethodDelete:
			if o.ID == s.moID {
				return 0, nil, &simErr{403, "unauthorized", "Cannot delete the MO"}
			}
			o.Status = "deleted"
			for _, w := range s.sites {
				if w.OrgID == o.ID {
					w.Status = "deleted"
				}
			}
			for _, x := range s.subs {
				if x.SubscriberID == o.ID {
					x.Status = "deleted"
				}
			}
			return 204, nil, nil
		}
	case seg[2] == "customers" && n == 3:
		switch m {
		case http.MethodGet:
			var items []any
			for _, id := range s.orgOrder {
				c := s.orgs[id]
				if c.ParentID == o.ID && (q.Get("status") == "" || q.Get("status") == c.Status) {
					items = append(items, s.orgJSON(c))
				}
			}
			return paged(q, items)
		case http.MethodPost:
			name := str(body, "name")
			if strings.TrimSpace(name) == "" {
				return 0, nil, invalid("name is required")
			}
			c := &simOrg{ID: newUUID(), ParentID: o.ID, Name: name, Status: "active", CreatedAt: time.Now().UTC()}
			s.orgs[c.ID] = c
			s.orgOrder = append(s.orgOrder, c.ID)
			return 201, map[string]any{"id": c.ID}, nil
		}
	case seg[2] == "customers" && n == 5 && seg[4] == "subscriptions":
		c := s.liveOrg(seg[3])
		if c == nil || c.ParentID != o.ID {
			return 0, nil, errNotFound
		}
		switch m {
		case http.MethodGet:
			return paged(q, s.subList(c.ID))
		case http.MethodPost:
			plan, ok := intField(body, "planId")
			if !ok {
				return 0, nil, invalid("planId is required")
			}
			if _, ok := s.plans[plan]; !ok {
				return 0, nil, &simErr{404, "not_found", "Plan not found"}
			}
			s.nextSub++
			x := &simSub{ID: s.nextSub, PlanID: plan, SubscriberID: c.ID, VendorID: o.ID, Status: "active", Friendly: str(body, "friendlyName")}
			s.subs[x.ID] = x
			return 201, map[string]any{"id": x.ID}, nil
		}
	case seg[2] == "members" && n == 3:
		switch m {
		case http.MethodGet:
			var items []any
			for _, id := range s.memOrder {
				if mb := s.members[id]; mb.OrgID == o.ID {
					items = append(items, s.memberJSON(mb))
				}
			}
			return paged(q, items)
		case http.MethodPost:
			lid := str(body, "loginId")
			var roles []string
			_ = json.Unmarshal(body["roles"], &roles)
			if s.logins[lid] == nil {
				return 0, nil, invalid("loginId is not a login")
			}
			if len(roles) == 0 {
				return 0, nil, invalid("roles are required")
			}
			for _, mb := range s.members {
				if mb.OrgID == o.ID && mb.LoginID == lid {
					return 0, nil, &simErr{409, "already_exists", "Already a member"}
				}
			}
			mb := &simMember{ID: newUUID(), OrgID: o.ID, LoginID: lid, Roles: roles, JoinedAt: time.Now().UTC()}
			s.members[mb.ID] = mb
			s.memOrder = append(s.memOrder, mb.ID)
			return 201, map[string]any{"id": mb.ID}, nil
		}
	case seg[2] == "members" && n == 5 && seg[4] == "sso" && m == http.MethodGet:
		mb := s.members[seg[3]]
		if mb == nil || mb.OrgID != o.ID {
			return 0, nil, errNotFound
		}
		return 201, s.host + "/login/sessions/sso?otp=" + newUUID(), nil
	case seg[2] == "owner" && n == 3 && m == http.MethodPut:
		mb := s.members[str(body, "memberId")]
		if mb == nil || mb.OrgID != o.ID {
			return 0, nil, invalid("memberId is not a member of this organisation")
		}
		o.OwnerMember = mb.ID
		return 200, nil, nil
	case seg[2] == "subscriptions" && n == 3 && m == http.MethodGet:
		return paged(q, s.subList(o.ID))
	case seg[2] == "subscriptions" && n >= 4:
		id, err := strconv.Atoi(seg[3])
		x := s.subs[id]
		if err != nil || x == nil || x.SubscriberID != o.ID || x.Status == "deleted" {
			return 0, nil, errNotFound
		}
		switch {
		case n == 4 && m == http.MethodGet:
			return 200, s.subJSON(x), nil
		case n == 4 && m == http.MethodPatch:
			if plan, ok := intField(body, "planId"); ok {
				if _, ok := s.plans[plan]; !ok {
					return 0, nil, &simErr{404, "not_found", "Plan not found"}
				}
				x.PlanID = plan
			}
			if v, ok := boolField(body, "isSuspended"); ok {
				x.SuspendedBy = ""
				if v {
					x.SuspendedBy = s.moID
				}
			}
			return 204, nil, nil
		case n == 4 && m == http.MethodDelete:
			x.Status = "deleted"
			for _, w := range s.sites {
				if w.SubID == x.ID {
					w.Status = "deleted"
				}
			}
			return 204, nil, nil
		case n == 5 && seg[4] == "bandwidth" && m == http.MethodGet:
			return 200, x.Transfer, nil
		}
	case seg[2] == "websites" && n == 3:
		switch m {
		case http.MethodGet:
			search := strings.ToLower(q.Get("search"))
			var items []any
			for _, id := range s.siteOrd {
				ws := s.sites[id]
				if !s.listsSite(o, ws, q) || ws.Status == "deleted" {
					continue
				}
				if search != "" && !strings.Contains(ws.Domain, search) && ws.ID != search {
					continue
				}
				if sid := q.Get("subscriptionId"); sid != "" && sid != strconv.Itoa(ws.SubID) {
					continue
				}
				items = append(items, s.siteJSON(ws))
			}
			return paged(q, items)
		case http.MethodPost:
			domain := strings.ToLower(str(body, "domain"))
			if !domainRE.MatchString(domain) {
				return 0, nil, invalid("domain is not a valid domain name")
			}
			sid, ok := intField(body, "subscriptionId")
			if !ok && o.ID != s.moID {
				return 0, nil, invalid("subscriptionId is required for customer organisations")
			}
			x := s.subs[sid]
			if ok && (x == nil || x.SubscriberID != o.ID || x.Status == "deleted") {
				return 0, nil, &simErr{404, "not_found", "Subscription not found"}
			}
			for _, ws := range s.sites {
				if ws.Domain == domain && ws.Status != "deleted" {
					return 0, nil, &simErr{409, "already_exists", "Domain already exists"}
				}
			}
			ws := &simSite{ID: newUUID(), DomainID: newUUID(), Domain: domain, OrgID: o.ID, Status: "active", SubID: sid,
				Size: 5 << 20, CreatedAt: time.Now().UTC()}
			s.sites[ws.ID] = ws
			s.siteOrd = append(s.siteOrd, ws.ID)
			return 201, map[string]any{"id": ws.ID}, nil
		}
	case seg[2] == "websites" && n == 4:
		ws := s.sites[seg[3]]
		if ws == nil || ws.OrgID != o.ID || ws.Status == "deleted" {
			return 0, nil, errNotFound
		}
		switch m {
		case http.MethodGet:
			return 200, s.siteJSON(ws), nil
		case http.MethodPatch:
			if v, ok := boolField(body, "isSuspended"); ok {
				ws.SuspendedBy = ""
				if v {
					ws.SuspendedBy = s.moID
				}
			}
			if st := str(body, "status"); st != "" {
				if st != "active" && st != "disabled" && st != "deleted" {
					return 0, nil, invalid("status must be active, disabled or deleted")
				}
				ws.Status = st
			}
			return 204, nil, nil
		case http.MethodDelete:
			ws.Status = "deleted"
			return 204, nil, nil
		}
	}
	return 0, nil, errNoRoute
}

func (s *Simulator) liveOrg(id string) *simOrg {
	o := s.orgs[strings.ToLower(id)]
	if o == nil || o.Status == "deleted" {
		return nil
	}
	return o
}

func (s *Simulator) orgJSON(o *simOrg) map[string]any {
	subs, sites := 0, 0
	for _, x := range s.subs {
		if x.SubscriberID == o.ID && x.Status != "deleted" {
			subs++
		}
	}
	for _, w := range s.sites {
		if w.OrgID == o.ID && w.Status != "deleted" {
			sites++
		}
	}
	v := map[string]any{"id": o.ID, "name": o.Name, "status": o.Status, "subscriptionsCount": subs,
		"websitesCount": sites, "createdAt": o.CreatedAt.Format(time.RFC3339), "locale": "en"}
	if o.ParentID != "" {
		v["parentId"] = o.ParentID
	}
	if o.SuspendedBy != "" {
		v["suspendedBy"] = o.SuspendedBy
	}
	if mb := s.members[o.OwnerMember]; mb != nil {
		l := s.logins[mb.LoginID]
		v["ownerId"], v["ownerLoginId"], v["owner"], v["ownerEmail"] = mb.ID, l.ID, l.Name, l.Email
	}
	return v
}

func (s *Simulator) memberJSON(mb *simMember) map[string]any {
	l := s.logins[mb.LoginID]
	return map[string]any{"id": mb.ID, "loginId": mb.LoginID, "isActive": true, "email": l.Email, "name": l.Name,
		"roles": mb.Roles, "siteAccesses": []any{}, "notifications": []any{}, "joinedAt": mb.JoinedAt.Format(time.RFC3339),
		"colorCode": "#3f51b5", "authMethod": "basic"}
}

func (s *Simulator) subList(orgID string) []any {
	var items []any
	for id := 0; id <= s.nextSub; id++ {
		if x := s.subs[id]; x != nil && x.SubscriberID == orgID && x.Status != "deleted" {
			items = append(items, s.subJSON(x))
		}
	}
	return items
}

func (s *Simulator) subJSON(x *simSub) map[string]any {
	var disk int64
	sites := 0
	for _, w := range s.sites {
		if w.SubID == x.ID && w.Status != "deleted" {
			disk += w.Size
			sites++
		}
	}
	v := map[string]any{"id": x.ID, "planId": x.PlanID, "planName": s.plans[x.PlanID], "subscriberId": x.SubscriberID,
		"vendorId": x.VendorID, "status": x.Status,
		"resources": []map[string]any{
			{"name": "websites", "total": 1, "usage": sites},
			{"name": "diskspace", "total": 10 << 30, "usage": disk},
			{"name": "transfer", "total": 100 << 30, "usage": x.Transfer},
		},
		"allowances": []any{}, "selections": []any{}, "planType": "shared", "allowedPhpVersions": []string{"php83"},
		"defaultPhpVersion": "php83", "redisAllowed": false, "friendlyName": x.Friendly}
	if x.SuspendedBy != "" {
		v["suspendedBy"] = x.SuspendedBy
	}
	return v
}

func (s *Simulator) siteJSON(w *simSite) map[string]any {
	v := map[string]any{"id": w.ID,
		"domain":  map[string]any{"id": w.DomainID, "domain": w.Domain, "documentRoot": "public_html", "kind": "primary", "cloudflareStatus": "Disconnected"},
		"aliases": []any{}, "subdomains": []any{}, "subscriptionId": w.SubID, "status": w.Status, "colorCode": "#3f51b5",
		"tags": []any{}, "size": w.Size, "orgId": w.OrgID, "kind": "normal", "phpVersion": "php83",
		"serverIps": []map[string]any{{"ip": "203.0.113.10", "isPrimary": true}},
		"createdAt": w.CreatedAt.Format(time.RFC3339)}
	if x := s.subs[w.SubID]; x != nil {
		v["planId"], v["plan"] = x.PlanID, s.plans[x.PlanID]
	}
	if w.SuspendedBy != "" {
		v["suspendedBy"] = w.SuspendedBy
	}
	return v
}

func paged(q map[string][]string, items []any) (int, any, *simErr) {
	get := func(k string, def int) int {
		if v := q[k]; len(v) > 0 {
			if n, err := strconv.Atoi(v[0]); err == nil && n >= 0 {
				return n
			}
		}
		return def
	}
	off, lim := get("offset", 0), get("limit", 50)
	total := len(items)
	if off > total {
		off = total
	}
	end := off + lim
	if end > total {
		end = total
	}
	out := items[off:end]
	if out == nil {
		out = []any{}
	}
	return 200, map[string]any{"items": out, "total": total}, nil
}

func str(body map[string]json.RawMessage, k string) string {
	var v string
	_ = json.Unmarshal(body[k], &v)
	return v
}

func intField(body map[string]json.RawMessage, k string) (int, bool) {
	var v int
	if raw, ok := body[k]; !ok || json.Unmarshal(raw, &v) != nil {
		return 0, false
	}
	return v, true
}

func boolField(body map[string]json.RawMessage, k string) (bool, bool) {
	var v bool
	if raw, ok := body[k]; !ok || json.Unmarshal(raw, &v) != nil {
		return false, false
	}
	return v, true
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
