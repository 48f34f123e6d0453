// Package dunning chases unpaid invoices: a reminder before the due date,
// an automatic charge on it, retries, overdue notices, suspension and in
// the end termination. Every step is recorded on the invoice (its hidden
// dunning field) so it happens once however often the job runs, and a
// payment at any point ends the chase (an invoice no longer open is not
// chased; fulfilment lifts an overdue suspension).
package dunning

import (
	"strconv"
	"strings"
	"time"

	"github.com/ezscale/ezscale/internal/settings"
)

// Policy is when each step happens, from the settings.
type Policy struct {
	ReminderDays  int   // before the due date
	RetryDays     []int // after the due date, for failed automatic charges
	SuspendDays   int   // after the due date
	TerminateDays int   // after the suspension
}

// PolicyFrom reads the dunning settings.
func PolicyFrom(s *settings.Settings) Policy {
	return Policy{ReminderDays: s.DunningReminderDays, RetryDays: s.DunningRetryDays,
		SuspendDays: s.DunningSuspendDays, TerminateDays: s.DunningTerminateDays}
}

const day = 24 * time.Hour

// Step names, as recorded on the invoice.
const (
	StepReminder  = "reminder"
	StepCharge    = "charge"
	StepOverdue   = "overdue_notice"
	StepSuspend   = "suspended"
	StepTerminate = "terminated"
	// StepHeld is not a step but what a run reports for an invoice whose
	// charge is pending at the gateway: nothing is taken until it settles.
	StepHeld = "held"
	// StepRechecked is what a run reports for a charge pending so long that
	// it asked the gateway what became of it, and recorded the answer.
	StepRechecked = "rechecked"
)

// retryStep names the retry on a given day after the due date.
func retryStep(d int) string { return "retry_day_" + strconv.Itoa(d) }

// isCharge tells the steps that charge the saved payment method.
func isCharge(step string) bool { return step == StepCharge || strings.HasPrefix(step, "retry_day_") }

// Due lists the steps of the policy that are due at now for an invoice due
// at dueAt, in order, given the steps already taken.
func (p Policy) Due(dueAt, now time.Time, taken map[string]time.Time) []string {
	var steps []string
	add := func(step string, at time.Time) {
		if _, done := taken[step]; !done && !now.Before(at) {
			steps = append(steps, step)
		}
	}
	if now.Before(dueAt) {
		add(StepReminder, dueAt.Add(-time.Duration(p.ReminderDays)*day))
		return steps
	}
	add(StepCharge, dueAt)
	for _, d := range p.RetryDays {
		add(retryStep(d), dueAt.Add(time.Duration(d)*day))
	}
	add(StepOverdue, dueAt.Add(day))
	add(StepSuspend, p.SuspendAt(dueAt))
	if suspended, ok := taken[StepSuspend]; ok {
		add(StepTerminate, p.TerminateAt(suspended))
	}
	return steps
}

// SuspendAt is when an invoice due at dueAt suspends its services.
func (p Policy) SuspendAt(dueAt time.Time) time.Time {
	return dueAt.Add(time.Duration(p.SuspendDays) * day)
}

// TerminateAt is when services suspended for non-payment at suspendedAt
// are terminated.
func (p Policy) TerminateAt(suspendedAt time.Time) time.Time {
	return suspendedAt.Add(time.Duration(p.TerminateDays) * day)
}
