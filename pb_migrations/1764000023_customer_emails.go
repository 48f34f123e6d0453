package migrations

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/dbutils"
	"github.com/pocketbase/pocketbase/tools/security"
	"golang.org/x/crypto/bcrypt"
)

// One account per email address, whatever its case: addresses are stored
// trimmed and lower-cased (hooks.bindCustomerEmails from now on), and the
// unique index compares them without case (COLLATE NOCASE), which is also
// what makes PocketBase's sign-in, one-time code and password reset
// lookups case-insensitive.
//
// A database made before may hold the same address in several cases (a
// second sign-up as DEMO@ beside demo@). Nothing is merged and the
// migration does not fail: in each such group the verified account, else
// the oldest, keeps the address; every other one gets a placeholder
// address nobody can receive mail at and a password nobody knows (sign-in,
// codes and resets are impossible), a new token key (its sessions end),
// loses its verification and its SupportPal link, and its staff notes say
// what happened. Each group is logged for staff to merge.
//
// An unverified account never proved its address, so a SupportPal user it
// was linked to by that address is not its own: such links are dropped
// with the mirror rows they brought, and the rightful customer's support
// pages mirror those tickets again.
func init() {
	m.Register(func(app core.App) error {
		if err := normaliseCustomerEmails(app); err != nil {
			return err
		}
		if err := unlinkUnverifiedFromSupportPal(app); err != nil {
			return err
		}
		return setEmailIndexCase(app, "COLLATE NOCASE")
	}, func(app core.App) error {
		return setEmailIndexCase(app, "")
	})
}

// duplicateEmailDomain is the placeholder addresses' domain: .invalid is
// reserved (RFC 2606), so no mail is ever delivered there.
const duplicateEmailDomain = "duplicate.invalid"

type customerEmail struct {
	ID       string `db:"id"`
	Email    string `db:"email"`
	Verified bool   `db:"verified"`
	Created  string `db:"created"`
	Notes    string `db:"notes"`
}

// normaliseCustomerEmails lower-cases every address, first giving the
// placeholder to all but one account of each group sharing an address.
func normaliseCustomerEmails(app core.App) error {
	var all []customerEmail
	if err := app.DB().Select("id", "email", "verified", "created", "notes").From("customers").
		OrderBy("created ASC", "id ASC").All(&all); err != nil {
		return fmt.Errorf("read customer emails: %w", err)
	}
	groups := map[string][]customerEmail{}
	var order []string
	for _, c := range all {
		k := strings.ToLower(strings.TrimSpace(c.Email))
		if k == "" {
			continue
		}
		if groups[k] == nil {
			order = append(order, k)
		}
		groups[k] = append(groups[k], c)
	}
	for _, k := range order {
		group := groups[k]
		// Verified first, then the oldest (the query's order).
		slices.SortStableFunc(group, func(a, b customerEmail) int {
			switch {
			case a.Verified == b.Verified:
				return 0
			case a.Verified:
				return -1
			}
			return 1
		})
		keeper := group[0]
		for _, dup := range group[1:] {
			if err := disableDuplicate(app, dup, keeper, k); err != nil {
				return err
			}
		}
		if keeper.Email != k {
			if _, err := app.DB().Update("customers", dbx.Params{"email": k}, dbx.HashExp{"id": keeper.ID}).Execute(); err != nil {
				return fmt.Errorf("normalise the email of customer %s: %w", keeper.ID, err)
			}
		}
	}
	return nil
}

// disableDuplicate takes the address away from dup, which shares it with
// keeper in another case.
func disableDuplicate(app core.App, dup, keeper customerEmail, address string) error {
	placeholder := fmt.Sprintf("%s.%s@%s", dup.ID, strings.ToLower(security.RandomString(12)), duplicateEmailDomain)
	note := fmt.Sprintf("[Migration 1764000023] This account had the email %q, which customer %s has in another case (%s). "+
		"Only one account per address may exist, so sign-in was disabled here: the address is now a placeholder. "+
		"Merge this account into %s, or give it its own address.", dup.Email, keeper.ID, address, keeper.ID)
	notes := strings.TrimSpace(dup.Notes + "\n\n" + note)
	if utf8.RuneCountInString(notes) > 20000 {
		notes = string([]rune(notes)[:20000])
	}
	// A password nobody knows: the placeholder is no secret to staff.
	password, err := bcrypt.GenerateFromPassword([]byte(security.RandomString(50)), bcrypt.MinCost)
	if err != nil {
		return err
	}
	_, err = app.DB().Update("customers", dbx.Params{"email": placeholder, "verified": false, "password": string(password),
		"tokenKey": security.RandomString(50), "supportpal_user_id": 0, "notes": notes}, dbx.HashExp{"id": dup.ID}).Execute()
	if err != nil {
		return fmt.Errorf("disable customer %s sharing %s: %w", dup.ID, address, err)
	}
	app.Logger().Warn("customers share an email address in different case: one kept it, the other was disabled; merge them",
		"email", address, "kept_by", keeper.ID, "disabled", dup.ID, "disabled_email", dup.Email, "placeholder", placeholder)
	return nil
}

// unlinkUnverifiedFromSupportPal drops the SupportPal link of unverified
// customers and the mirror rows it attributed to them.
func unlinkUnverifiedFromSupportPal(app core.App) error {
	unverified := dbx.NewExp("[[customer]] IN (SELECT [[id]] FROM {{customers}} WHERE [[verified]] = FALSE)")
	if _, err := app.DB().Delete("support_tickets", unverified).Execute(); err != nil {
		return fmt.Errorf("drop the mirror rows of unverified customers: %w", err)
	}
	_, err := app.DB().Update("customers", dbx.Params{"supportpal_user_id": 0},
		dbx.NewExp("[[verified]] = FALSE AND [[supportpal_user_id]] > 0")).Execute()
	if err != nil {
		return fmt.Errorf("unlink unverified customers from SupportPal: %w", err)
	}
	return nil
}

// setEmailIndexCase rebuilds the customers' unique email index with the
// given collation ("" for PocketBase's default, case-sensitive).
func setEmailIndexCase(app core.App, collate string) error {
	c, err := app.FindCollectionByNameOrId("customers")
	if err != nil {
		return err
	}
	idx, ok := dbutils.FindSingleColumnUniqueIndex(c.Indexes, core.FieldNameEmail)
	if !ok {
		return fmt.Errorf("customers have no unique email index")
	}
	c.RemoveIndex(idx.IndexName)
	c.AddIndex(idx.IndexName, true, strings.TrimSpace("`email` "+collate), "`email` != ''")
	return app.Save(c)
}
