package enhance

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/ezscale/ezscale/integrations/provisioning"
)

var _ provisioning.Linker = (*Driver)(nil)

// Link finds the website an imported hosting service runs as, by the
// service's domain: the website with that domain anywhere under our
// organisation (recursion=infinite; search is partial, so the domain is
// compared here), then its subscription and customer organisation — the
// ids Create keeps.
func (d *Driver) Link(ctx context.Context, req provisioning.LinkRequest) (provisioning.Linked, error) {
	domain := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(req.Domain)), ".")
	if domain == "" {
		domain = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(req.Hostname)), ".")
	}
	if !domainRE.MatchString(domain) {
		return provisioning.Linked{}, fmt.Errorf("%w: no domain (got %q)", provisioning.ErrNoLinkKey, domain)
	}
	var sites []website
	q := url.Values{"recursion": {"infinite"}, "search": {domain}}
	_, _, err := list(ctx, d, "/orgs/"+d.org+"/websites", q, func(w website) bool {
		if strings.EqualFold(strings.TrimSuffix(w.Domain.Domain, "."), domain) && w.Status != "deleted" {
			sites = append(sites, w)
		}
		return false
	})
	how := "website domain " + domain
	switch {
	case err != nil:
		return provisioning.Linked{}, err
	case len(sites) == 0:
		return provisioning.Linked{}, fmt.Errorf("%w: no website with domain %s", provisioning.ErrNotFound, domain)
	case len(sites) > 1:
		ids := make([]string, len(sites))
		for i, w := range sites {
			ids[i] = serviceRef(w.OrgID, w.SubscriptionID, w.ID)
		}
		return provisioning.Linked{}, &provisioning.AmbiguousError{Candidates: ids, How: how}
	}
	w := sites[0]
	if w.SubscriptionID <= 0 || !isUUID(w.OrgID) || strings.EqualFold(w.OrgID, d.org) {
		return provisioning.Linked{}, fmt.Errorf("%w: website %s (%s) is not on a customer's subscription",
			provisioning.ErrNotFound, domain, w.ID)
	}
	return provisioning.Linked{PlatformServiceID: serviceRef(w.OrgID, w.SubscriptionID, w.ID), PlatformUserID: w.OrgID, How: how}, nil
}
