// Package virtfusionsim stands in for a VirtFusion panel in tests and in
// dev mode: a stateful API speaking the contract's wire format, apart from
// the driver so the production binary carries none of it.
package virtfusionsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ezscale/ezscale/integrations/simfault"
)

// Simulator is a stateful in-memory VirtFusion API (the endpoints this
// driver uses) for tests and local development. It checks the Bearer
// token (401, no body, as the contract documents) and answers with the
// contract's envelopes and error shapes.
type Simulator struct {
	Token string

	mu        sync.Mutex
	nextUser  int
	nextSrv   int
	users     map[int]*simUser
	servers   map[int]*simServer
	requests  []string
	ssoTokens int
	srv       *httptest.Server
	powers    map[int]simPower // see simulator_power.go
	rebuilds  map[int]int      // per server, see simulator_reinstall.go
	sshKeys   []*simSSHKey     // every user's, in creation order

	// PowerDelay is how long a power action takes to complete; 0
	// completes it at once.
	PowerDelay time.Duration

	simfault.Faults
}

type simUser struct {
	ID     int
	ExtRel int
	RelStr string
	Name   string
	Email  string
}

type simServer struct {
	ID, OwnerID, PackageID, GroupID, IPv4 int
	Name, Hostname, State                 string
	Commission                            int
	Suspended, Running                    bool
	OSTemplate                            int
	Password                              string
	IPs                                   []string
	Created                               time.Time
	LastPower                             string
	SSHKeys                               []int // the key ids the build installed
}

// New returns a simulator accepting token.
func New(token string) *Simulator {
	return &Simulator{Token: token, nextUser: 1, nextSrv: 100,
		users: map[int]*simUser{}, servers: map[int]*simServer{}, rebuilds: map[int]int{}}
}

// Start serves the simulator on loopback; url is the API base (…/api/v1).
func (s *Simulator) Start() (url string, stop func()) {
	s.srv = httptest.NewServer(s)
	return s.srv.URL + "/api/v1", s.srv.Close
}

// DropNextResponseOn is DropNextResponse for the next request whose method
// (if not "") and path (…/api/v1 stripped) prefix match.
func (s *Simulator) DropNextResponseOn(method, pathPrefix string) {
	s.DropNext(func(r *http.Request) bool {
		return (method == "" || method == r.Method) && strings.HasPrefix(strings.TrimPrefix(r.URL.Path, "/api/v1"), pathPrefix)
	})
}

// Servers is the number of existing (not deleted) servers.
func (s *Simulator) Servers() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.servers)
}

// Users is the number of users.
func (s *Simulator) Users() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.users)
}

// Requests lists "METHOD /path" of every authorised request so far.
func (s *Simulator) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

// ServerState returns a server's (state, suspended, running, last power
// action) for assertions; ok is false if it does not exist.
func (s *Simulator) ServerState(id int) (state string, suspended, running bool, lastPower string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sv, ok := s.servers[id]
	if !ok {
		return "", false, false, "", false
	}
	s.settlePower(sv)
	return sv.State, sv.Suspended, sv.Running, sv.LastPower, true
}

type simResp struct {
	status int
	body   any
}

func (s *Simulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+s.Token || s.Token == "" {
		w.WriteHeader(http.StatusUnauthorized) // contract: 401 with no body
		return
	}
	path := strings.TrimPrefix(r.URL.Path, "/api/v1")
	s.mu.Lock()
	s.requests = append(s.requests, r.Method+" "+path)
	s.mu.Unlock()
	fail, drop := s.Take(r)
	if !s.Wait(r) {
		return
	}
	if fail != nil {
		fail.SetRetryAfter(w)
		writeJSON(w, fail.Status, map[string]any{"msg": fmt.Sprintf("simulated failure %d", fail.Status)})
		return
	}
	var body map[string]any
	if r.Body != nil && r.ContentLength != 0 {
		dec := json.NewDecoder(r.Body)
		dec.UseNumber()
		if err := dec.Decode(&body); err != nil && err.Error() != "EOF" {
			writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"errors": []string{"The request body is not valid JSON."}})
			return
		}
	}
	s.mu.Lock()
	resp := s.route(r, path, body)
	s.mu.Unlock()
	if drop {
		simfault.Lose(w)
		return
	}
	writeJSON(w, resp.status, resp.body)
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	if body == nil {
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func notFound(msg string) simResp { return simResp{404, map[string]any{"msg": msg}} }
func invalid(msgs ...string) simResp {
	return simResp{422, map[string]any{"errors": msgs}}
}

func numField(body map[string]any, key string) (int, bool) {
	v, ok := body[key]
	if !ok {
		return 0, false
	}
	n, ok := toInt(v)
	return n, ok
}

// toInt reads an integer from a body decoded with UseNumber: a JSON
// number, or a numeric string, which VirtFusion's validation accepts too.
func toInt(v any) (int, bool) {
	switch x := v.(type) {
	case json.Number:
		n, err := x.Int64()
		return int(n), err == nil
	case string:
		n, err := strconv.Atoi(strings.TrimSpace(x))
		return n, err == nil
	}
	return 0, false
}

// route runs with s.mu held.
func (s *Simulator) route(r *http.Request, path string, body map[string]any) simResp {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	q := r.URL.Query()
	m := r.Method
	if resp, ok := s.routeReinstall(m, parts, body); ok {
		return resp
	}
	switch {
	case m == "POST" && path == "/users":
		return s.createUser(body)
	case len(parts) == 3 && parts[0] == "users" && parts[2] == "byExtRelation" && m == "GET":
		u := s.userByRel(parts[1], q.Get("relStr") == "true")
		if u == nil {
			return notFound("ext_relation_id not found")
		}
		return simResp{200, map[string]any{"data": userJSON(u)}}
	case len(parts) == 4 && parts[0] == "users" && parts[2] == "serverAuthenticationTokens" && m == "POST":
		u := s.userByRel(parts[1], q.Get("relStr") == "true")
		id, _ := strconv.Atoi(parts[3])
		sv := s.servers[id]
		if u == nil || sv == nil || sv.OwnerID != u.ID {
			return notFound("not found")
		}
		s.ssoTokens++
		return simResp{200, map[string]any{"data": map[string]any{"authentication": map[string]any{
			"endpoint_complete": fmt.Sprintf("/token_authentication?t1=sim%d&t2=srv%d", s.ssoTokens, id)}}}}
	case parts[0] == "ssh_keys":
		return s.routeSSHKeys(m, parts, body)
	case m == "GET" && path == "/servers":
		return s.listServers(q.Get("results"), q.Get("page"))
	case m == "POST" && path == "/servers":
		return s.createServer(body)
	case len(parts) >= 2 && parts[0] == "servers":
		id, err := strconv.Atoi(parts[1])
		sv := s.servers[id]
		if err != nil || sv == nil {
			return notFound("server not found")
		}
		rest := strings.Join(parts[2:], "/")
		switch {
		case m == "GET" && rest == "":
			if sv.State == "queued" { // the simulated build finishes once polled
				sv.State, sv.Commission, sv.Running = "complete", 3, true
			}
			return simResp{200, map[string]any{"data": s.serverJSON(sv, q.Get("remoteState") == "true", false)}}
		case m == "DELETE" && rest == "":
			delete(s.servers, id)
			return simResp{204, nil}
		case m == "POST" && rest == "build":
			if sv.Commission != 0 {
				return simResp{409, map[string]any{"msg": "server already built"}}
			}
			os, ok := numField(body, "operatingSystemId")
			if !ok || os <= 0 {
				return invalid("The operating system id field is required.")
			}
			keys, bad := s.buildSSHKeys(sv, body["sshKeys"])
			if bad != "" {
				return invalid(bad)
			}
			sv.OSTemplate, sv.State, sv.Commission, sv.SSHKeys = os, "queued", 1, keys
			if n, _ := body["name"].(string); n != "" {
				sv.Name = n
			}
			if h, _ := body["hostname"].(string); h != "" {
				sv.Hostname = h
			}
			sv.Password = fmt.Sprintf("simPass%dxY", sv.ID)
			return simResp{200, map[string]any{"data": s.serverJSON(sv, false, true)}}
		case m == "POST" && rest == "suspend":
			sv.Suspended = true
			return simResp{204, nil}
		case m == "POST" && rest == "unsuspend":
			sv.Suspended = false
			return simResp{204, nil}
		case m == "POST" && len(parts) == 4 && parts[2] == "power":
			switch parts[3] {
			case "boot", "restart", "shutdown", "poweroff":
				s.beginPower(sv, parts[3])
			default:
				return notFound("action not found")
			}
			return simResp{200, map[string]any{"data": map[string]any{"queued": true, "action": parts[3]}}}
		case m == "GET" && rest == "traffic":
			return simResp{200, map[string]any{"data": map[string]any{"monthly": []map[string]any{
				{"start": "2025-03-11T00:00:00+00:00", "end": "2025-04-10T23:59:59+00:00",
					"rx": int64(1000 * sv.ID), "tx": int64(500 * sv.ID), "total": int64(1500 * sv.ID), "limit": 2000}}}}}
		case m == "PUT" && len(parts) == 4 && parts[2] == "package":
			pkg, err := strconv.Atoi(parts[3])
			if err != nil || pkg <= 0 {
				return notFound("package not found")
			}
			sv.PackageID = pkg
			return simResp{204, nil}
		}
	}
	return notFound("route not found")
}

func (s *Simulator) userByRel(key string, relStr bool) *simUser {
	for _, u := range s.users {
		if relStr && u.RelStr == key {
			return u
		}
		if !relStr && u.ExtRel != 0 && strconv.Itoa(u.ExtRel) == key {
			return u
		}
	}
	return nil
}

func (s *Simulator) createUser(body map[string]any) simResp {
	name, _ := body["name"].(string)
	email, _ := body["email"].(string)
	var errs []string
	if name == "" {
		errs = append(errs, "The name field is required.")
	}
	if email == "" || !strings.Contains(email, "@") {
		errs = append(errs, "The email must be a valid email address.")
	}
	ext, _ := numField(body, "extRelationId")
	rel, _ := body["relStr"].(string)
	for _, u := range s.users {
		if u.Email == email {
			errs = append(errs, "The email has already been taken.")
		}
		if (ext != 0 && u.ExtRel == ext) || (rel != "" && u.RelStr == rel) {
			errs = append(errs, "The ext relation id has already been taken.")
		}
	}
	if len(errs) > 0 {
		return invalid(errs...)
	}
	u := &simUser{ID: s.nextUser, ExtRel: ext, RelStr: rel, Name: name, Email: email}
	s.nextUser++
	s.users[u.ID] = u
	return simResp{201, map[string]any{"data": userJSON(u)}}
}

func userJSON(u *simUser) map[string]any {
	var ext any
	if u.ExtRel != 0 {
		ext = u.ExtRel
	}
	return map[string]any{"id": u.ID, "admin": false, "extRelationId": ext, "name": u.Name,
		"email": u.Email, "timezone": "Europe/London", "suspended": false, "twoFactorAuth": false,
		"created": "2025-01-20T12:48:20+00:00", "updated": "2025-01-20T13:00:38+00:00"}
}

func (s *Simulator) createServer(body map[string]any) simResp {
	var errs []string
	pkg, ok := numField(body, "packageId")
	if !ok || pkg <= 0 {
		errs = append(errs, "The selected package id is invalid.")
	}
	uid, _ := numField(body, "userId")
	if s.users[uid] == nil {
		errs = append(errs, "The selected user id is invalid.")
	}
	grp, ok := numField(body, "hypervisorId")
	if !ok || grp <= 0 {
		errs = append(errs, "The selected hypervisor id is invalid.")
	}
	if len(errs) > 0 {
		return invalid(errs...)
	}
	ipv4, _ := numField(body, "ipv4")
	sv := &simServer{ID: s.nextSrv, OwnerID: uid, PackageID: pkg, GroupID: grp, IPv4: ipv4,
		State: "allocated", Created: time.Now().UTC()}
	for i := 0; i < ipv4; i++ {
		sv.IPs = append(sv.IPs, fmt.Sprintf("203.0.113.%d", (sv.ID+i)%250+1))
	}
	s.nextSrv++
	s.servers[sv.ID] = sv
	return simResp{201, map[string]any{"data": s.serverJSON(sv, false, false)}}
}

func (s *Simulator) serverJSON(sv *simServer, remote, withPassword bool) map[string]any {
	var hostname any
	if sv.Hostname != "" {
		hostname = sv.Hostname
	}
	ipv4 := []map[string]any{}
	for _, ip := range sv.IPs {
		ipv4 = append(ipv4, map[string]any{"address": ip, "gateway": "203.0.113.1", "netmask": "255.255.255.0",
			"resolver1": "8.8.8.8", "resolver2": "8.8.4.4", "rdns": nil})
	}
	settings := map[string]any{"osTemplateInstall": true, "osTemplateInstallId": sv.OSTemplate,
		"resources": map[string]any{"memory": 2048, "storage": 40, "traffic": 2000, "cpuCores": 2}}
	if withPassword {
		settings["decryptedPassword"] = sv.Password
	}
	d := map[string]any{
		"id": sv.ID, "ownerId": sv.OwnerID, "hypervisorId": 10 + sv.GroupID, "name": sv.Name,
		"hostname": hostname, "commissionStatus": sv.Commission, "state": sv.State,
		"uuid": fmt.Sprintf("00000000-0000-4000-8000-%012d", sv.ID), "suspended": sv.Suspended,
		"protected": false, "buildFailed": false, "settings": settings,
		"network": map[string]any{"interfaces": []map[string]any{{"name": "eth0", "type": "public",
			"ipv4": ipv4, "ipv6": []any{}}}, "secondaryInterfaces": []any{}},
		"created": sv.Created.Format(time.RFC3339), "updated": sv.Created.Format(time.RFC3339),
	}
	if u := s.users[sv.OwnerID]; u != nil {
		d["owner"] = userJSON(u)
	}
	if remote {
		state := s.settlePower(sv)
		d["remoteState"] = map[string]any{"state": state, "cpu": 3.5,
			"memory": map[string]any{"actual": 2097152, "unused": 1048576, "available": 1900000, "rss": 900000},
			"agent": map[string]any{"fsinfo": []map[string]any{{"name": "vda1", "mountpoint": "/", "type": "ext4",
				"used-bytes": 5 << 30, "total-bytes": 40 << 30}}}}
	}
	return d
}

func (s *Simulator) listServers(resultsS, pageS string) simResp {
	per, err := strconv.Atoi(resultsS)
	if err != nil || per < 1 || per > 200 {
		per = 20
	}
	page, err := strconv.Atoi(pageS)
	if err != nil || page < 1 {
		page = 1
	}
	ids := make([]int, 0, len(s.servers))
	for id := range s.servers {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	last := (len(ids) + per - 1) / per
	if last < 1 {
		last = 1
	}
	items := []map[string]any{}
	from := (page - 1) * per
	for i := from; i < len(ids) && i < from+per; i++ {
		sv := s.servers[ids[i]]
		items = append(items, map[string]any{"id": sv.ID, "uuid": fmt.Sprintf("00000000-0000-4000-8000-%012d", sv.ID),
			"name": sv.Name, "commissioned": sv.Commission, "owner": sv.OwnerID, "hypervisorId": 10 + sv.GroupID,
			"suspended": sv.Suspended, "protected": false,
			"created": sv.Created.Format(time.RFC3339), "updated": sv.Created.Format(time.RFC3339)})
	}
	var next any
	if page < last {
		next = fmt.Sprintf("/api/v1/servers?page=%d", page+1)
	}
	return simResp{200, map[string]any{"current_page": page, "data": items, "last_page": last,
		"per_page": per, "total": len(ids), "next_page_url": next, "from": from + 1, "to": from + len(items)}}
}
