package whmcsgen

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"html"
	"strings"
	"time"
)

// client is what later tables need of a tblclients row.
type client struct {
	id                 int
	first, last, email string
	currency           currency
	country, state     string
	since              time.Time // datecreated, or the first day for a zero one
	gateway            string
	taxExempt          bool
	user               int // the owning tblusers id
	services           []*service
}

var (
	firstNames = []string{"Indigo", "Parker", "Ólafur", "Zoë", "Łukasz", "Søren", "Ñuria", "Amélie", "Björn", "Hana",
		"Rowan", "Avery", "Oakley", "Elliot", "Reese", "Taylor", "Noel", "Jordan", "Casey", "Morgan", "Quinn", "Sasha",
		"Kai", "Emery", "Finley", "Harper", "Jules", "Lennon", "Marlow", "Remy", "Dagný", "François"}
	lastNames = []string{"Müller-Beispiel", "Thornbury", "Dunmore", "Łęcka", "Quillfeather", "Whitlock", "Mossbank",
		"Larkspur", "Vantwood", "Zephyrine", "Juniperson", "Underhill", "Northcombe", "Østergård", "Núñez-Prueba",
		"Fairweather", "Ashdown", "Blackwood", "Calloway", "Everleigh", "Foxley", "Greyson", "Hollins", "Kettering",
		"Lockwood", "Merriweather", "山田", "O&#039;Testbury"}
	companies = []string{"Cobalt Digital Ltd", "Meadow Systems AS", "Lumen Gaming B.V.", "O&#039;Testbury &amp; Sons Ltd",
		"&quot;Quoted&quot; Media LLC", "Nordlicht Hosting GmbH", "Blue Harbor SARL", "Kangaroo Cloud Pty Ltd",
		"Maple Byte Inc.", "Example Widgets Ltd", "Ünal &amp; Partner GbR"}
	streets = []string{"Example Street", "Demo Way", "Mock Court", "Sample Road", "Rue de l&#039;Exemple", "Fixture Lane"}
	cities  = []string{"Fixtureville", "Sampleford", "Placeholm", "Exampleton", "Mockport", "Testburgh", "Démo-sur-Mer"}
	// longCompany is exactly 250 characters, the widest a form allows.
	longCompany = (strings.Repeat("Extremely Long Synthetic Company Name For Column Width Testing ", 4))[:249] + "."
	// folding turns the names' letters into the ASCII of an address.
	folding = strings.NewReplacer("Ó", "O", "ó", "o", "ö", "o", "ø", "o", "Ø", "O", "ë", "e", "é", "e", "è", "e",
		"Ł", "L", "ł", "l", "ę", "e", "ñ", "n", "Ñ", "N", "ú", "u", "ü", "u", "Ü", "U", "å", "a", "á", "a", "ç", "c", "ý", "y")
)

// mailbox is the ASCII local part of a name: what people pick for an address.
func mailbox(parts ...string) string {
	var out []string
	for _, p := range parts {
		var b strings.Builder
		for _, r := range strings.ToLower(folding.Replace(html.UnescapeString(p))) {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
				b.WriteRune(r)
			}
		}
		if b.Len() > 0 {
			out = append(out, b.String())
		}
	}
	return strings.Join(out, ".")
}

// country is where a client lives: their phone prefix, possible states,
// usual currency and the share of clients living there.
type country struct {
	code, phone string
	states      []string
	currency    int // index in currencies
	weight      int
}

var countries = []country{
	{"US", "+1", []string{"TX", "NY", "WA", "CA"}, 0, 28}, {"GB", "+44", []string{""}, 2, 14},
	{"DE", "+49", []string{"", "Berlin", "Bayern"}, 1, 12}, {"FR", "+33", []string{""}, 1, 9},
	{"NL", "+31", []string{""}, 1, 7}, {"CA", "+1", []string{"Quebec", "Ontario", "British Columbia"}, 0, 10},
	{"AU", "+61", []string{"NSW", "VIC"}, 0, 6}, {"JP", "+81", []string{""}, 0, 4}, {"CH", "+41", []string{""}, 1, 4},
}

// writeClients writes clients, their WHMCS 8 logins and links, and contacts.
func (g *gen) writeClients() error {
	n := g.size.Clients
	// Pairs of accounts whose addresses differ only in case: one login owns both.
	caseTwins := map[int]bool{}
	for i := 0; i < max(1, n/400); i++ {
		caseTwins[11+i*400] = true
	}
	clients := g.w.table("tblclients", "id", "uuid", "firstname", "lastname", "companyname", "email", "address1",
		"address2", "city", "state", "postcode", "country", "phonenumber", "tax_id", "password", "authmodule", "authdata",
		"currency", "defaultgateway", "credit", "taxexempt", "latefeeoveride", "overideduenotices", "separateinvoices",
		"disableautocc", "datecreated", "notes", "billingcid", "groupid", "lastlogin", "ip", "host", "status", "language",
		"emailoptout", "marketing_emails_opt_in", "overrideautoclose", "allow_sso", "email_verified", "created_at",
		"updated_at", "pwresetexpiry")
	users := g.w.table("tblusers", "id", "first_name", "last_name", "email", "password", "language", "second_factor",
		"second_factor_config", "remember_token", "reset_token", "security_question_id", "security_question_answer",
		"last_ip", "last_hostname", "last_login", "email_verification_token", "email_verification_token_expiry",
		"email_verified_at", "reset_token_expiry", "created_at", "updated_at")
	links := g.w.table("tblusers_clients", "id", "auth_user_id", "client_id", "invite_id", "owner", "permissions",
		"last_login", "created_at", "updated_at")
	link := 0
	addLink := func(user, clientID, invite int, owner bool, at string) {
		link++
		perms := ""
		if !owner {
			perms = "profile,contacts,products,manageproducts,productsso,invoices,tickets"
		}
		links.add(link, user, clientID, invite, boolInt(owner), perms, nil, at, at)
	}
	userID := 0
	legacyMD5 := 5 // the client whose login still has WHMCS's salted MD5 hash
	for id := 1; id <= n; id++ {
		c := &client{id: id}
		co := pick(g.r, countries, func(c country) int { return c.weight })
		c.country, c.state = co.code, co.states[g.r.IntN(len(co.states))]
		c.currency = currencies[co.currency]
		if g.chance(4) {
			c.currency = currencies[g.r.IntN(len(currencies))]
		}
		c.first, c.last = firstNames[g.r.IntN(len(firstNames))], lastNames[g.r.IntN(len(lastNames))]
		company := ""
		switch {
		case id == 24 || id == n-1:
			company = longCompany
		case g.chance(30):
			company = companies[g.r.IntN(len(companies))]
		}
		domain := []string{"example.com", "example.net", "example.org"}[g.r.IntN(3)]
		c.email = fmt.Sprintf("%s%d@%s", mailbox(c.first, c.last), id, domain)
		if caseTwins[id] {
			c.email = fmt.Sprintf("Shared.Mailbox%d@Example.com", id)
		} else if caseTwins[id-2] && id-2 >= 1 {
			c.email = strings.ToLower(g.clients[id-3].email)
		}
		created := g.between(firstDay, Now.AddDate(0, -1, 0))
		c.since = created
		datecreated := day(created)
		if id%50 == 3 {
			datecreated, c.since = zeroDate, firstDay // accounts from before WHMCS kept the date
		}
		stamp := dateTime(created)
		if created.Year() < 2019 {
			stamp = zeroDateTime
		}
		c.gateway = g.oneOf(weighted{"stripe", 50}, weighted{"paypal", 35}, weighted{"banktransfer", 15})
		defaultGateway := c.gateway
		if g.chance(20) {
			defaultGateway = ""
		}
		c.taxExempt = g.chance(3)
		legacy := ""
		if datecreated < userModelDay { // zero dates included

			legacy = passwordHash
		}
		taxID := ""
		if company != "" && (co.currency == 1 || c.country == "GB") && g.chance(60) {
			taxID = fmt.Sprintf("%s%09d", c.country, g.r.IntN(1e9))
		}
		credit := int64(0)
		if g.chance(5) {
			credit = 500 + g.r.Int64N(19500)
		}
		notes := ""
		if g.chance(8) {
			notes = "Migrated from legacy panel.\nVIP &amp; priority support"
		}
		var lastLogin any
		if g.chance(80) {
			lastLogin = dateTime(g.between(created, Now))
		}
		status := g.oneOf(weighted{"Active", 88}, weighted{"Inactive", 5}, weighted{"Closed", 7})
		clients.add(id, g.uuid(), c.first, c.last, company, c.email,
			fmt.Sprintf("%d %s", 1+g.r.IntN(999), streets[g.r.IntN(len(streets))]), "", cities[g.r.IntN(len(cities))],
			c.state, fmt.Sprintf("%05d", g.r.IntN(100000)), c.country, fmt.Sprintf("%s.555%07d", co.phone, g.r.IntN(1e7)),
			taxID, legacy, "", "", c.currency.id, defaultGateway, money(credit), boolInt(c.taxExempt), 0, 0, 0, 0,
			datecreated, notes, 0, 0, lastLogin, g.ip(), "", status, []string{"", "english", "french", "german"}[g.r.IntN(4)],
			0, g.r.IntN(2), 0, 1, boolInt(g.chance(70)), stamp, dateTime(g.between(created, Now)), zeroDateTime)

		if caseTwins[id-2] && id-2 >= 1 {
			c.user = g.clients[id-3].user
			addLink(c.user, id, 0, true, stamp)
		} else {
			userID++
			c.user = userID
			hash := passwordHash
			if id == legacyMD5 {
				salt := "k#9Q~"
				sum := md5.Sum([]byte(salt + LegacyPassword))
				hash = hex.EncodeToString(sum[:]) + ":" + salt
			}
			userCreated := created
			if created.Before(time.Date(2020, 11, 16, 0, 0, 0, 0, time.UTC)) {
				userCreated = time.Date(2020, 11, 16, 3, 12, 44, 0, time.UTC)
			}
			var verified any
			if g.chance(75) {
				verified = dateTime(userCreated.Add(2 * time.Hour))
			}
			users.add(userID, c.first, c.last, c.email, hash, "", "", nil, "", "", 0, "", g.ip(), "", lastLogin, "", nil,
				verified, nil, dateTime(userCreated), dateTime(userCreated))
			addLink(userID, id, 0, true, dateTime(userCreated))
		}
		g.clients = append(g.clients, c)
	}
	// Invited team members: logins linked to someone else's account, one to
	// two accounts; and the login a deleted client left behind.
	for i := 0; i < max(2, n/30); i++ {
		userID++
		owner := g.clients[g.r.IntN(n)]
		at := dateTime(g.between(owner.since, Now))
		first, last := firstNames[g.r.IntN(len(firstNames))], lastNames[g.r.IntN(len(lastNames))]
		users.add(userID, first, last, fmt.Sprintf("%s.team%d@example.net", mailbox(first, last), userID), passwordHash,
			"", "", nil, "", "", 0, "", g.ip(), "", nil, "", nil, nil, nil, at, at)
		addLink(userID, owner.id, i+1, false, at)
		if i == 0 {
			addLink(userID, g.clients[(owner.id)%n].id, i+1, false, at)
		}
	}
	userID++
	users.add(userID, "Former", "Customer", fmt.Sprintf("former.customer%d@example.org", userID), passwordHash, "", "",
		nil, "", "", 0, "", g.ip(), "", nil, "", nil, nil, nil, "2021-04-01 10:00:00", "2021-04-01 10:00:00")
	for _, t := range []*inserter{clients, users, links} {
		if err := t.close(); err != nil {
			return err
		}
	}

	contacts := g.w.table("tblcontacts", "id", "userid", "firstname", "lastname", "companyname", "email", "address1",
		"address2", "city", "state", "postcode", "country", "phonenumber", "tax_id", "subaccount", "password",
		"permissions", "domainemails", "generalemails", "invoiceemails", "productemails", "supportemails",
		"affiliateemails", "pwresetkey", "created_at", "updated_at", "pwresetexpiry")
	for id := 1; id <= max(3, n/10); id++ {
		c := g.clients[g.r.IntN(n)]
		first, last := firstNames[g.r.IntN(len(firstNames))], lastNames[g.r.IntN(len(lastNames))]
		sub, password, perms := 0, "", ""
		if g.chance(30) {
			sub, password, perms = 1, passwordHash, "profile,contacts,invoices"
		}
		stamp := zeroDateTime
		if g.chance(70) {
			stamp = dateTime(g.between(c.since, Now))
		}
		contacts.add(id, c.id, first, last, "", fmt.Sprintf("%s@example.net", mailbox(fmt.Sprintf("contact%d", id), last)),
			fmt.Sprintf("%d %s", 1+g.r.IntN(999), streets[g.r.IntN(len(streets))]), "", cities[g.r.IntN(len(cities))],
			c.state, fmt.Sprintf("%05d", g.r.IntN(100000)), c.country, fmt.Sprintf("+1.555%07d", g.r.IntN(1e7)), "", sub,
			password, perms, 0, 1, g.r.IntN(2), 1, g.r.IntN(2), 0, "", stamp, stamp, zeroDateTime)
	}
	return contacts.close()
}
