package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/security"
)

// ImpersonationSession is a customer session staff opened from the console: the
// staff member, the customer and when the token stops working. Staff is
// empty for a token the platform has no record of issuing (one issued
// before impersonations were recorded): still staff's, never the customer's.
type ImpersonationSession struct {
	Staff    string
	Customer string
	Session  string
	Expires  time.Time
}

// Impersonation records staff taking a session of a customer, with the
// hash of the token issued, so that every request made with the token is
// traced back to them. It is written before the token is answered: a
// token is never in use without its record.
func Impersonation(app core.App, staff Actor, customer *core.Record, token string) error {
	claims, err := security.ParseUnverifiedJWT(token)
	if err != nil {
		return fmt.Errorf("audit impersonation of %s: %w", customer.Id, err)
	}
	expires := expiry(claims)
	staff.Session = SessionOf(token)
	return Entry{Actor: staff, Action: ActionImpersonate, Collection: customer.Collection().Name, RecordID: customer.Id,
		Customer: customer.Id, Message: fmt.Sprintf("staff %s impersonated %s until %s (%s)", staff.ID, customer.Email(),
			expires.Format(time.RFC3339), expires.Sub(time.Now()).Round(time.Minute))}.Save(app)
}

// SessionOf is how an impersonation token is named in the audit log: its
// SHA-256, never the token itself, which would sign anyone in.
func SessionOf(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// ImpersonationOf reports whether the request is made with a token staff
// were issued by impersonating its customer, and by whom. PocketBase
// issues non-refreshable tokens only by impersonation, signed with the
// customer's key, so the token (verified when it was loaded) cannot be
// forged into one or out of one; the impersonate entry written when it
// was issued names the staff member.
func ImpersonationOf(e *core.RequestEvent) (ImpersonationSession, bool) {
	if e.Auth == nil || e.Auth.IsSuperuser() {
		return ImpersonationSession{}, false
	}
	token := e.Request.Header.Get("Authorization")
	if len(token) > 7 && strings.EqualFold(token[:7], "Bearer ") {
		token = token[7:]
	}
	claims, err := security.ParseUnverifiedJWT(token)
	if err != nil {
		return ImpersonationSession{}, false
	}
	if refreshable, ok := claims[core.TokenClaimRefreshable].(bool); !ok || refreshable {
		return ImpersonationSession{}, false
	}
	imp := ImpersonationSession{Customer: e.Auth.Id, Session: SessionOf(token),
		Expires: expiry(claims)}
	var issued struct {
		ActorID string `db:"actor_id"`
	}
	err = e.App.DB().Select("actor_id").From(Collection).
		Where(dbx.HashExp{"session": imp.Session, "action": ActionImpersonate, "customer": imp.Customer}).
		OrderBy("created DESC").Limit(1).One(&issued)
	if err == nil {
		imp.Staff = issued.ActorID
	}
	return imp, true
}

// expiry is the token's exp claim (JSON numbers decode as float64).
func expiry(claims map[string]any) time.Time {
	exp, _ := claims["exp"].(float64)
	return time.Unix(int64(exp), 0).UTC()
}
