package pterodactylsim

import (
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// simReinstall is the simulator's reinstall state: how long an install
// runs, and how many each server had.
type simReinstall struct {
	installFor time.Duration
	count      map[int]int
}

// simRoute is an entry of simRoutes.
type simRoute = struct {
	method string
	re     *regexp.Regexp
	h      func(s *Simulator, w http.ResponseWriter, r *http.Request, m []string)
}

func init() {
	simRoutes = append(simRoutes,
		simRoute{"GET", regexp.MustCompile(`^/api/application/nests/([^/]+)/eggs$`), (*Simulator).listEggs},
		simRoute{"PATCH", regexp.MustCompile(`^/api/application/servers/([^/]+)/startup$`), (*Simulator).startup},
		simRoute{"POST", regexp.MustCompile(`^/api/application/servers/([^/]+)/reinstall$`), (*Simulator).reinstall},
	)
}

// SetInstallTime sets how long a reinstall keeps a server "installing"
// before it runs again (one second by default).
func (s *Simulator) SetInstallTime(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reinstalls.installFor = d
}

// Reinstalls is how many times a server was reinstalled.
func (s *Simulator) Reinstalls(id int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reinstalls.count[id]
}

// listEggs answers GET /nests/{nest}/eggs (with ?include=variables).
func (s *Simulator) listEggs(w http.ResponseWriter, r *http.Request, m []string) {
	nest, err := strconv.Atoi(m[1])
	var ids []int
	for id, e := range s.eggs {
		if err == nil && e.Nest == nest {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		writeNotFound(w)
		return
	}
	sort.Ints(ids)
	data := []any{}
	for _, id := range ids {
		data = append(data, item("egg", s.eggAttrs(s.eggs[id], strings.Contains(r.URL.Query().Get("include"), "variables"))))
	}
	writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": data,
		"meta": map[string]any{"pagination": map[string]any{"total": len(data), "count": len(data), "per_page": 50,
			"current_page": 1, "total_pages": 1, "links": map[string]any{}}}})
}

func (s *Simulator) eggAttrs(e *simEgg, withVariables bool) map[string]any {
	now := ts(time.Date(2024, 11, 2, 8, 0, 0, 0, time.UTC))
	attrs := map[string]any{
		"id": e.ID, "uuid": newUUID(), "name": e.Name, "nest": e.Nest, "author": "support@pterodactyl.io",
		"description": e.Name, "docker_image": e.Image, "docker_images": map[string]string{e.Name: e.Image},
		"startup": e.Startup, "created_at": now, "updated_at": now,
	}
	if withVariables {
		data := []any{}
		for i, v := range e.Vars {
			rules := "nullable|string"
			if v.Required {
				rules = "required|string"
			}
			data = append(data, item("egg_variable", map[string]any{
				"id": 10 + i, "egg_id": e.ID, "name": v.Name, "description": v.Name, "env_variable": v.Env,
				"default_value": v.Default, "user_viewable": true, "user_editable": true, "rules": rules,
				"created_at": "2024-11-02T08:00:00.000000Z", "updated_at": "2024-11-02T08:00:00.000000Z",
			}))
		}
		attrs["relationships"] = map[string]any{"variables": map[string]any{"object": "list", "data": data}}
	}
	return attrs
}

// startup answers PATCH /servers/{id}/startup: the egg (the nest follows
// it), image, startup command and environment, each variable checked
// against the egg's rules.
func (s *Simulator) startup(w http.ResponseWriter, r *http.Request, m []string) {
	sv := s.serverByID(w, m[1])
	if sv == nil {
		return
	}
	b, ok := decodeBody(w, r)
	if !ok {
		return
	}
	var v validation
	eggID, ok := intAt(b, "egg")
	e := s.eggs[eggID]
	switch {
	case !ok:
		v.add("egg", "required", "The egg field is required.")
	case e == nil:
		v.add("egg", "exists", "The selected egg is invalid.")
	}
	if str(b, "startup") == "" {
		v.add("startup", "required", "The startup field is required.")
	}
	env, isMap := b["environment"].(map[string]any)
	if _, present := b["environment"]; !present || !isMap {
		v.add("environment", "present", "The environment field must be present.")
	}
	if e != nil {
		for _, vr := range e.Vars {
			if val, _ := env[vr.Env].(string); vr.Required && strings.TrimSpace(val) == "" {
				v.add("environment."+vr.Env, "required", "The "+vr.Name+" variable field is required.")
			}
		}
	}
	if v.write(w) {
		return
	}
	sv.Egg, sv.Nest, sv.Startup = e.ID, e.Nest, str(b, "startup")
	if img := str(b, "image"); img != "" {
		sv.Image = img
	}
	sv.Env = map[string]string{}
	for _, vr := range e.Vars {
		if val, ok := env[vr.Env].(string); ok {
			sv.Env[vr.Env] = val
		}
	}
	writeJSON(w, http.StatusOK, item("server", s.serverAttrs(sv, r)))
}

// reinstall answers POST /servers/{id}/reinstall: 204, the server
// "installing" (stopped) for a while, then running.
func (s *Simulator) reinstall(w http.ResponseWriter, _ *http.Request, m []string) {
	sv := s.serverByID(w, m[1])
	if sv == nil {
		return
	}
	if s.reinstalls.count == nil {
		s.reinstalls.count = map[int]int{}
	}
	s.reinstalls.count[sv.ID]++
	installing := "installing"
	sv.Status, sv.State = &installing, "offline"
	d := s.reinstalls.installFor
	if d <= 0 {
		d = time.Second
	}
	id, n := sv.ID, s.reinstalls.count[sv.ID]
	time.AfterFunc(d, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.reinstalls.count[id] == n { // not reinstalled again meanwhile
			s.finishInstall(id)
		}
	})
	w.WriteHeader(http.StatusNoContent)
}

// finishInstall ends a server's install: it runs. It runs with s.mu held.
func (s *Simulator) finishInstall(id int) {
	if sv, ok := s.servers[id]; ok && sv.Status != nil && *sv.Status == "installing" {
		sv.Status, sv.State, sv.Started = nil, "running", time.Now()
	}
}

// FinishInstalls ends every install now, as if its time had passed.
func (s *Simulator) FinishInstalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id := range s.servers {
		s.finishInstall(id)
	}
}
