package pterodactylsim

import (
	"strconv"
	"time"
)

// PlantWHMCSServer puts on the panel a server Pterodactyl's WHMCS module
// built: owned by the user whose external_id is the WHMCS client id —
// created if missing — with the WHMCS service id as its external_id,
// installed and running. It answers the server's panel id.
func (s *Simulator) PlantWHMCSServer(whmcsClientID, whmcsServiceID int, email, name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	clientExt := strconv.Itoa(whmcsClientID)
	var u *simUser
	for _, x := range s.users {
		if x.ExternalID != nil && *x.ExternalID == clientExt {
			u = x
		}
	}
	if u == nil {
		u = &simUser{ID: s.nextUser, ExternalID: &clientExt, UUID: newUUID(), Username: "whmcs" + clientExt,
			Email: email, First: "WHMCS", Last: "Client", Created: time.Now()}
		s.users[u.ID] = u
		s.nextUser++
	}
	ext := strconv.Itoa(whmcsServiceID)
	id := newUUID()
	sv := &Server{ID: s.nextServer, ExternalID: &ext, UUID: id, Identifier: id[:8], Name: name, User: u.ID,
		Egg: 5, Nest: 1, Image: "ghcr.io/pterodactyl/yolks:java_17", Startup: "java -jar server.jar",
		Env: map[string]string{"SERVER_JARFILE": "server.jar"}, Memory: 4096, Disk: 20480, IO: 500, CPU: 200,
		AllocID: s.nextAlloc, IP: "203.0.113.20", Port: s.nextPort, State: "running", Started: time.Now(), Created: time.Now()}
	s.nextServer++
	s.nextAlloc++
	s.nextPort++
	s.servers[sv.ID] = sv
	return sv.ID
}
