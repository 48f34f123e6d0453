package support

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/integrations/supportpal"
)

// UserFor returns the customer's SupportPal user id: the one remembered on
// the customer, else the user with their email, else a new user (active,
// no password: they sign in through SimpleAuth). The id is remembered, so
// the lookup happens once per customer. A customer whose address is not
// verified gets ErrUnverified: anyone can type an address.
func (d *Desk) UserFor(ctx context.Context, customer *core.Record) (int64, error) {
	id, err := d.knownUser(ctx, customer)
	if err != nil || id > 0 {
		return id, err
	}
	c := customers.As(customer)
	first, last := splitName(c.Name(), c.Email())
	u, err := d.api.CreateUser(ctx, supportpal.NewUser{Email: c.Email(), Firstname: first, Lastname: last,
		Country: c.Country(), EmailVerified: c.Verified(), Active: true})
	if supportpal.IsInvalid(err) {
		// Created meanwhile (a second tab, the sync): SupportPal refuses a
		// duplicate email, so the user is there to be found.
		if found, ferr := d.api.FindUserByEmail(ctx, customer.Email()); ferr == nil && found != nil {
			u, err = found, nil
		}
	}
	if err != nil {
		return 0, fmt.Errorf("create SupportPal user for customer %s: %w", customer.Id, remote(err))
	}
	return u.ID, d.remember(customer, u.ID)
}

// knownUser is the customer's SupportPal user id if they have one (0 if
// not), without creating one: reading tickets never creates users. Only a
// verified customer has one (ErrUnverified otherwise), whether remembered
// or found by their address.
func (d *Desk) knownUser(ctx context.Context, customer *core.Record) (int64, error) {
	if !customer.Verified() {
		return 0, ErrUnverified
	}
	if id := customers.As(customer).SupportPalUserID(); id > 0 {
		return id, nil
	}
	u, err := d.api.FindUserByEmail(ctx, customer.Email())
	if err != nil {
		return 0, fmt.Errorf("find SupportPal user of customer %s: %w", customer.Id, remote(err))
	}
	if u == nil {
		return 0, nil
	}
	return u.ID, d.remember(customer, u.ID)
}

// remember stores the user id on the customer with a column update: the
// customer's own save hooks (audit, validation of what they typed) have
// nothing to say about a link to another system.
func (d *Desk) remember(customer *core.Record, userID int64) error {
	_, err := d.app.DB().Update(customers.Collection, dbx.Params{"supportpal_user_id": userID}, dbx.HashExp{"id": customer.Id}).Execute()
	if err != nil {
		return fmt.Errorf("remember SupportPal user %d of customer %s: %w", userID, customer.Id, err)
	}
	customers.As(customer).SetSupportPalUserID(userID)
	return nil
}

// customerOf finds the verified customer a ticket belongs to: by the
// remembered user id, else by the ticket user's email (a ticket sent by
// email before the customer ever opened the portal's support pages). nil
// when the ticket is not a verified customer's (a guest, an operator, an
// account that never proved the address).
func (d *Desk) customerOf(t *supportpal.Ticket) (*core.Record, error) {
	c, err := d.app.FindFirstRecordByFilter(customers.Collection, "supportpal_user_id = {:id} && verified = true", dbx.Params{"id": t.UserID})
	switch {
	case err == nil:
		return c, nil
	case !errors.Is(err, sql.ErrNoRows):
		return nil, err
	case strings.TrimSpace(t.User.Email) == "":
		return nil, nil
	}
	// SupportPal compares addresses without case; so do we (one account per
	// address in any case, the unique index sees to it).
	var found []*core.Record
	err = d.app.RecordQuery(customers.Collection).
		AndWhere(dbx.NewExp("[[email]] = {:e} COLLATE NOCASE", dbx.Params{"e": strings.ToLower(strings.TrimSpace(t.User.Email))})).
		AndWhere(dbx.HashExp{"verified": true}).Limit(2).All(&found)
	if err != nil || len(found) != 1 {
		return nil, err
	}
	c = found[0]
	if customers.As(c).SupportPalUserID() > 0 {
		return nil, nil // the address now belongs to another SupportPal user of theirs: not this one
	}
	return c, d.remember(c, t.UserID)
}

// splitName splits "Jane van Doe" into "Jane" and "van Doe"; without a name
// the mailbox name stands in, as SupportPal needs a first name to greet.
func splitName(name, email string) (first, last string) {
	name = strings.TrimSpace(name)
	if name == "" {
		name, _, _ = strings.Cut(email, "@")
	}
	first, last, _ = strings.Cut(name, " ")
	return first, strings.TrimSpace(last)
}
