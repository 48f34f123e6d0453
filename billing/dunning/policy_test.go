package dunning

import (
	"fmt"
	"testing"
	"time"
)

func TestPolicyTimeline(t *testing.T) {
	p := Policy{ReminderDays: 3, RetryDays: []int{1, 3, 5, 7}, SuspendDays: 7, TerminateDays: 14}
	due := time.Date(2026, 3, 10, 6, 0, 0, 0, time.UTC)
	at := func(days int) time.Time { return due.Add(time.Duration(days) * day) }
	taken := map[string]time.Time{}
	cases := []struct {
		day  int
		want []string
	}{
		{-4, nil},
		{-3, []string{StepReminder}},
		{-1, nil},
		{0, []string{StepCharge}},
		{1, []string{"retry_day_1", StepOverdue}},
		{2, nil},
		{3, []string{"retry_day_3"}},
		{5, []string{"retry_day_5"}},
		{7, []string{"retry_day_7", StepSuspend}},
		{20, nil},
		{21, []string{StepTerminate}},
		{40, nil},
	}
	for _, tc := range cases {
		got := p.Due(due, at(tc.day), taken)
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("day %d: %v, want %v", tc.day, got, tc.want)
		}
		for _, s := range got {
			taken[s] = at(tc.day)
		}
	}
	// A job that did not run for days catches up on everything due at once.
	late := p.Due(due, at(9), map[string]time.Time{})
	if fmt.Sprint(late) != "[charge retry_day_1 retry_day_3 retry_day_5 retry_day_7 overdue_notice suspended]" {
		t.Errorf("catch-up: %v", late)
	}
}
