package whmcs

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/ezscale/ezscale/billing/coupon"
)

// couponColumns are written from WHMCS on every run.
var couponColumns = []string{"code", "kind", "percent_off", "amounts_off", "plans", "duration", "duration_cycles",
	"max_uses", "once_per_customer", "starts_at", "expires_at", "active"}

// couponCodeMax is the schema's limit on a coupon code.
const couponCodeMax = 40

// promotion is a tblpromotions row.
type promotion struct {
	id                                      int64
	code, kind, value, cycles, appliesTo    string
	requires                                string
	recurring                               sql.NullInt64
	recurFor, maxUses, uses                 int64
	oncePerClient, newSignups, existingOnly bool
	upgrades, lifetime, applyOnce           bool
	requiresExisting                        bool
	start, expire                           time.Time // zero: none
}

// couponTerms is what a promotion gives, in the coupons schema's terms.
type couponTerms struct {
	kind               coupon.Kind
	percentOff         int64
	amountsOff         map[string]int64
	duration           coupon.Duration
	cycles             int64
	startsAt, expireAt time.Time
}

// importPromotions imports WHMCS promotions as coupons. Percentage and
// fixed amount promotions have an equivalent; price overrides and free
// setup do not and are listed. A fixed amount is taken off in the
// default currency only: WHMCS takes the same number off in whatever
// currency the client has, which is not a fixed discount EZSCALE can
// express. A coupon restricted to products of which none was imported is
// left out rather than imported for every plan.
func (im *importer) importPromotions(ctx context.Context) error {
	c := im.report.count("coupons")
	t, err := im.table("coupons", c, couponColumns)
	if err != nil {
		return err
	}
	plans, err := im.table("plans", &Count{}, nil)
	if err != nil {
		return err
	}
	taken, err := im.foreignValues("coupons", "code")
	if err != nil {
		return err
	}
	rows, err := im.rows(ctx, `SELECT id, code, type, recurring, value, cycles, appliesto, requires, startdate, expirationdate,
		maxuses, uses, newsignups, existingclient, onceperclient, recurfor, upgrades, lifetimepromo, applyonce, requiresexisting
		FROM tblpromotions ORDER BY id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	now := time.Now().UTC()
	for rows.Next() {
		var p promotion
		var start, expire sql.NullTime
		var newSignups, existing, once, upgrades, lifetime, applyOnce, requiresExisting int64
		if err := rows.Scan(&p.id, &p.code, &p.kind, &p.recurring, &p.value, &p.cycles, &p.appliesTo, &p.requires, &start,
			&expire, &p.maxUses, &p.uses, &newSignups, &existing, &once, &p.recurFor, &upgrades, &lifetime, &applyOnce,
			&requiresExisting); err != nil {
			return err
		}
		p.lifetime, p.applyOnce, p.requiresExisting = lifetime != 0, applyOnce != 0, requiresExisting != 0
		c.Read++
		p.start, p.expire = date(start), date(expire)
		p.newSignups, p.existingOnly, p.oncePerClient, p.upgrades = newSignups != 0, existing != 0, once != 0, upgrades != 0

		terms, err := promotionTerms(p, im.defaultCur)
		if err != nil {
			im.report.skip(c, p.id, "%v", err)
			continue
		}
		planIDs, unknown := promotionPlans(p.appliesTo, plans.id)
		if len(unknown) > 0 {
			if len(planIDs) == 0 {
				im.report.skip(c, p.id, "applies only to WHMCS products %s, none of which is imported: it would apply to every plan", strings.Join(unknown, ", "))
				continue
			}
			im.report.note("coupons", p.id, "applies to WHMCS products %s too, which are not imported", strings.Join(unknown, ", "))
		}
		code, changed := couponCode(p.code)
		if code == "" {
			code, changed = fmt.Sprintf("PROMO-%d", p.id), true
		}
		base := code
		for n := 1; taken[code]; n++ {
			suffix := fmt.Sprintf("-%d", p.id)
			if n > 1 {
				suffix += fmt.Sprintf("-%d", n)
			}
			code, changed = withSuffix(base, suffix, couponCodeMax), true
		}
		cp := coupon.Coupon{Code: code, Kind: terms.kind, PercentOff: terms.percentOff, AmountsOff: terms.amountsOff,
			Duration: terms.duration, DurationCycles: int(terms.cycles), MaxUses: int(p.maxUses),
			StartsAt: terms.startsAt, ExpiresAt: terms.expireAt}
		if err := cp.Validate(); err != nil {
			im.report.skip(c, p.id, "%v", err)
			continue
		}
		taken[code] = true
		if changed {
			im.report.note("coupons", p.id, "code %q imported as %s: customers must type the new code", text(p.code), code)
		}
		for _, n := range promotionNotes(p, im.defaultCur) {
			im.report.note("coupons", p.id, "%s", n)
		}
		var amountsOff any // NULL for a percentage: it has no amounts
		if terms.amountsOff != nil {
			raw, err := json.Marshal(terms.amountsOff)
			if err != nil {
				return err
			}
			amountsOff = types.JSONRaw(raw)
		}
		planList, err := json.Marshal(planIDs)
		if err != nil {
			return err
		}
		t.put(fmt.Sprint(p.id), map[string]any{
			"code": code, "kind": string(terms.kind), "percent_off": terms.percentOff, "amounts_off": amountsOff,
			"plans": types.JSONRaw(planList), "duration": string(terms.duration), "duration_cycles": terms.cycles,
			"max_uses": p.maxUses, "once_per_customer": p.oncePerClient, "starts_at": terms.startsAt,
			"expires_at": terms.expireAt, "active": promotionActive(p, terms, now),
		})
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return im.flush(ctx, t)
}

// promotionTerms maps a promotion's type, value, recurrence and dates, or
// says why it has no equivalent. WHMCS's expiration date is the last day
// it can be used; a coupon expires at expires_at, so that is the next day.
func promotionTerms(p promotion, defaultCur string) (couponTerms, error) {
	var t couponTerms
	switch p.kind {
	case "Percentage":
		thousandths, err := percentThousandths(p.value)
		if err != nil {
			return t, err
		}
		if thousandths%1000 != 0 {
			return t, fmt.Errorf("%s %% off: EZSCALE coupons take a whole percentage off", strings.TrimSpace(p.value))
		}
		if thousandths < 1000 || thousandths > 100000 {
			return t, fmt.Errorf("%s %% off is not between 1 and 100 %%", strings.TrimSpace(p.value))
		}
		t.kind, t.percentOff = coupon.KindPercent, thousandths/1000
	case "Fixed Amount":
		if defaultCur == "" {
			return t, fmt.Errorf("fixed amount with no default currency imported")
		}
		off, err := minor(p.value, defaultCur)
		if err != nil {
			return t, fmt.Errorf("fixed amount %q: %w", p.value, err)
		}
		if off <= 0 {
			return t, fmt.Errorf("fixed amount %s takes nothing off", strings.TrimSpace(p.value))
		}
		t.kind, t.amountsOff = coupon.KindFixed, map[string]int64{defaultCur: off}
	case "Price Override", "Free Setup":
		return t, fmt.Errorf("type %q has no equivalent: EZSCALE coupons take a percentage or a fixed amount off", p.kind)
	default:
		return t, fmt.Errorf("unknown type %q: EZSCALE coupons take a percentage or a fixed amount off", p.kind)
	}
	switch {
	case p.lifetime:
		// The service keeps the discount for its lifetime, every renewal.
		t.duration = coupon.DurationForever
	case p.recurring.Int64 == 1 && p.recurFor > 0:
		t.duration, t.cycles = coupon.DurationRepeating, p.recurFor
	case p.recurring.Int64 == 1:
		t.duration = coupon.DurationForever
	default:
		t.duration = coupon.DurationOnce
	}
	t.startsAt = p.start
	if !p.expire.IsZero() {
		t.expireAt = p.expire.AddDate(0, 0, 1)
	}
	if !t.startsAt.IsZero() && !t.expireAt.IsZero() && !t.startsAt.Before(t.expireAt) {
		return t, fmt.Errorf("starts on %s, after its last day %s: it could never be used",
			p.start.Format(time.DateOnly), p.expire.Format(time.DateOnly))
	}
	return t, nil
}

// promotionActive: a coupon is imported active unless it has expired or
// used up its uses in WHMCS.
func promotionActive(p promotion, t couponTerms, now time.Time) bool {
	if !t.expireAt.IsZero() && !now.Before(t.expireAt) {
		return false
	}
	return p.maxUses == 0 || p.uses < p.maxUses
}

// promotionNotes are what staff should know about an imported promotion:
// the default-currency-only fixed amount, WHMCS conditions coupons do not
// have, and uses that are not carried over.
func promotionNotes(p promotion, defaultCur string) []string {
	var notes []string
	if p.kind == "Fixed Amount" {
		notes = append(notes, fmt.Sprintf("fixed amount set in %s only: WHMCS took %s off in any currency; add amounts for other currencies if needed",
			defaultCur, strings.TrimSpace(p.value)))
	}
	var lost []string
	if c := strings.TrimSpace(p.cycles); c != "" {
		lost = append(lost, "billing cycles "+c)
	}
	if p.newSignups {
		lost = append(lost, "new sign-ups only")
	}
	if p.existingOnly {
		lost = append(lost, "existing clients only")
	}
	if r := strings.TrimSpace(p.requires); r != "" {
		lost = append(lost, "requires products "+r)
	}
	if p.upgrades {
		lost = append(lost, "applies to upgrades")
	}
	if p.requiresExisting {
		lost = append(lost, "the required products may be ones the client already has")
	}
	if len(lost) > 0 {
		notes = append(notes, "WHMCS conditions EZSCALE coupons do not have, not imported: "+strings.Join(lost, "; "))
	}
	if p.applyOnce {
		notes = append(notes, "applies to one item per order in WHMCS: an EZSCALE order is one plan, so it applies once per order")
	}
	if p.uses > 0 && (p.maxUses > 0 || p.oncePerClient) {
		notes = append(notes, fmt.Sprintf("used %d times in WHMCS: EZSCALE counts its own redemptions from zero", p.uses))
	}
	return notes
}

// promotionPlans are the plan record ids of the comma-separated WHMCS
// product ids of appliesto, in order and without repeats, and the product
// ids that have no imported plan.
func promotionPlans(appliesTo string, planID func(whmcsID string) string) (plans []string, unknown []string) {
	plans = []string{}
	seen := map[string]bool{}
	for _, f := range strings.Split(appliesTo, ",") {
		f = strings.TrimSpace(f)
		if f == "" || seen[f] {
			continue
		}
		seen[f] = true
		if _, err := strconv.ParseInt(f, 10, 64); err != nil {
			unknown = append(unknown, f)
			continue
		}
		if id := planID(f); id != "" {
			plans = append(plans, id)
		} else {
			unknown = append(unknown, f)
		}
	}
	return plans, unknown
}

// couponCode is a WHMCS code in the coupons schema's form: upper case,
// A-Z 0-9 _ and - only (any other character becomes -), at most 40
// characters. changed says whether customers would have to type it
// differently (WHMCS matches codes ignoring case).
func couponCode(raw string) (code string, changed bool) {
	orig := text(raw)
	var b strings.Builder
	for _, r := range strings.ToUpper(orig) {
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') || r == '_' || r == '-' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	code = clip(b.String(), couponCodeMax)
	return code, code != strings.ToUpper(orig)
}

// withSuffix appends suffix to code, cutting code so the result fits max.
func withSuffix(code, suffix string, max int) string {
	return clip(code, max-len(suffix)) + suffix
}
