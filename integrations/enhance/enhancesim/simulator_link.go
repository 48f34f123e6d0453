package enhancesim

import (
	"net/url"
	"time"
)

// listsSite says whether GET /orgs/{o}/websites lists ws: the org's own
// websites, and with recursion those of its customers (directCustomers)
// or of every organisation below it (infinite), as the contract says.
func (s *Simulator) listsSite(o *simOrg, ws *simSite, q url.Values) bool {
	if ws.OrgID == o.ID {
		return true
	}
	owner := s.orgs[ws.OrgID]
	switch q.Get("recursion") {
	case "directCustomers":
		return owner != nil && owner.ParentID == o.ID
	case "infinite":
		for depth := 0; owner != nil && depth < 16; depth++ {
			if owner.ParentID == o.ID {
				return true
			}
			owner = s.orgs[owner.ParentID]
		}
	}
	return false
}

// PlantWebsite puts on the panel what another billing system (WHMCS's
// Enhance module) made for a hosting service: a customer organisation
// under the master one with an owner login, a subscription to plan and a website for domain.
// It answers the organisation, subscription and website ids. The domain
// is not checked against existing websites, so a test can plant two.
func (s *Simulator) PlantWebsite(customerName, domain string, plan int) (orgID string, subID int, websiteID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now().UTC()
	o := &simOrg{ID: newUUID(), ParentID: s.moID, Name: customerName, Status: "active", CreatedAt: now}
	l := &simLogin{ID: newUUID(), Email: domain + "@owner.example", Name: customerName}
	s.logins[l.ID] = l
	s.loginOrd = append(s.loginOrd, l.ID)
	mb := &simMember{ID: newUUID(), OrgID: o.ID, LoginID: l.ID, Roles: []string{"Owner"}, JoinedAt: now}
	s.members[mb.ID] = mb
	s.memOrder = append(s.memOrder, mb.ID)
	o.OwnerMember = mb.ID
	s.orgs[o.ID] = o
	s.orgOrder = append(s.orgOrder, o.ID)
	s.nextSub++
	x := &simSub{ID: s.nextSub, PlanID: plan, SubscriberID: o.ID, VendorID: s.moID, Status: "active"}
	s.subs[x.ID] = x
	ws := &simSite{ID: newUUID(), DomainID: newUUID(), Domain: domain, OrgID: o.ID, Status: "active", SubID: x.ID,
		Size: 5 << 20, CreatedAt: now}
	s.sites[ws.ID] = ws
	s.siteOrd = append(s.siteOrd, ws.ID)
	return o.ID, x.ID, ws.ID
}

// Suspended reports whether the website and its subscription are suspended.
func (s *Simulator) Suspended(websiteID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	ws := s.sites[websiteID]
	if ws == nil {
		return false
	}
	x := s.subs[ws.SubID]
	return ws.SuspendedBy != "" && x != nil && x.SuspendedBy != ""
}
