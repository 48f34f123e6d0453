// Package synergycpsim stands in for a SynergyCP install in tests and in
// dev mode: a stateful API speaking the contract's wire format, apart from
// the driver so the production binary carries none of it.
package synergycpsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/ezscale/ezscale/integrations/simfault"
)

// Server is one piece of hardware in the Simulator's inventory.
type Server struct {
	ID       int
	CPU      string   // cpu billing id
	Mem      string   // mem billing id, e.g. "mem-32"
	Disks    []string // disk billing ids
	Group    string   // ip group billing id (location)
	IP       string
	Assigned bool
	// set while assigned
	ClientID   int
	BillingID  string
	Nickname   string
	OS         string
	AccessID   int
	Active     bool
	LastPower  string
	Suspension string
}

type simClient struct {
	ID        int
	Email     string
	First     string
	Last      string
	BillingID string
	APIUser   string
}

// Simulator is a stateful in-memory SynergyCP API for tests, following the
// contract: ?key= auth, {error,data,messages} envelopes, Laravel paginators.
type Simulator struct {
	mu         sync.Mutex
	key        string
	servers    []*Server
	clients    []*simClient
	clientKeys map[string]int
	nextID     int
	requests   int
	vip        bool
	reinstalls simReinstall // see simulator_reinstall.go

	simfault.Faults
}

// SetVIP makes automatic (auto: true) suspensions and wipes be refused as
// for a VIP client: an error envelope with data.ignored = true.
func (s *Simulator) SetVIP(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.vip = on
}

func vipRefusal() simResp {
	return simResp{status: 200, body: envelopeJSON(true, map[string]any{"ignored": true}, "danger",
		"Automatic actions are disabled for this client.")}
}

// New returns a simulator accepting integration key key, with an
// inventory of three servers: two E3-1270v6/32GB/2×1TB-SSD in LOC-LA1 and
// one E5-2620/64GB/4×2TB-HDD in LOC-NY1.
func New(key string) *Simulator {
	s := &Simulator{key: key, clientKeys: map[string]int{}, nextID: 1000}
	s.AddServer(Server{ID: 231, CPU: "E3-1270v6", Mem: "mem-32", Disks: []string{"1TB-SSD", "1TB-SSD"}, Group: "LOC-LA1", IP: "203.0.113.18"})
	s.AddServer(Server{ID: 232, CPU: "E3-1270v6", Mem: "mem-32", Disks: []string{"1TB-SSD", "1TB-SSD"}, Group: "LOC-LA1", IP: "203.0.113.19"})
	s.AddServer(Server{ID: 240, CPU: "E5-2620", Mem: "mem-64", Disks: []string{"2TB-HDD", "2TB-HDD", "2TB-HDD", "2TB-HDD"}, Group: "LOC-NY1", IP: "198.51.100.7"})
	return s
}

// AddServer adds hardware to the inventory.
func (s *Simulator) AddServer(srv Server) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := srv
	s.servers = append(s.servers, &c)
}

// Start serves the simulator on loopback.
func (s *Simulator) Start() (string, func()) {
	ts := httptest.NewServer(s)
	return ts.URL, ts.Close
}

// Assigned is the number of servers assigned to clients.
func (s *Simulator) Assigned() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, v := range s.servers {
		if v.Assigned {
			n++
		}
	}
	return n
}

// InStock is the number of free servers.
func (s *Simulator) InStock() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.servers) - s.assignedLocked()
}

func (s *Simulator) assignedLocked() int {
	n := 0
	for _, v := range s.servers {
		if v.Assigned {
			n++
		}
	}
	return n
}

// Clients is the number of clients.
func (s *Simulator) Clients() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.clients)
}

// Requests is the number of requests received.
func (s *Simulator) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// Server returns a copy of the server with id, if any.
func (s *Simulator) Server(id int) (Server, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range s.servers {
		if v.ID == id {
			c := *v
			c.Disks = append([]string(nil), v.Disks...)
			return c, true
		}
	}
	return Server{}, false
}

// UpdateServer changes the server with id as staff would on the panel,
// behind the driver's back; false when there is none.
func (s *Simulator) UpdateServer(id int, change func(*Server)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range s.servers {
		if v.ID == id {
			change(v)
			return true
		}
	}
	return false
}

// message is one entry of the envelope's messages, as the web UI shows it.
type message struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type simResp struct {
	status int
	header http.Header
	body   []byte
}

func envelopeJSON(errFlag bool, data any, msgType, text string) []byte {
	msgs := []message{}
	if text != "" {
		msgs = append(msgs, message{Type: msgType, Text: text})
	}
	b, _ := json.Marshal(map[string]any{"error": errFlag, "data": data, "messages": msgs})
	return b
}

func okResp(data any, text string) simResp {
	return simResp{status: 200, body: envelopeJSON(false, data, "success", text)}
}

func errResp(status int, text string) simResp {
	return simResp{status: status, body: envelopeJSON(true, nil, "danger", text)}
}

// ServeHTTP implements http.Handler.
func (s *Simulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests++
	s.mu.Unlock()
	if !s.Wait(r) {
		return
	}
	var res simResp
	fail, drop := s.Take(r)
	if fail != nil {
		res = errResp(fail.Status, http.StatusText(fail.Status))
		fail.SetRetryAfter(w)
	} else {
		s.mu.Lock()
		res = s.route(r)
		s.mu.Unlock()
	}
	if drop {
		simfault.Lose(w)
		return
	}
	for k, v := range res.header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(res.status)
	_, _ = w.Write(res.body)
}

// route runs with s.mu held.
func (s *Simulator) route(r *http.Request) simResp {
	q := r.URL.Query()
	key := q.Get("key")
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	isControl := len(parts) >= 3 && parts[0] == "server" && parts[2] == "control"
	keyClient, isClientKey := s.clientKeys[key]
	switch {
	case key == "":
		return errResp(401, "API key is required.")
	case key == s.key:
	case isClientKey && isControl:
	default:
		return errResp(401, "Invalid API key.")
	}

	var body map[string]any
	if r.Method != http.MethodGet && r.Body != nil {
		if r.Header.Get("Content-Type") != "application/json" {
			return errResp(422, "Content-Type must be application/json.")
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			return errResp(422, "Invalid JSON body.")
		}
	}
	m := r.Method
	if res, ok := s.routeReinstall(m, parts, q, body); ok {
		return res
	}
	switch {
	case len(parts) == 1 && parts[0] == "client" && m == http.MethodGet:
		var items []any
		for _, c := range s.clients {
			if v := q.Get("billing_id"); v != "" && c.BillingID != v {
				continue
			}
			if v := q.Get("email"); v != "" && !strings.EqualFold(c.Email, v) {
				continue
			}
			items = append(items, s.clientJSON(c))
		}
		return okResp(paginate(items, q), "")
	case len(parts) == 1 && parts[0] == "client" && m == http.MethodPost:
		email, _ := body["email"].(string)
		if email == "" {
			return errResp(422, "The email field is required.")
		}
		for _, c := range s.clients {
			if strings.EqualFold(c.Email, email) {
				return errResp(422, "The email has already been taken.")
			}
		}
		s.nextID++
		c := &simClient{ID: s.nextID, Email: email, BillingID: anyString(body["billing_id"])}
		c.First, _ = body["first"].(string)
		c.Last, _ = body["last"].(string)
		s.clients = append(s.clients, c)
		return okResp(s.clientJSON(c), "Client created.")
	case len(parts) == 2 && parts[0] == "client" && m == http.MethodPatch:
		c := s.client(parts[1])
		if c == nil {
			return errResp(404, "Client not found.")
		}
		if v, ok := body["api_user"]; ok {
			c.APIUser = anyString(v)
		}
		return okResp(s.clientJSON(c), "Client updated.")
	case len(parts) == 1 && parts[0] == "server" && m == http.MethodGet:
		return s.listServers(q)
	case len(parts) == 2 && parts[0] == "server" && parts[1] == "provision" && m == http.MethodPost:
		return s.provision(body)
	case len(parts) == 2 && parts[0] == "server" && m == http.MethodGet:
		srv := s.server(parts[1])
		if srv == nil {
			return errResp(404, "Server not found.")
		}
		return okResp(s.serverJSON(srv), "")
	case len(parts) == 2 && parts[0] == "server" && m == http.MethodPatch:
		srv := s.server(parts[1])
		if srv == nil {
			return errResp(404, "Server not found.")
		}
		if anyString(body["wiped"]) == "1" || body["wiped"] == true {
			if s.vip && body["auto"] == true {
				return vipRefusal()
			}
			*srv = Server{ID: srv.ID, CPU: srv.CPU, Mem: srv.Mem, Disks: srv.Disks, Group: srv.Group, IP: srv.IP}
			return okResp(s.serverJSON(srv), "Server wiped.")
		}
		if v, ok := body["nickname"].(string); ok {
			srv.Nickname = v
		}
		return okResp(s.serverJSON(srv), "Server updated.")
	case len(parts) == 3 && parts[0] == "server" && parts[2] == "access" && m == http.MethodGet:
		srv := s.server(parts[1])
		if srv == nil {
			return errResp(404, "Server not found.")
		}
		var items []any
		if srv.Assigned && q.Get("is_primary") != "0" {
			items = append(items, s.accessJSON(srv))
		}
		return okResp(paginate(items, q), "")
	case len(parts) == 4 && parts[0] == "server" && parts[2] == "access" && m == http.MethodPatch:
		srv := s.server(parts[1])
		if srv == nil || !srv.Assigned || strconv.Itoa(srv.AccessID) != parts[3] {
			return errResp(404, "Access not found.")
		}
		if v, ok := body["is_active"].(bool); ok {
			if !v && s.vip && body["auto"] == true {
				return vipRefusal()
			}
			srv.Active = v
			if !v {
				srv.Suspension, _ = body["suspension_reason"].(string)
			} else {
				srv.Suspension = ""
			}
		}
		return okResp(s.accessJSON(srv), "Access updated.")
	case len(parts) == 1 && parts[0] == "entity" && m == http.MethodGet:
		var items []any
		for _, srv := range s.servers {
			switch v := q.Get("server"); {
			case v == "none":
				if srv.Assigned {
					continue
				}
				if g := q.Get("group[billing][0]"); g != "" && g != srv.Group {
					continue
				}
			case v != "":
				if strconv.Itoa(srv.ID) != v || !srv.Assigned {
					continue
				}
			}
			items = append(items, map[string]any{"address": srv.IP, "full_ip": srv.IP, "name": srv.IP})
		}
		return okResp(paginate(items, q), "")
	case len(parts) == 1 && parts[0] == "key" && m == http.MethodPost:
		if anyString(body["owner_type"]) != "client" || s.client(anyString(body["owner_id"])) == nil {
			return errResp(422, "Invalid key owner.")
		}
		s.nextID++
		k := fmt.Sprintf("client-key-%d", s.nextID)
		id, _ := strconv.Atoi(anyString(body["owner_id"]))
		s.clientKeys[k] = id
		return okResp(map[string]any{"id": s.nextID, "key": k}, "")
	case isControl && len(parts) == 3 && m == http.MethodGet:
		srv := s.server(parts[1])
		if srv == nil {
			return errResp(404, "Server not found.")
		}
		if !s.clientMay(srv, key, keyClient, isClientKey) {
			return errResp(403, "You do not have access to this server.")
		}
		return okResp(paginate([]any{map[string]any{"id": 9000 + srv.ID, "name": "IPMI"}}, q), "")
	case isControl && len(parts) == 5 && parts[4] == "command" && m == http.MethodPost:
		srv := s.server(parts[1])
		if srv == nil || parts[3] != strconv.Itoa(9000+srv.ID) {
			return errResp(404, "Control not found.")
		}
		if !s.clientMay(srv, key, keyClient, isClientKey) {
			return errResp(403, "You do not have access to this server.")
		}
		p := anyString(body["power"])
		switch p {
		case "on", "off", "reset", "soft":
			srv.LastPower = p
		default:
			return errResp(422, "Unknown command.")
		}
		return okResp(nil, "Command queued.")
	}
	return errResp(404, "Not found.")
}

func (s *Simulator) clientMay(srv *Server, key string, keyClient int, isClientKey bool) bool {
	if key == s.key {
		return true
	}
	return isClientKey && srv.Assigned && srv.Active && srv.ClientID == keyClient
}

func (s *Simulator) listServers(q map[string][]string) simResp {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	indexed := func(prefix string) []string {
		var out []string
		for i := 0; ; i++ {
			v := get(fmt.Sprintf("%s[%d]", prefix, i))
			if v == "" {
				return out
			}
			out = append(out, v)
		}
	}
	var items []any
	for _, srv := range s.servers {
		if v := get("billing_id"); v != "" && (!srv.Assigned || srv.BillingID != v) {
			continue
		}
		if get("available") == "1" && srv.Assigned {
			continue
		}
		if v := get("cpu_billing"); v != "" && v != srv.CPU {
			continue
		}
		if v := get("mem_billing"); v != "" && v != srv.Mem {
			continue
		}
		if d := indexed("disks_billing"); len(d) > 0 && !sameMultiset(d, srv.Disks) {
			continue
		}
		if g := indexed("ip_group_billing"); len(g) > 0 && !contains(g, srv.Group) {
			continue
		}
		items = append(items, s.serverJSON(srv))
	}
	return okResp(paginate(items, q), "")
}

func (s *Simulator) provision(body map[string]any) simResp {
	c := s.client(anyString(body["client_id"]))
	if c == nil {
		return errResp(422, "The selected client is invalid.")
	}
	srv := s.server(anyString(body["server_id"]))
	if srv == nil {
		return errResp(422, "The selected server is invalid.")
	}
	if srv.Assigned {
		return errResp(409, "Server is already in use.")
	}
	billing, _ := body["billing"].(map[string]any)
	bid := anyString(billing["id"])
	if bid == "" {
		return errResp(422, "The billing id field is required.")
	}
	os := anyString(body["pxe_profile_billing"])
	if os == "" {
		return errResp(422, "The PXE profile is required.")
	}
	s.nextID++
	srv.Assigned, srv.ClientID, srv.BillingID, srv.OS, srv.Active = true, c.ID, bid, os, true
	srv.Nickname = anyString(body["nickname"])
	srv.AccessID = s.nextID
	return okResp(map[string]any{"server": s.serverJSON(srv)}, "Server provisioned.")
}

func (s *Simulator) client(id string) *simClient {
	for _, c := range s.clients {
		if strconv.Itoa(c.ID) == id {
			return c
		}
	}
	return nil
}

func (s *Simulator) server(id string) *Server {
	for _, v := range s.servers {
		if strconv.Itoa(v.ID) == id {
			return v
		}
	}
	return nil
}

func (s *Simulator) clientJSON(c *simClient) map[string]any {
	return map[string]any{"id": c.ID, "email": c.Email, "first": c.First, "last": c.Last,
		"name": strings.TrimSpace(c.First + " " + c.Last), "billing_id": c.BillingID}
}

func (s *Simulator) accessJSON(srv *Server) map[string]any {
	name := ""
	if c := s.client(strconv.Itoa(srv.ClientID)); c != nil {
		name = strings.TrimSpace(c.First + " " + c.Last)
	}
	return map[string]any{"id": srv.AccessID, "is_primary": true, "is_active": srv.Active,
		"pxe": true, "ipmi": true, "switch": true,
		"client": map[string]any{"id": srv.ClientID, "name": name},
		"server": map[string]any{"id": srv.ID}}
}

func (s *Simulator) serverJSON(srv *Server) map[string]any {
	disks := []any{}
	for _, d := range srv.Disks {
		disks = append(disks, map[string]any{"name": d})
	}
	out := map[string]any{
		"id": srv.ID, "srv_id": fmt.Sprintf("SRV-%d", srv.ID), "nickname": srv.Nickname,
		"status_desc": "Inventory",
		"cpu":         map[string]any{"name": srv.CPU}, "mem": map[string]any{"name": srv.Mem},
		"disks": disks, "group": map[string]any{"name": srv.Group},
		"usage": map[string]any{"used": 0, "max": 0},
	}
	if srv.Assigned {
		out["status_desc"] = "In Use"
		out["billing"] = map[string]any{"id": srv.BillingID, "max_bandwidth": ""}
		out["usage"] = map[string]any{"used": 8 * 1000, "max": 0}
		out["access"] = s.accessJSON(srv)
		out["entity"] = map[string]any{"full_ip": srv.IP}
	}
	return out
}

func paginate(items []any, q map[string][]string) map[string]any {
	atoi := func(k string, def int) int {
		if v := q[k]; len(v) > 0 {
			if n, err := strconv.Atoi(v[0]); err == nil && n > 0 {
				return n
			}
		}
		return def
	}
	page, per := atoi("page", 1), atoi("per_page", 20)
	total := len(items)
	last := (total + per - 1) / per
	if last == 0 {
		last = 1
	}
	from := (page - 1) * per
	to := from + per
	if from > total {
		from = total
	}
	if to > total {
		to = total
	}
	data := items[from:to]
	if data == nil {
		data = []any{}
	}
	var fromV, toV any
	if to > from {
		fromV, toV = from+1, to
	}
	return map[string]any{"current_page": page, "data": data, "from": fromV, "to": toV,
		"last_page": last, "per_page": per, "total": total,
		"next_page_url": nil, "prev_page_url": nil}
}

func anyString(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case bool:
		if t {
			return "1"
		}
		return "0"
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

func contains(l []string, s string) bool {
	for _, v := range l {
		if v == s {
			return true
		}
	}
	return false
}

func sameMultiset(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	x, y := append([]string(nil), a...), append([]string(nil), b...)
	sort.Strings(x)
	sort.Strings(y)
	for i := range x {
		if x[i] != y[i] {
			return false
		}
	}
	return true
}
