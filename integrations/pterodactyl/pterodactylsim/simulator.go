// Package pterodactylsim stands in for a Pterodactyl (or Pelican) panel in
// tests and in dev mode: a stateful API speaking the contract's wire
// format, apart from the driver so the production binary carries none of it.
package pterodactylsim

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ezscale/ezscale/integrations/simfault"
)

// Simulator is a stateful in-memory Pterodactyl panel serving the
// endpoints the driver uses, over real HTTP, for tests and local
// development. It checks the Bearer keys (application key on
// /api/application, client key on /api/client), answers Fractal envelopes
// and Pterodactyl's error envelope, and can inject faults.
//
// It is seeded with location 1 and nest 1 holding egg 5 ("Vanilla
// Minecraft", variables SERVER_JARFILE required, VANILLA_VERSION) and egg 6
// ("Rust", variable HOSTNAME required). Servers get allocations on
// 203.0.113.20 from port 25565 up and start running at once
// (start_on_completion is honoured). It also answers as Pelican does (eggs
// at /api/application/eggs/{id}, deployment by node tag "fra"), and its
// node can be taken down (SetNodeDown, see simulator_node.go).
type Simulator struct {
	appKey, clientKey string

	mu         sync.Mutex
	base       string
	users      map[int]*simUser
	servers    map[int]*Server
	eggs       map[int]*simEgg
	locations  map[int]string
	nextUser   int
	nextServer int
	nextAlloc  int
	nextPort   int
	requests   int
	nodeDown   bool
	reinstalls simReinstall // see simulator_reinstall.go
	powers     simPower     // see simulator_power.go

	// PowerDelay is how long a power signal takes to complete (starting
	// or stopping until then); 0 completes it at once.
	PowerDelay time.Duration

	simfault.Faults
}

type simUser struct {
	ID                                 int
	ExternalID                         *string
	UUID, Username, Email, First, Last string
	Created                            time.Time
}

type simEgg struct {
	ID, Nest    int
	Name, Image string
	Startup     string
	Vars        []simVar
}

type simVar struct {
	Name, Env, Default string
	Required           bool
}

// Server is a snapshot of one simulated server.
type Server struct {
	ID          int
	ExternalID  *string
	UUID        string
	Identifier  string
	Name        string
	Description string
	Status      *string // nil, "suspended"
	User        int
	Egg, Nest   int
	Image       string
	Startup     string
	Env         map[string]string
	Memory      int
	Swap        int
	Disk        int
	IO          int
	CPU         int
	Databases   int
	Backups     int
	Allocations int
	AllocID     int
	IP          string
	Port        int
	State       string // wings: offline, starting, running, stopping
	Started     time.Time
	Created     time.Time
	Location    int // where deploy placed it (0: by node tags)
}

// Suspended reports whether the server is suspended.
func (s Server) Suspended() bool { return s.Status != nil && *s.Status == "suspended" }

// New returns a simulator accepting these keys.
func New(appKey, clientKey string) *Simulator {
	return &Simulator{
		appKey: appKey, clientKey: clientKey,
		users: map[int]*simUser{}, servers: map[int]*Server{},
		eggs: map[int]*simEgg{
			5: {ID: 5, Nest: 1, Name: "Vanilla Minecraft", Image: "ghcr.io/pterodactyl/yolks:java_17",
				Startup: "java -Xms128M -Xmx{{SERVER_MEMORY}}M -jar {{SERVER_JARFILE}}",
				Vars: []simVar{{"Server Jar File", "SERVER_JARFILE", "server.jar", true},
					{"Server Version", "VANILLA_VERSION", "latest", false}}},
			6: {ID: 6, Nest: 1, Name: "Rust", Image: "ghcr.io/pterodactyl/games:rust",
				Startup: "./RustDedicated -batchmode +server.hostname \"{{HOSTNAME}}\"",
				Vars:    []simVar{{"Server Name", "HOSTNAME", "A Rust Server", true}}},
		},
		locations: map[int]string{1: "fra"},
		nextUser:  1, nextServer: 1, nextAlloc: 31, nextPort: 25565,
	}
}

// Start serves the simulator on a loopback port.
func (s *Simulator) Start() (url string, stop func()) {
	ts := httptest.NewServer(s)
	s.mu.Lock()
	s.base = ts.URL
	s.mu.Unlock()
	return ts.URL, ts.Close
}

// Servers is the number of servers on the panel.
func (s *Simulator) Servers() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.servers)
}

// Users is the number of panel users.
func (s *Simulator) Users() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.users)
}

// Requests is the number of requests received.
func (s *Simulator) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// Server returns a snapshot of the server with that external id.
func (s *Simulator) Server(externalID string) (Server, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sv := s.byExternal(externalID); sv != nil {
		s.powers.settle(sv)
		c := *sv
		c.Env = map[string]string{}
		for k, v := range sv.Env {
			c.Env[k] = v
		}
		return c, true
	}
	return Server{}, false
}

// UpdateServer changes the server with externalID as staff would on the
// panel, behind the driver's back; false when there is none.
func (s *Simulator) UpdateServer(externalID string, change func(*Server)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	sv := s.byExternal(externalID)
	if sv == nil {
		return false
	}
	change(sv)
	return true
}

func (s *Simulator) byExternal(ext string) *Server {
	for _, sv := range s.servers {
		if sv.ExternalID != nil && *sv.ExternalID == ext {
			return sv
		}
	}
	return nil
}

// ---- HTTP plumbing ----

type simError struct {
	Code   string         `json:"code"`
	Status string         `json:"status"`
	Detail string         `json:"detail"`
	Meta   map[string]any `json:"meta,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeErr(w http.ResponseWriter, status int, code, detail string) {
	writeJSON(w, status, map[string]any{"errors": []simError{{Code: code, Status: strconv.Itoa(status), Detail: detail}}})
}

const notFoundDetail = "The requested resource could not be found on the server."

func writeNotFound(w http.ResponseWriter) {
	writeErr(w, http.StatusNotFound, "NotFoundHttpException", notFoundDetail)
}

// validation collects 422 entries.
type validation []simError

func (v *validation) add(field, rule, detail string) {
	*v = append(*v, simError{Code: "ValidationException", Status: "422", Detail: detail,
		Meta: map[string]any{"source_field": field, "rule": rule}})
}

func (v validation) write(w http.ResponseWriter) bool {
	if len(v) == 0 {
		return false
	}
	writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"errors": v})
	return true
}

func item(object string, attrs any) map[string]any {
	return map[string]any{"object": object, "attributes": attrs}
}

// ServeHTTP implements http.Handler.
func (s *Simulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests++
	s.mu.Unlock()
	if !strings.Contains(strings.ToLower(r.Header.Get("Accept")), "json") {
		// Laravel redirects requests that do not expect JSON.
		http.Redirect(w, r, "/auth/login", http.StatusFound)
		return
	}
	token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	switch {
	case strings.HasPrefix(r.URL.Path, "/api/application/"):
		if token == "" || token != s.appKey {
			writeErr(w, http.StatusUnauthorized, "AuthenticationException", "Unauthenticated.")
			return
		}
	case strings.HasPrefix(r.URL.Path, "/api/client/"):
		if token != "" && token == s.appKey {
			writeErr(w, http.StatusForbidden, "AccessDeniedHttpException",
				"You are attempting to use an application API key on an endpoint that requires a client API key.")
			return
		}
		if token == "" || token != s.clientKey {
			writeErr(w, http.StatusUnauthorized, "AuthenticationException", "Unauthenticated.")
			return
		}
	default:
		writeNotFound(w)
		return
	}

	s.Serve(w, r, func(w http.ResponseWriter, f simfault.Failure) {
		code, detail := "HttpException", "An unexpected error was encountered while processing this request, please try again."
		if f.Status == http.StatusTooManyRequests {
			code, detail = "ThrottleRequestsException", "Too Many Attempts."
		}
		writeErr(w, f.Status, code, detail)
	}, s.route)
}

var simRoutes = []struct {
	method string
	re     *regexp.Regexp
	h      func(s *Simulator, w http.ResponseWriter, r *http.Request, m []string)
}{
	{"GET", regexp.MustCompile(`^/api/application/users$`), (*Simulator).listUsers},
	{"POST", regexp.MustCompile(`^/api/application/users$`), (*Simulator).createUser},
	{"GET", regexp.MustCompile(`^/api/application/users/external/([^/]+)$`), (*Simulator).getUserExternal},
	{"GET", regexp.MustCompile(`^/api/application/users/([^/]+)$`), (*Simulator).getUser},
	{"GET", regexp.MustCompile(`^/api/application/(?:nests/([^/]+)/)?eggs/([^/]+)$`), (*Simulator).getEgg},
	{"POST", regexp.MustCompile(`^/api/application/servers$`), (*Simulator).createServer},
	{"GET", regexp.MustCompile(`^/api/application/servers/external/([^/]+)$`), (*Simulator).getServerExternal},
	{"GET", regexp.MustCompile(`^/api/application/servers/([^/]+)$`), (*Simulator).getServer},
	{"POST", regexp.MustCompile(`^/api/application/servers/([^/]+)/(suspend|unsuspend)$`), (*Simulator).suspend},
	{"DELETE", regexp.MustCompile(`^/api/application/servers/([^/]+)(?:/[^/]+)?$`), (*Simulator).deleteServer},
	{"PATCH", regexp.MustCompile(`^/api/application/servers/([^/]+)/build$`), (*Simulator).build},
	{"GET", regexp.MustCompile(`^/api/client/servers/([^/]+)/resources$`), (*Simulator).resources},
	{"POST", regexp.MustCompile(`^/api/client/servers/([^/]+)/power$`), (*Simulator).power},
}

func (s *Simulator) route(w http.ResponseWriter, r *http.Request) {
	path := r.URL.EscapedPath()
	for _, rt := range simRoutes {
		m := rt.re.FindStringSubmatch(path)
		if m == nil {
			continue
		}
		if rt.method != r.Method {
			continue
		}
		for i := range m {
			if u, err := unescape(m[i]); err == nil {
				m[i] = u
			}
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.wingsDown(w, r, path) {
			return
		}
		rt.h(s, w, r, m)
		return
	}
	writeNotFound(w)
}

func unescape(p string) (string, error) { return url.PathUnescape(p) }

// body decodes a JSON body; malformed JSON answers 400.
func decodeBody(w http.ResponseWriter, r *http.Request) (map[string]any, bool) {
	m := map[string]any{}
	if r.Body == nil || r.ContentLength == 0 {
		return m, true
	}
	if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
		writeErr(w, http.StatusBadRequest, "BadRequestHttpException",
			"The JSON data passed in the request appears to be malformed: "+err.Error())
		return nil, false
	}
	return m, true
}

func lookup(m map[string]any, path string) (any, bool) {
	var cur any = m
	for _, p := range strings.Split(path, ".") {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		cur, ok = mm[p]
		if !ok {
			return nil, false
		}
	}
	return cur, true
}

func str(m map[string]any, path string) string {
	v, _ := lookup(m, path)
	s, _ := v.(string)
	return s
}

// intAt reads an integer field; ok is false if absent or not an integer.
func intAt(m map[string]any, path string) (int, bool) {
	v, present := lookup(m, path)
	if !present || v == nil {
		return 0, false
	}
	f, ok := v.(float64)
	if !ok || f != float64(int(f)) {
		return 0, false
	}
	return int(f), true
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func ts(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05+00:00") }

// ---- users ----

func (u *simUser) attrs() map[string]any {
	return map[string]any{
		"id": u.ID, "external_id": u.ExternalID, "uuid": u.UUID, "username": u.Username,
		"email": u.Email, "first_name": u.First, "last_name": u.Last, "language": "en",
		"root_admin": false, "2fa": false, "created_at": ts(u.Created), "updated_at": ts(u.Created),
	}
}

func (s *Simulator) listUsers(w http.ResponseWriter, r *http.Request, _ []string) {
	q := r.URL.Query()
	filters := map[string]string{}
	for k, v := range q {
		if strings.HasPrefix(k, "filter[") {
			f := strings.TrimSuffix(strings.TrimPrefix(k, "filter["), "]")
			switch f {
			case "email", "uuid", "username", "external_id":
				filters[f] = strings.ToLower(v[0])
			default:
				writeErr(w, http.StatusBadRequest, "InvalidFilterQuery",
					fmt.Sprintf("Requested filter(s) `%s` are not allowed.", f))
				return
			}
		}
	}
	var ids []int
	for id := range s.users {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	var match []*simUser
	for _, id := range ids {
		u := s.users[id]
		ext := ""
		if u.ExternalID != nil {
			ext = *u.ExternalID
		}
		fields := map[string]string{"email": u.Email, "uuid": u.UUID, "username": u.Username, "external_id": ext}
		ok := true
		for f, v := range filters { // partial match, like the panel's LIKE %v%
			if !strings.Contains(strings.ToLower(fields[f]), v) {
				ok = false
			}
		}
		if ok {
			match = append(match, u)
		}
	}
	page, _ := strconv.Atoi(q.Get("page"))
	if page < 1 {
		page = 1
	}
	per, _ := strconv.Atoi(q.Get("per_page"))
	if per < 1 {
		per = 50
	}
	data := []any{}
	for i := (page - 1) * per; i < len(match) && i < page*per; i++ {
		data = append(data, item("user", match[i].attrs()))
	}
	pages := (len(match) + per - 1) / per
	links := map[string]string{}
	if page < pages {
		links["next"] = fmt.Sprintf("%s/api/application/users?page=%d", s.base, page+1)
	}
	writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": data,
		"meta": map[string]any{"pagination": map[string]any{"total": len(match), "count": len(data),
			"per_page": per, "current_page": page, "total_pages": pages, "links": links}}})
}

func (s *Simulator) getUser(w http.ResponseWriter, _ *http.Request, m []string) {
	id, _ := strconv.Atoi(m[1])
	if u, ok := s.users[id]; ok {
		writeJSON(w, http.StatusOK, item("user", u.attrs()))
		return
	}
	writeNotFound(w)
}

func (s *Simulator) getUserExternal(w http.ResponseWriter, _ *http.Request, m []string) {
	for _, u := range s.users {
		if u.ExternalID != nil && *u.ExternalID == m[1] {
			writeJSON(w, http.StatusOK, item("user", u.attrs()))
			return
		}
	}
	writeNotFound(w)
}

var pUsername = regexp.MustCompile(`^[a-z0-9][\w.-]+[a-z0-9]$`)

func (s *Simulator) createUser(w http.ResponseWriter, r *http.Request, _ []string) {
	b, ok := decodeBody(w, r)
	if !ok {
		return
	}
	var v validation
	email, username := str(b, "email"), str(b, "username")
	switch {
	case email == "":
		v.add("email", "required", "The email field is required.")
	case !strings.Contains(email, "@"):
		v.add("email", "email", "The email must be a valid email address.")
	}
	switch {
	case username == "":
		v.add("username", "required", "The username field is required.")
	case !pUsername.MatchString(strings.ToLower(username)):
		v.add("username", "p_username", "The username must start and end with alpha-numeric characters and contain only letters, numbers, dashes, underscores, and periods.")
	}
	for _, f := range []string{"first_name", "last_name"} {
		if str(b, f) == "" {
			v.add(f, "required", "The "+strings.ReplaceAll(f, "_", " ")+" field is required.")
		}
	}
	var ext *string
	if e := str(b, "external_id"); e != "" {
		ext = &e
	}
	for _, u := range s.users {
		if strings.EqualFold(u.Email, email) && email != "" {
			v.add("email", "unique", "The email has already been taken.")
		}
		if strings.EqualFold(u.Username, username) && username != "" {
			v.add("username", "unique", "The username has already been taken.")
		}
		if ext != nil && u.ExternalID != nil && *u.ExternalID == *ext {
			v.add("external_id", "unique", "The Third Party Identifier has already been taken.")
		}
	}
	if v.write(w) {
		return
	}
	u := &simUser{ID: s.nextUser, ExternalID: ext, UUID: newUUID(), Username: strings.ToLower(username),
		Email: email, First: str(b, "first_name"), Last: str(b, "last_name"), Created: time.Now()}
	s.nextUser++
	s.users[u.ID] = u
	resp := item("user", u.attrs())
	resp["meta"] = map[string]any{"resource": fmt.Sprintf("%s/api/application/users/%d", s.base, u.ID)}
	writeJSON(w, http.StatusCreated, resp)
}

// ---- eggs ----

func (s *Simulator) getEgg(w http.ResponseWriter, r *http.Request, m []string) {
	nest, _ := strconv.Atoi(m[1])
	id, _ := strconv.Atoi(m[2])
	e, ok := s.eggs[id]
	pelican := m[1] == "" // Pelican: /eggs/{id}, no nests
	if !ok || (!pelican && e.Nest != nest) {
		writeNotFound(w)
		return
	}
	now := ts(time.Date(2024, 11, 2, 8, 0, 0, 0, time.UTC))
	attrs := map[string]any{
		"id": e.ID, "uuid": newUUID(), "name": e.Name, "nest": e.Nest, "author": "support@pterodactyl.io",
		"description": e.Name, "docker_image": e.Image, "docker_images": map[string]string{e.Name: e.Image},
		"startup": e.Startup, "created_at": now, "updated_at": now,
	}
	if strings.Contains(r.URL.Query().Get("include"), "variables") {
		data := []any{}
		for i, v := range e.Vars {
			var rules any = "nullable|string"
			if v.Required {
				rules = "required|string"
			}
			if pelican {
				rules = strings.Split(rules.(string), "|")
			}
			data = append(data, item("egg_variable", map[string]any{
				"id": 10 + i, "egg_id": e.ID, "name": v.Name, "description": v.Name, "env_variable": v.Env,
				"default_value": v.Default, "user_viewable": true, "user_editable": true, "rules": rules,
				"created_at": "2024-11-02T08:00:00.000000Z", "updated_at": "2024-11-02T08:00:00.000000Z",
			}))
		}
		attrs["relationships"] = map[string]any{"variables": map[string]any{"object": "list", "data": data}}
	}
	writeJSON(w, http.StatusOK, item("egg", attrs))
}

// ---- servers ----

func (s *Simulator) serverAttrs(sv *Server, r *http.Request) map[string]any {
	env := map[string]any{}
	for k, v := range sv.Env {
		env[k] = v
	}
	env["STARTUP"] = sv.Startup
	env["P_SERVER_LOCATION"] = "fra"
	env["P_SERVER_UUID"] = sv.UUID
	env["P_SERVER_ALLOCATION_LIMIT"] = sv.Allocations
	a := map[string]any{
		"id": sv.ID, "external_id": sv.ExternalID, "uuid": sv.UUID, "identifier": sv.Identifier,
		"name": sv.Name, "description": sv.Description, "status": sv.Status, "suspended": sv.Suspended(),
		"limits": map[string]any{"memory": sv.Memory, "swap": sv.Swap, "disk": sv.Disk, "io": sv.IO,
			"cpu": sv.CPU, "threads": nil, "oom_disabled": true},
		"feature_limits": map[string]any{"databases": sv.Databases, "allocations": sv.Allocations, "backups": sv.Backups},
		"user":           sv.User, "node": 1, "allocation": sv.AllocID, "nest": sv.Nest, "egg": sv.Egg,
		"container": map[string]any{"startup_command": sv.Startup, "image": sv.Image, "installed": 1,
			"environment": env},
		"updated_at": ts(sv.Created), "created_at": ts(sv.Created),
	}
	if r != nil && strings.Contains(r.URL.Query().Get("include"), "allocations") {
		a["relationships"] = map[string]any{"allocations": map[string]any{"object": "list", "data": []any{
			item("allocation", map[string]any{"id": sv.AllocID, "ip": sv.IP, "alias": nil, "port": sv.Port,
				"notes": nil, "assigned": true}),
		}}}
	}
	return a
}

func (s *Simulator) createServer(w http.ResponseWriter, r *http.Request, _ []string) {
	b, ok := decodeBody(w, r)
	if !ok {
		return
	}
	var v validation
	if str(b, "name") == "" {
		v.add("name", "required", "The name field is required.")
	}
	userID, ok := intAt(b, "user")
	if !ok {
		v.add("user", "required", "The user field is required.")
	} else if _, exists := s.users[userID]; !exists {
		v.add("user", "exists", "The selected user is invalid.")
	}
	eggID, ok := intAt(b, "egg")
	e := s.eggs[eggID]
	if !ok {
		v.add("egg", "required", "The egg field is required.")
	} else if e == nil {
		v.add("egg", "exists", "The selected egg is invalid.")
	}
	for _, f := range []string{"docker_image", "startup"} {
		if str(b, f) == "" {
			v.add(f, "required", "The "+strings.ReplaceAll(f, "_", " ")+" field is required.")
		}
	}
	envRaw, present := b["environment"]
	envMap, isMap := envRaw.(map[string]any)
	if !present || !isMap {
		v.add("environment", "present", "The environment field must be present.")
	}
	env := map[string]string{}
	for k, x := range envMap {
		env[k] = fmt.Sprint(x)
	}
	if e != nil {
		for _, ev := range e.Vars {
			if ev.Required && strings.TrimSpace(env[ev.Env]) == "" { // Laravel trims, then "" is null
				v.add("environment."+ev.Env, "required", "The "+ev.Name+" variable field is required.")
			}
		}
	}
	lim := map[string]int{}
	for _, f := range []string{"memory", "swap", "disk", "io", "cpu"} {
		n, ok := intAt(b, "limits."+f)
		switch {
		case !ok:
			v.add("limits."+f, "required", "The limits."+f+" field is required.")
		case f == "io" && (n < 10 || n > 1000):
			v.add("limits.io", "between", "The limits.io must be between 10 and 1000.")
		case f == "swap" && n < -1, f != "swap" && n < 0:
			v.add("limits."+f, "min", "The limits."+f+" must be at least 0.")
		}
		lim[f] = n
	}
	if _, ok := b["feature_limits"].(map[string]any); !ok {
		v.add("feature_limits", "required", "The feature limits field is required.")
	} else {
		for _, f := range []string{"databases", "backups"} {
			if _, ok := lookup(b, "feature_limits."+f); !ok {
				v.add("feature_limits."+f, "present", "The feature_limits."+f+" field must be present.")
			}
		}
	}
	var ext *string
	if x := str(b, "external_id"); x != "" {
		ext = &x
		if s.byExternal(x) != nil {
			v.add("external_id", "unique", "The external id has already been taken.")
		}
	}
	_, hasDeploy := b["deploy"].(map[string]any)
	if _, hasAlloc := intAt(b, "allocation.default"); !hasDeploy && !hasAlloc {
		v.add("allocation.default", "required_without", "The allocation.default field is required when deploy is not present.")
	}
	if v.write(w) {
		return
	}
	deployedAt := 0
	if hasDeploy {
		locs, _ := lookup(b, "deploy.locations")
		list, _ := locs.([]any)
		found := viableByTags(b)
		for _, l := range list {
			if f, ok := l.(float64); ok {
				if _, ok := s.locations[int(f)]; ok && !found {
					found, deployedAt = true, int(f)
				}
			}
		}
		if !found {
			writeErr(w, http.StatusBadRequest, "NoViableNodeException",
				"No nodes satisfying the requirements specified for automatic deployment could be found.")
			return
		}
	}
	db, _ := intAt(b, "feature_limits.databases")
	bk, _ := intAt(b, "feature_limits.backups")
	al, _ := intAt(b, "feature_limits.allocations")
	id := newUUID()
	sv := &Server{
		ID: s.nextServer, ExternalID: ext, UUID: id, Identifier: id[:8], Name: str(b, "name"),
		Description: str(b, "description"), User: userID, Egg: eggID, Nest: e.Nest,
		Image: str(b, "docker_image"), Startup: str(b, "startup"), Env: env,
		Memory: lim["memory"], Swap: lim["swap"], Disk: lim["disk"], IO: lim["io"], CPU: lim["cpu"],
		Databases: db, Backups: bk, Allocations: al,
		AllocID: s.nextAlloc, IP: "203.0.113.20", Port: s.nextPort, State: "offline", Created: time.Now(),
		Location: deployedAt,
	}
	if start, _ := b["start_on_completion"].(bool); start {
		sv.State, sv.Started = "running", time.Now()
	}
	s.nextServer++
	s.nextAlloc++
	s.nextPort++
	s.servers[sv.ID] = sv
	a := s.serverAttrs(sv, r)
	a["status"] = "installing" // as the panel answers a create
	writeJSON(w, http.StatusCreated, item("server", a))
}

func (s *Simulator) serverByID(w http.ResponseWriter, raw string) *Server {
	id, err := strconv.Atoi(raw)
	if sv, ok := s.servers[id]; err == nil && ok {
		return sv
	}
	writeNotFound(w)
	return nil
}

func (s *Simulator) getServer(w http.ResponseWriter, r *http.Request, m []string) {
	if sv := s.serverByID(w, m[1]); sv != nil {
		writeJSON(w, http.StatusOK, item("server", s.serverAttrs(sv, r)))
	}
}

func (s *Simulator) getServerExternal(w http.ResponseWriter, r *http.Request, m []string) {
	if sv := s.byExternal(m[1]); sv != nil {
		writeJSON(w, http.StatusOK, item("server", s.serverAttrs(sv, r)))
		return
	}
	writeNotFound(w)
}

func (s *Simulator) suspend(w http.ResponseWriter, _ *http.Request, m []string) {
	sv := s.serverByID(w, m[1])
	if sv == nil {
		return
	}
	if m[2] == "suspend" {
		st := "suspended"
		sv.Status, sv.State = &st, "offline"
	} else {
		sv.Status = nil
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Simulator) deleteServer(w http.ResponseWriter, _ *http.Request, m []string) {
	if sv := s.serverByID(w, m[1]); sv != nil {
		delete(s.servers, sv.ID)
		w.WriteHeader(http.StatusNoContent)
	}
}

func (s *Simulator) build(w http.ResponseWriter, r *http.Request, m []string) {
	sv := s.serverByID(w, m[1])
	if sv == nil {
		return
	}
	b, ok := decodeBody(w, r)
	if !ok {
		return
	}
	var v validation
	if a, ok := intAt(b, "allocation"); !ok {
		v.add("allocation", "required", "The allocation field is required.")
	} else if a != sv.AllocID {
		v.add("allocation", "exists", "The selected allocation is invalid.")
	}
	lim := map[string]int{}
	for _, f := range []string{"memory", "swap", "disk", "io", "cpu"} {
		n, ok := intAt(b, "limits."+f)
		if !ok {
			n, ok = intAt(b, f) // legacy top-level form
		}
		if !ok {
			v.add("limits."+f, "required", "The limits."+f+" field is required.")
		} else if f == "io" && (n < 10 || n > 1000) {
			v.add("limits.io", "between", "The limits.io must be between 10 and 1000.")
		}
		lim[f] = n
	}
	if _, ok := b["feature_limits"].(map[string]any); !ok {
		v.add("feature_limits", "required", "The feature limits field is required.")
	}
	if v.write(w) {
		return
	}
	sv.Memory, sv.Swap, sv.Disk, sv.IO, sv.CPU = lim["memory"], lim["swap"], lim["disk"], lim["io"], lim["cpu"]
	if n, ok := intAt(b, "feature_limits.databases"); ok {
		sv.Databases = n
	}
	if n, ok := intAt(b, "feature_limits.backups"); ok {
		sv.Backups = n
	}
	if n, ok := intAt(b, "feature_limits.allocations"); ok {
		sv.Allocations = n
	}
	writeJSON(w, http.StatusOK, item("server", s.serverAttrs(sv, r)))
}

// ---- client API ----

func (s *Simulator) clientServer(w http.ResponseWriter, ident string) *Server {
	for _, sv := range s.servers {
		if sv.Identifier == ident || sv.UUID == ident {
			if sv.Suspended() {
				writeErr(w, http.StatusConflict, "ServerStateConflictException",
					"This server is currently suspended and the functionality requested is unavailable.")
				return nil
			}
			return sv
		}
	}
	writeNotFound(w)
	return nil
}

func (s *Simulator) resources(w http.ResponseWriter, _ *http.Request, m []string) {
	sv := s.clientServer(w, m[1])
	if sv == nil {
		return
	}
	s.powers.settle(sv)
	res := map[string]any{"memory_bytes": 0, "cpu_absolute": 0.0, "disk_bytes": 3196154211,
		"network_rx_bytes": 0, "network_tx_bytes": 0, "uptime": 0}
	if sv.State == "running" {
		res["memory_bytes"] = 1662955520
		res["cpu_absolute"] = 31.418
		res["network_rx_bytes"] = 7634518
		res["network_tx_bytes"] = 1842200
		res["uptime"] = time.Since(sv.Started).Milliseconds()
	}
	writeJSON(w, http.StatusOK, item("stats", map[string]any{
		"current_state": sv.State, "is_suspended": sv.Suspended(), "resources": res}))
}

func (s *Simulator) power(w http.ResponseWriter, r *http.Request, m []string) {
	sv := s.clientServer(w, m[1])
	if sv == nil {
		return
	}
	b, ok := decodeBody(w, r)
	if !ok {
		return
	}
	var v validation
	switch signal := strings.TrimSpace(str(b, "signal")); signal {
	case "start", "restart", "stop", "kill":
		s.powers.begin(sv, signal, s.PowerDelay)
	case "":
		v.add("signal", "required", "The signal field is required.")
	default:
		v.add("signal", "in", "The selected signal is invalid.")
	}
	if v.write(w) {
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
