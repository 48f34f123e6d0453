package synergycpsim

import (
	"net/http"
	"strconv"
	"time"
)

// simProfiles are the simulator's OS-reload (PXE) profiles; Billing is
// the profile billing id a provision's pxe_profile_billing names.
var simProfiles = []struct {
	ID            int
	Name, Billing string
}{
	{1, "Debian 12", "os-debian12"},
	{2, "Ubuntu 24.04", "os-ubuntu2404"},
	{3, "AlmaLinux 9", "os-alma9"},
	{4, "Windows Server 2022", "os-win2022"},
}

// simReinstall is the simulator's OS reload state: the installs queued
// through POST /server/{id}/install, and how long one runs.
type simReinstall struct {
	installFor time.Duration
	nextID     int
	installs   map[int][]*simInstall // by server id, oldest first
}

type simInstall struct {
	ID       int
	Profile  string // name
	Password string
	Started  time.Time
}

// SetInstallTime sets how long an OS reload runs (one second by default).
func (s *Simulator) SetInstallTime(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reinstalls.installFor = d
}

// Installs lists the profile names of the OS reloads queued on a server,
// and the root password of the newest.
func (s *Simulator) Installs(serverID int) (profiles []string, password string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, in := range s.reinstalls.installs[serverID] {
		profiles, password = append(profiles, in.Profile), in.Password
	}
	return profiles, password
}

// percent is how far an install is, from the time it has run.
func (s *Simulator) percent(in *simInstall) int {
	d := s.reinstalls.installFor
	if d <= 0 {
		d = time.Second
	}
	return int(min(100, time.Since(in.Started)*100/d))
}

// routeReinstall answers the profile list and a server's installs; ok is
// false for every other request. It runs with s.mu held, after the key
// was checked.
func (s *Simulator) routeReinstall(m string, parts []string, q map[string][]string, body map[string]any) (simResp, bool) {
	switch {
	case m == http.MethodGet && len(parts) == 2 && parts[0] == "pxe" && parts[1] == "profile":
		var items []any
		for _, p := range simProfiles {
			items = append(items, map[string]any{"id": p.ID, "name": p.Name, "iso_id": 10 + p.ID})
		}
		return okResp(paginate(items, q), ""), true
	case len(parts) == 3 && parts[0] == "server" && parts[2] == "install" && (m == http.MethodGet || m == http.MethodPost):
		srv := s.server(parts[1])
		if srv == nil || !srv.Assigned {
			return errResp(404, "Server not found."), true
		}
		if m == http.MethodGet {
			var items []any
			for _, in := range s.installsOf(srv) {
				items = append(items, map[string]any{"id": in.ID, "percent": s.percent(in),
					"step_desc": "Installing", "profile": map[string]any{"name": in.Profile}})
			}
			return okResp(paginate(items, q), ""), true
		}
		return s.queueInstall(srv, body), true
	}
	return simResp{}, false
}

// installsOf is a server's installs: the first is the provision's, done.
func (s *Simulator) installsOf(srv *Server) []*simInstall {
	if s.reinstalls.installs == nil {
		s.reinstalls.installs = map[int][]*simInstall{}
	}
	if len(s.reinstalls.installs[srv.ID]) == 0 {
		for _, p := range simProfiles {
			if p.Billing == srv.OS {
				s.reinstalls.nextID++
				s.reinstalls.installs[srv.ID] = []*simInstall{{ID: s.reinstalls.nextID, Profile: p.Name, Started: time.Now().Add(-24 * time.Hour)}}
			}
		}
	}
	return s.reinstalls.installs[srv.ID]
}

func (s *Simulator) queueInstall(srv *Server, body map[string]any) simResp {
	profile := anyString(body["pxe_profile_id"])
	var chosen string
	var billing string
	for _, p := range simProfiles {
		if strconv.Itoa(p.ID) == profile || (profile == "" && p.Billing == anyString(body["pxe_profile_billing"])) {
			chosen, billing = p.Name, p.Billing
		}
	}
	if chosen == "" {
		return errResp(422, "The selected pxe profile id is invalid.")
	}
	password := anyString(body["password"])
	if password == "" {
		return errResp(422, "The password field is required.")
	}
	installs := s.installsOf(srv)
	if n := len(installs); n > 0 && s.percent(installs[n-1]) < 100 {
		return errResp(409, "The server already has an install in progress.")
	}
	s.reinstalls.nextID++
	in := &simInstall{ID: s.reinstalls.nextID, Profile: chosen, Password: password, Started: time.Now()}
	s.reinstalls.installs[srv.ID] = append(installs, in)
	srv.OS = billing
	return okResp(map[string]any{"id": in.ID, "percent": 0, "step_desc": "Queued", "profile": map[string]any{"name": chosen}}, "Install queued.")
}
