package virtfusionsim

import (
	"fmt"
	"strconv"
)

// simTemplateGroups are the OS templates the simulator offers for every
// package, grouped by category as GET
// /media/templates/fromServerPackageSpec/{packageId} answers them. The
// demo plans' os_templates use ids 1–3.
var simTemplateGroups = []struct {
	Name      string
	Templates []simTemplate
}{
	{"Debian", []simTemplate{{1, "Debian", "12", "Bookworm"}}},
	{"Ubuntu", []simTemplate{{2, "Ubuntu Server", "24.04", "LTS"}}},
	{"RHEL based", []simTemplate{{3, "AlmaLinux", "9", ""}, {4, "Rocky Linux", "9", ""}}},
}

type simTemplate struct {
	ID                     int
	Name, Version, Variant string
}

func simTemplateExists(id int) bool {
	for _, g := range simTemplateGroups {
		for _, t := range g.Templates {
			if t.ID == id {
				return true
			}
		}
	}
	return false
}

// routeReinstall answers the template list and the rebuild of a built
// server (POST /servers/{id}/build once commissioned), which the base
// route refuses; ok is false for every other request. It runs with s.mu
// held.
func (s *Simulator) routeReinstall(m string, parts []string, body map[string]any) (simResp, bool) {
	switch {
	case m == "GET" && len(parts) == 4 && parts[0] == "media" && parts[1] == "templates" && parts[2] == "fromServerPackageSpec":
		if pkg, err := strconv.Atoi(parts[3]); err != nil || pkg <= 0 {
			return notFound("package not found"), true
		}
		groups := []map[string]any{}
		for _, g := range simTemplateGroups {
			ts := []map[string]any{}
			for _, t := range g.Templates {
				ts = append(ts, map[string]any{"id": t.ID, "name": t.Name, "version": t.Version, "variant": t.Variant,
					"eol": false, "type": "linux"})
			}
			groups = append(groups, map[string]any{"name": g.Name, "icon": "linux.png", "templates": ts})
		}
		return simResp{200, map[string]any{"data": groups}}, true
	case m == "POST" && len(parts) == 3 && parts[0] == "servers" && parts[2] == "build":
		id, _ := strconv.Atoi(parts[1])
		sv := s.servers[id]
		if sv == nil || sv.Commission == 0 {
			return simResp{}, false // unknown (404) or a first build: the base route's
		}
		os, ok := numField(body, "operatingSystemId")
		if !ok || os <= 0 {
			return invalid("The operating system id field is required."), true
		}
		if !simTemplateExists(os) {
			return invalid("The selected operating system id is invalid."), true
		}
		keys, bad := s.buildSSHKeys(sv, body["sshKeys"])
		if bad != "" {
			return invalid(bad), true
		}
		s.rebuilds[id]++
		// The rebuild wipes the disk: the server installs (queued), and is
		// running again once polled, as a first build is.
		sv.OSTemplate, sv.State, sv.Commission, sv.Running, sv.SSHKeys = os, "queued", 1, false, keys
		if n, _ := body["name"].(string); n != "" {
			sv.Name = n
		}
		if h, _ := body["hostname"].(string); h != "" {
			sv.Hostname = h
		}
		sv.Password = fmt.Sprintf("simPass%dr%dxY", sv.ID, s.rebuilds[id])
		return simResp{200, map[string]any{"data": s.serverJSON(sv, false, true)}}, true
	}
	return simResp{}, false
}

// ServerOS returns a server's installed template, how many times it was
// rebuilt and its root password, for tests; ok is false if it does not
// exist.
func (s *Simulator) ServerOS(id int) (template, rebuilds int, password string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sv, ok := s.servers[id]
	if !ok {
		return 0, 0, "", false
	}
	return sv.OSTemplate, s.rebuilds[id], sv.Password, true
}
