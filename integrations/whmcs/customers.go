package whmcs

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"regexp"
	"strings"

	"github.com/pocketbase/pocketbase/tools/security"
	"golang.org/x/crypto/bcrypt"

	"github.com/ezscale/ezscale/billing/parallelrun"
)

// client is what later steps need of a WHMCS client.
type client struct {
	id       int64
	currency string
	email    string
	record   string // the customer's record id; "" when not imported
}

// owner is a WHMCS 8 login owning a client account.
type owner struct {
	userID   int64
	email    string
	password string
	verified bool
}

var (
	bcryptHash   = regexp.MustCompile(`^\$2[abxy]?\$\d\d\$[./A-Za-z0-9]{53}$`)
	phoneAllowed = regexp.MustCompile(`^[0-9+()\-. ]*$`)
	countryCode  = regexp.MustCompile(`^[A-Z]{2}$`)
)

// customerColumns are written from WHMCS on every run.
var customerColumns = []string{"email", "emailVisibility", "verified", "name", "company", "phone", "address_line1",
	"address_line2", "city", "region", "postal_code", "country", "tax_id", "currency", "status", "tax_exempt", "notes"}

// importCustomers imports clients as customers. The login is WHMCS 8's
// tblusers row owning the client (tblusers_clients.owner = 1), or before
// WHMCS 8 the client's own password; its bcrypt hash becomes the
// customer's password hash, so they sign in with the password they had.
// A legacy (MD5) hash cannot be carried over: the customer must choose a
// new password at their first sign-in. Contacts and invited team members
// have no equivalent and are listed.
func (im *importer) importCustomers(ctx context.Context) error {
	if err := im.loadClients(ctx); err != nil {
		return err
	}
	c := im.report.count("customers")
	t, err := im.table("customers", c, customerColumns, "password", "tokenKey", "password_reset_required", parallelrun.Field)
	if err != nil {
		return err
	}
	// Until the cutover, WHMCS keeps billing and serving the customers this
	// run creates; one created earlier keeps what it has (insert only).
	done, err := CutOverAt(im.app)
	if err != nil {
		return err
	}
	held := done.IsZero()
	owners, err := im.owners(ctx)
	if err != nil {
		return err
	}
	shared, err := im.sharedAddresses(ctx, t, owners)
	if err != nil {
		return err
	}
	rows, err := im.rows(ctx, `SELECT id, firstname, lastname, companyname, email, address1, address2, city, state,
		postcode, country, phonenumber, tax_id, password, currency, taxexempt, notes, status, email_verified
		FROM tblclients ORDER BY id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, currencyID int64
		var first, last, company, email, addr1, addr2, city, state, postcode, country, phone, taxID, legacyPassword, notes, status string
		var taxExempt, verified bool
		if err := rows.Scan(&id, &first, &last, &company, &email, &addr1, &addr2, &city, &state, &postcode, &country, &phone,
			&taxID, &legacyPassword, &currencyID, &taxExempt, &notes, &status, &verified); err != nil {
			return err
		}
		c.Read++
		cl := im.clients[id]
		email = strings.TrimSpace(email)
		if cl.currency == "" {
			im.report.skip(c, id, "currency id %d is not imported", currencyID)
			continue
		}
		if email == "" {
			im.report.skip(c, id, "no email address")
			continue
		}
		// Addresses are stored as the platform stores them (trimmed, lower
		// case); one imported before that is still the import's.
		t.normalised(fmt.Sprint(id), "email", email)
		email = normalEmail(email)
		duplicate := shared[email] != nil && shared[email].keeper != id

		name := strings.TrimSpace(text(first) + " " + text(last))
		if name == "" {
			name = text(company)
		}
		if name == "" {
			name = email
		}
		phone = strings.TrimSpace(phone)
		if !phoneAllowed.MatchString(phone) {
			im.report.note("customers", id, "phone %q has characters a phone number cannot have; left out", phone)
			phone = ""
		}
		country = strings.ToUpper(strings.TrimSpace(country))
		if country != "" && !countryCode.MatchString(country) {
			im.report.note("customers", id, "country %q is not an ISO code; left out", country)
			country = ""
		}
		ourStatus := map[string]string{"Active": "active", "Inactive": "active", "Closed": "closed"}[status]
		if ourStatus == "" {
			ourStatus = "active"
			im.report.note("customers", id, "unknown status %q imported as active", status)
		}

		var hash string
		var reset bool
		if duplicate {
			// No sign-in: another account has the address, and nobody can
			// receive mail at the placeholder or know a password for it.
			email, verified = duplicatePlaceholder(id), false
			hash, err = unusableHash()
		} else {
			hash, reset, err = im.passwordHash(id, owners[id], legacyPassword)
		}
		if err != nil {
			im.report.fail(c, id, err)
			continue
		}
		if o := owners[id]; o != nil && !duplicate {
			verified = verified || o.verified
		}
		cl.record = t.put(fmt.Sprint(id), map[string]any{
			"email": email, "emailVisibility": false, "verified": verified, "name": clip(name, 200),
			"company": clip(text(company), 255), "phone": clip(phone, 40),
			"address_line1": clip(text(addr1), 200), "address_line2": clip(text(addr2), 200), "city": clip(text(city), 100),
			"region": clip(text(state), 100), "postal_code": clip(text(postcode), 20), "country": country,
			"tax_id": clip(text(taxID), 40), "currency": cl.currency, "status": ourStatus, "tax_exempt": taxExempt,
			"notes":    clip(text(notes), 20000),
			"password": hash, "tokenKey": security.RandomString(50), "password_reset_required": reset,
			parallelrun.Field: held,
		})
		cl.email = email
	}
	if err := rows.Err(); err != nil {
		return err
	}
	im.reportSharedAddresses(shared)
	if err := im.reportOtherLogins(ctx); err != nil {
		return err
	}
	return im.flush(ctx, t)
}

// loadClients reads every client's currency and email (invoices and
// services of deleted or skipped clients need to know they have none).
func (im *importer) loadClients(ctx context.Context) error {
	if im.clients != nil {
		return nil
	}
	im.clients = map[int64]*client{}
	rows, err := im.rows(ctx, "SELECT id, currency, email FROM tblclients")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		cl := &client{}
		var cur int64
		if err := rows.Scan(&cl.id, &cur, &cl.email); err != nil {
			return err
		}
		cl.currency = im.currency(cur)
		im.clients[cl.id] = cl
	}
	if err := rows.Err(); err != nil {
		return err
	}
	// Customers imported by an earlier run (--only services, …).
	t, err := im.table("customers", &Count{}, nil)
	if err != nil {
		return err
	}
	for id, cl := range im.clients {
		cl.record = t.id(fmt.Sprint(id))
	}
	return nil
}

// owners maps client ids to their owning WHMCS 8 login; nil before WHMCS 8.
func (im *importer) owners(ctx context.Context) (map[int64]*owner, error) {
	ok, err := im.hasTable(ctx, "tblusers_clients")
	if err != nil || !ok {
		return nil, err
	}
	rows, err := im.rows(ctx, `SELECT uc.client_id, u.id, u.email, u.password, u.email_verified_at
		FROM tblusers_clients uc JOIN tblusers u ON u.id = uc.auth_user_id WHERE uc.owner = 1 ORDER BY uc.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]*owner{}
	for rows.Next() {
		var clientID int64
		var verifiedAt sql.NullTime
		o := &owner{}
		if err := rows.Scan(&clientID, &o.userID, &o.email, &o.password, &verifiedAt); err != nil {
			return nil, err
		}
		o.verified = !date(verifiedAt).IsZero()
		if out[clientID] == nil {
			out[clientID] = o
		}
	}
	return out, rows.Err()
}

// passwordHash is the customer's password hash: the owner's bcrypt hash,
// else (before WHMCS 8) the client's. Anything else (WHMCS's old salted
// MD5, an empty password) gets an unusable random hash and a forced reset.
func (im *importer) passwordHash(clientID int64, o *owner, legacy string) (hash string, reset bool, err error) {
	switch {
	case o != nil && bcryptHash.MatchString(o.password):
		return o.password, false, nil
	case o == nil && bcryptHash.MatchString(legacy):
		return legacy, false, nil
	}
	if o != nil && o.password != "" {
		im.report.note("customers", clientID, "login %s has a legacy (non-bcrypt) password hash: a password reset is required at first sign-in", o.email)
	} else {
		im.report.note("customers", clientID, "no password to carry over: a password reset is required at first sign-in")
	}
	h, err := unusableHash()
	return h, true, err
}

// unusableHash is the bcrypt hash of a random password nobody knows.
func unusableHash() (string, error) {
	random := make([]byte, 32)
	if _, err := rand.Read(random); err != nil {
		return "", err
	}
	h, err := bcrypt.GenerateFromPassword(random, bcrypt.MinCost)
	return string(h), err
}

// reportOtherLogins lists the WHMCS 8 logins that do not become a customer's
// password: invited team members, and users whose client is gone.
func (im *importer) reportOtherLogins(ctx context.Context) error {
	ok, err := im.hasTable(ctx, "tblusers_clients")
	if err != nil || !ok {
		return err
	}
	c := im.report.count("users")
	rows, err := im.rows(ctx, `SELECT u.id, u.email, COALESCE(SUM(uc.owner = 1), 0), COUNT(uc.id)
		FROM tblusers u LEFT JOIN tblusers_clients uc ON uc.auth_user_id = u.id GROUP BY u.id, u.email ORDER BY u.id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, owned, links int64
		var email string
		if err := rows.Scan(&id, &email, &owned, &links); err != nil {
			return err
		}
		c.Read++
		switch {
		case links == 0:
			im.report.skip(c, id, "login %s belongs to no client (its client was deleted)", email)
		case owned == 0:
			im.report.skip(c, id, "login %s is an invited team member of %d client(s): EZSCALE has one login per customer; invite them again", email, links)
		default:
			c.Unchanged++ // carried over as the password of the client(s) it owns
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return im.reportContacts(ctx)
}

// reportContacts lists WHMCS contacts: EZSCALE has none.
func (im *importer) reportContacts(ctx context.Context) error {
	c := im.report.count("contacts")
	rows, err := im.rows(ctx, "SELECT id, userid, email FROM tblcontacts ORDER BY id")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, clientID int64
		var email string
		if err := rows.Scan(&id, &clientID, &email); err != nil {
			return err
		}
		c.Read++
		im.report.skip(c, id, "contact %s of client %d: EZSCALE has no contacts; add them to the customer's notes if needed", email, clientID)
	}
	return rows.Err()
}

func joinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprint(id)
	}
	return strings.Join(parts, ",")
}
