package virtfusionsim

import "time"

// PlantWHMCSServer puts on the panel a server VirtFusion's WHMCS module
// built: owned by the user whose extRelationId is the WHMCS client id —
// created if missing — built and running with hostname and ips. It
// answers the server id, which the module records in mod_virtfusion_direct.
func (s *Simulator) PlantWHMCSServer(whmcsClientID int, email, hostname string, ips ...string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	var u *simUser
	for _, x := range s.users {
		if x.ExtRel == whmcsClientID {
			u = x
		}
	}
	if u == nil {
		u = &simUser{ID: s.nextUser, ExtRel: whmcsClientID, Name: "WHMCS client", Email: email}
		s.users[u.ID] = u
		s.nextUser++
	}
	sv := &simServer{ID: s.nextSrv, OwnerID: u.ID, PackageID: 1, GroupID: 1, IPv4: len(ips), Name: hostname,
		Hostname: hostname, State: "complete", Commission: 3, Running: true, OSTemplate: 12,
		IPs: append([]string(nil), ips...), Created: time.Now().UTC()}
	s.nextSrv++
	s.servers[sv.ID] = sv
	return sv.ID
}
