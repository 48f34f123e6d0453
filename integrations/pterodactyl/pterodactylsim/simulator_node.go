package pterodactylsim

import (
	"net/http"
	"regexp"
	"strconv"
)

// Variable is a variable of an egg added with AddEgg. An empty Default
// is none: a Required variable without one makes the panel refuse every
// server of the egg unless the create supplies a value.
type Variable struct {
	Name, Env, Default string
	Required           bool
}

// AddEgg adds (or replaces) an egg in nest 1.
func (s *Simulator) AddEgg(id int, name string, vars ...Variable) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := &simEgg{ID: id, Nest: 1, Name: name, Image: "ghcr.io/pterodactyl/yolks:debian", Startup: "./start.sh"}
	for _, v := range vars {
		e.Vars = append(e.Vars, simVar{Name: v.Name, Env: v.Env, Default: v.Default, Required: v.Required})
	}
	s.eggs[id] = e
}

// SetNodeDown takes the node's Wings daemon down, or brings it back. While
// it is down the panel answers what needs the node as Pterodactyl does, 504
// DaemonConnectionException: creating, suspending, unsuspending and
// deleting a server (nothing changes), its live resources and power. Reads
// and the force delete, which ignores the node, still work.
func (s *Simulator) SetNodeDown(down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nodeDown = down
}

var (
	simNeedsNode   = regexp.MustCompile(`^/api/application/servers/([^/]+)(/suspend|/unsuspend|/[^/]+)?$`)
	simClientNeeds = regexp.MustCompile(`^/api/client/servers/[^/]+/(resources|power)$`)
)

// wingsDown answers a request that needs the node while it is down; the
// caller holds s.mu.
func (s *Simulator) wingsDown(w http.ResponseWriter, r *http.Request, path string) bool {
	if !s.nodeDown {
		return false
	}
	needsNode := false
	switch {
	case r.Method == http.MethodPost && path == "/api/application/servers":
		needsNode = true // the panel deletes the new server again
	case simClientNeeds.MatchString(path):
		needsNode = true
	default:
		m := simNeedsNode.FindStringSubmatch(path)
		if m == nil {
			break
		}
		id, _ := strconv.Atoi(m[1])
		_, exists := s.servers[id] // an unknown id is the panel's own 404
		switch {
		case r.Method == http.MethodPost && (m[2] == "/suspend" || m[2] == "/unsuspend"):
			needsNode = exists
		case r.Method == http.MethodDelete && m[2] != "/force":
			needsNode = exists
		}
	}
	if needsNode {
		writeErr(w, http.StatusGatewayTimeout, "DaemonConnectionException",
			"Could not establish a connection to the machine running this server. Please try again.")
	}
	return needsNode
}

// viableByTags is Pelican's automatic deployment by node tags: the
// simulator's one node is tagged "fra"; no tags means any node.
func viableByTags(body map[string]any) bool {
	v, ok := lookup(body, "deploy.tags")
	if !ok {
		return false
	}
	tags, _ := v.([]any)
	if len(tags) == 0 {
		return true
	}
	for _, t := range tags {
		if t == "fra" {
			return true
		}
	}
	return false
}
