package whmcs

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
)

// sharedAddress is an email address more than one account would have on
// EZSCALE, where an address is one account whatever its case: WHMCS
// clients whose addresses differ only in case, or a client with the
// address of a customer who signed up on EZSCALE.
type sharedAddress struct {
	address string
	// keeper is the client that keeps the address; 0 when it is the
	// EZSCALE customer's.
	keeper int64
	// clients are the WHMCS clients with the address, by id.
	clients []int64
}

// sharedAddresses finds the shared addresses among the clients to import,
// by lower-case address. The keeper is the client already holding the
// address from an earlier run (so a re-run never moves it), else an
// Active client before others, a verified one before others, then the
// oldest. The others are imported without sign-in (duplicatePlaceholder).
func (im *importer) sharedAddresses(ctx context.Context, t *table, owners map[int64]*owner) (map[string]*sharedAddress, error) {
	taken, err := im.platformAddresses()
	if err != nil {
		return nil, err
	}
	type candidate struct {
		id                      int64
		holds, active, verified bool
	}
	byAddress := map[string][]candidate{}
	rows, err := im.rows(ctx, "SELECT id, email, status, email_verified FROM tblclients ORDER BY id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var c candidate
		var email, status string
		if err := rows.Scan(&c.id, &email, &status, &c.verified); err != nil {
			return nil, err
		}
		address := normalEmail(email)
		if address == "" || im.clients[c.id] == nil || im.clients[c.id].currency == "" {
			continue // not imported
		}
		if s, ok := t.byWHMCS[fmt.Sprint(c.id)]; ok {
			c.holds = normalEmail(s.values["email"]) == address
		}
		c.active = status == "Active"
		c.verified = c.verified || (owners[c.id] != nil && owners[c.id].verified)
		byAddress[address] = append(byAddress[address], c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := map[string]*sharedAddress{}
	for address, cands := range byAddress {
		if len(cands) < 2 && !taken[address] {
			continue
		}
		slices.SortFunc(cands, func(a, b candidate) int {
			return cmp.Or(cmp.Compare(b2i(b.holds), b2i(a.holds)), cmp.Compare(b2i(b.active), b2i(a.active)),
				cmp.Compare(b2i(b.verified), b2i(a.verified)), cmp.Compare(a.id, b.id))
		})
		s := &sharedAddress{address: address}
		if !taken[address] {
			s.keeper = cands[0].id
		}
		for _, c := range cands {
			s.clients = append(s.clients, c.id)
		}
		slices.Sort(s.clients)
		out[address] = s
	}
	return out, nil
}

// platformAddresses are the addresses of customers who did not come from
// WHMCS (signed up on EZSCALE), lower-cased.
func (im *importer) platformAddresses() (map[string]bool, error) {
	var emails []string
	if err := im.app.DB().NewQuery("SELECT [[email]] FROM {{customers}} WHERE [[whmcs_id]] = ''").Column(&emails); err != nil {
		return nil, fmt.Errorf("read the customers' addresses: %w", err)
	}
	out := make(map[string]bool, len(emails))
	for _, e := range emails {
		out[normalEmail(e)] = true
	}
	return out, nil
}

// reportSharedAddresses lists every shared address in the notes, for
// staff to merge the accounts or give each its own address.
func (im *importer) reportSharedAddresses(shared map[string]*sharedAddress) {
	list := make([]*sharedAddress, 0, len(shared))
	for _, s := range shared {
		list = append(list, s)
	}
	slices.SortFunc(list, func(a, b *sharedAddress) int { return cmp.Compare(a.clients[0], b.clients[0]) })
	for _, s := range list {
		var others []string
		for _, id := range s.clients {
			if id != s.keeper {
				others = append(others, fmt.Sprintf("%d (%s)", id, duplicatePlaceholder(id)))
			}
		}
		kept := "a customer who signed up on EZSCALE has it"
		if s.keeper != 0 {
			kept = fmt.Sprintf("client %d keeps it", s.keeper)
		}
		im.report.note("customers", joinIDs(s.clients), "one account per email address, whatever its case: %s is shared; %s; "+
			"imported without sign-in, with their own services and invoices, under a placeholder address: %s. Merge them or give each its own address",
			s.address, kept, strings.Join(others, ", "))
	}
}

// duplicatePlaceholder is the address of a client imported without
// sign-in: .invalid is reserved (RFC 2606), so no mail reaches it, and the
// account has no usable password. It is the same on every run.
func duplicatePlaceholder(clientID int64) string {
	return fmt.Sprintf("whmcs-client-%d@duplicate.invalid", clientID)
}

// normalEmail is an address as the platform stores it (hooks.normalEmail).
func normalEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
