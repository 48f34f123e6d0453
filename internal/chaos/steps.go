package chaos

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Kind is what an action does.
type Kind int

// The actions of customers, staff, gateways, platforms and time.
const (
	Order          Kind = iota // a customer orders a plan, maybe with a coupon
	PayNow                     // a customer pays an open invoice with their saved card
	PayPalPay                  // a customer pays by PayPal, maybe capturing against another invoice
	PayCredit                  // a customer pays an open invoice from account credit
	ChangePlan                 // a customer changes a service's plan, Count times in parallel
	Cancel                     // a customer cancels a service at the end of its period
	StaffCancel                // staff cancel a service now, crediting the unused time
	Void                       // staff void an open invoice
	Refund                     // staff refund part or all of a charge
	GiveCredit                 // staff add account credit
	SetCard                    // a customer's saved card starts behaving differently
	Webhooks                   // the gateways deliver what they owe: duplicated, reordered, some held back
	Advance                    // the clock moves on and the scheduled jobs run
	PlatformFaults             // the platform starts failing or losing answers
)

// Action is one thing that happens. Entities are named by index (the
// customer's n-th service, open invoice, charge, oldest first), so a step
// list stays meaningful when shrinking drops other steps; an index with
// nothing to name does nothing.
type Action struct {
	Kind     Kind
	Customer int
	Target   int // service, invoice or charge index
	Other    int // the second invoice of a wrong PayPal capture; -1 for none
	Plan     int // catalog index
	Coupon   int // coupons index
	Count    int // parallel repeats
	Card     string
	Amount   int64 // credit in minor units; refund in percent of the charge
	Race     bool  // a refund whose webhook overtakes its answer
	Hours    int   // clock advance
	Fail     int   // percent of platform calls failing
	Lose     int   // percent of platform calls losing their answer
	Seed     uint64
}

// Step is a small batch of actions run at the same time, then the checks.
type Step struct {
	Actions []Action
}

func (s Step) String() string {
	parts := make([]string, len(s.Actions))
	for i, a := range s.Actions {
		parts[i] = a.String()
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return "at once: " + strings.Join(parts, " | ")
}

func (a Action) String() string {
	c := fmt.Sprintf("customer %d", a.Customer)
	switch a.Kind {
	case Order:
		s := fmt.Sprintf("%s orders %s", c, catalog[a.Plan].Name)
		if coupons[a.Coupon] != "" {
			s += " with coupon " + coupons[a.Coupon]
		}
		return s
	case PayNow:
		return fmt.Sprintf("%s pays open invoice %d now by card", c, a.Target)
	case PayPalPay:
		if a.Other >= 0 {
			return fmt.Sprintf("%s checks out open invoice %d with PayPal and captures it against open invoice %d", c, a.Target, a.Other)
		}
		return fmt.Sprintf("%s pays open invoice %d with PayPal", c, a.Target)
	case PayCredit:
		return fmt.Sprintf("%s pays open invoice %d from credit", c, a.Target)
	case ChangePlan:
		return fmt.Sprintf("%s changes plan of service %d to %s ×%d in parallel", c, a.Target, catalog[a.Plan].Name, a.Count)
	case Cancel:
		return fmt.Sprintf("%s cancels service %d at period end", c, a.Target)
	case StaffCancel:
		return fmt.Sprintf("staff cancel service %d of %s now with credit", a.Target, c)
	case Void:
		return fmt.Sprintf("staff void open invoice %d of %s", a.Target, c)
	case Refund:
		s := fmt.Sprintf("staff refund %d%% of charge %d of %s", a.Amount, a.Target, c)
		if a.Race {
			s += " (its webhook overtakes the answer)"
		}
		if a.Count > 1 {
			s += fmt.Sprintf(" ×%d in parallel", a.Count)
		}
		return s
	case GiveCredit:
		return fmt.Sprintf("staff give %s %s of credit", c, minorString(a.Amount))
	case SetCard:
		return fmt.Sprintf("%s's card now answers %q", c, a.Card)
	case Webhooks:
		return fmt.Sprintf("webhooks delivered (duplicated, reordered, some delayed; shuffle %d)", a.Seed%1000)
	case Advance:
		return fmt.Sprintf("clock advances %dh; billing, dunning and provisioning run", a.Hours)
	case PlatformFaults:
		return fmt.Sprintf("platform fails %d%% and loses %d%% of answers", a.Fail, a.Lose)
	}
	return fmt.Sprintf("action %d", a.Kind)
}

func minorString(n int64) string { return fmt.Sprintf("%s %d.%02d", currency, n/100, n%100) }

// Generate is the step list of a seed: the same seed gives the same steps.
func Generate(seed uint64, customers, steps int) []Step {
	rng := rand.New(rand.NewPCG(seed, seed^0xda3e39cb94b95bdb))
	out := make([]Step, 0, steps)
	for len(out) < steps {
		n := 1
		if rng.IntN(3) == 0 {
			n = 2 + rng.IntN(2)
		}
		var st Step
		for i := 0; i < n; i++ {
			st.Actions = append(st.Actions, randomAction(rng, customers))
		}
		out = append(out, st)
	}
	return out
}

func randomAction(rng *rand.Rand, customers int) Action {
	a := Action{Customer: rng.IntN(customers), Target: rng.IntN(3), Other: -1, Count: 1, Seed: rng.Uint64()}
	switch r := rng.IntN(100); {
	case r < 18:
		a.Kind = Order
		a.Plan = rng.IntN(len(catalog))
		if rng.IntN(2) == 0 {
			a.Coupon = 1 + rng.IntN(len(coupons)-1)
		}
	case r < 32:
		a.Kind = PayNow
	case r < 41:
		a.Kind = PayPalPay
		if rng.IntN(2) == 0 {
			a.Other = rng.IntN(3)
		}
	case r < 44:
		a.Kind = PayCredit
	case r < 54:
		a.Kind = ChangePlan
		a.Plan = rng.IntN(len(catalog))
		a.Count = 1 + rng.IntN(4)
	case r < 58:
		a.Kind = Cancel
	case r < 60:
		a.Kind = StaffCancel
	case r < 63:
		a.Kind = Void
	case r < 69:
		a.Kind = Refund
		a.Amount = []int64{100, 50, 30}[rng.IntN(3)]
		a.Race = rng.IntN(2) == 0
		a.Count = 1 + rng.IntN(2)
	case r < 71:
		a.Kind = GiveCredit
		a.Amount = int64(100 * (1 + rng.IntN(30)))
	case r < 76:
		a.Kind = SetCard
		a.Card = cardBehaviours[rng.IntN(len(cardBehaviours))]
	case r < 87:
		a.Kind = Webhooks
	case r < 97:
		a.Kind = Advance
		a.Hours = []int{6, 24, 24, 48, 72, 96, 168}[rng.IntN(7)]
	default:
		a.Kind = PlatformFaults
		a.Fail = []int{0, 0, 20, 50}[rng.IntN(4)]
		a.Lose = []int{0, 20, 40}[rng.IntN(3)]
	}
	return a
}
