package synergycpsim

import "strconv"

// PlantWHMCSServer puts in the inventory a server SynergyCP's WHMCS module
// provisioned: assigned (and active) to the client whose billing id is the
// WHMCS client id — created if missing — with the WHMCS service id as its
// billing id. It answers the SynergyCP client id.
func (s *Simulator) PlantWHMCSServer(serverID int, ip string, whmcsClientID, whmcsServiceID int, email string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	bid := strconv.Itoa(whmcsClientID)
	var c *simClient
	for _, x := range s.clients {
		if x.BillingID == bid {
			c = x
		}
	}
	if c == nil {
		s.nextID++
		c = &simClient{ID: s.nextID, Email: email, First: "WHMCS", Last: "Client " + bid, BillingID: bid}
		s.clients = append(s.clients, c)
	}
	s.nextID++
	s.servers = append(s.servers, &Server{ID: serverID, CPU: "E3-1270v6", Mem: "mem-32", Disks: []string{"1TB-SSD", "1TB-SSD"},
		Group: "LOC-LA1", IP: ip, Assigned: true, ClientID: c.ID, BillingID: strconv.Itoa(whmcsServiceID),
		Nickname: "whmcs-" + strconv.Itoa(whmcsServiceID), OS: "os-debian12", AccessID: s.nextID, Active: true})
	return c.ID
}
