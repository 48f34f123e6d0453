package whmcs

import (
	"database/sql"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/ezscale/billing/cycle"
)

// onDay is midnight UTC of a "2006-01-02" date; "" is no date.
func onDay(t *testing.T, s string) time.Time {
	t.Helper()
	if s == "" {
		return time.Time{}
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestHostingSchedule(t *testing.T) {
	tests := []struct {
		name                            string
		cycle                           cycle.Cycle
		regdate, nextDue, nextInvoice   string
		anchor, start, end, billedUntil string
		ok                              bool
	}{
		{"paid up, due dates follow the registration", cycle.Monthly, "2022-08-13", "2025-08-13", "2025-08-13",
			"2022-08-13", "2025-07-13", "2025-08-13", "2025-08-13", true},
		{"next period already invoiced", cycle.Monthly, "2022-08-13", "2025-08-13", "2025-09-13",
			"2022-08-13", "2025-07-13", "2025-08-13", "2025-09-13", true},
		{"next invoice date off the schedule is ignored", cycle.Monthly, "2022-08-13", "2025-08-13", "2025-09-02",
			"2022-08-13", "2025-07-13", "2025-08-13", "2025-08-13", true},
		{"month end clamped as ours are", cycle.Monthly, "2025-01-31", "2025-03-31", "2025-03-31",
			"2025-01-31", "2025-02-28", "2025-03-31", "2025-03-31", true},
		{"annual", cycle.Annual, "2020-05-02", "2026-05-02", "2026-05-02",
			"2020-05-02", "2025-05-02", "2026-05-02", "2026-05-02", true},
		{"due date moved by staff: counted from it", cycle.Quarterly, "2022-12-20", "2025-09-25", "2025-09-25",
			"2025-09-25", "2025-06-25", "2025-09-25", "2025-09-25", true},
		{"never paid: the first period, billed by its order invoice", cycle.Monthly, "2025-06-28", "2025-06-28", "2025-06-28",
			"2025-06-28", "2025-06-28", "2025-07-28", "2025-07-28", true},
		{"no registration date: counted from the due date", cycle.SemiAnnual, "", "2026-01-20", "",
			"2026-01-20", "2025-07-20", "2026-01-20", "2026-01-20", true},
		{"no next due date: only the anchor", cycle.Triennial, "2025-06-11", "", "",
			"2025-06-11", "", "", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := hostingSchedule(tc.cycle, onDay(t, tc.regdate), onDay(t, tc.nextDue), onDay(t, tc.nextInvoice))
			want := subscriptionSchedule{anchor: onDay(t, tc.anchor), start: onDay(t, tc.start), end: onDay(t, tc.end),
				billedUntil: onDay(t, tc.billedUntil)}
			if ok != tc.ok || got != want {
				t.Errorf("got %+v %v, want %+v %v", got, ok, want, tc.ok)
			}
			// Our renewals must find the same periods from the anchor.
			if ok && !onSchedule(got.anchor, tc.cycle, got.end) {
				t.Errorf("period end %s is not on the schedule anchored at %s", got.end, got.anchor)
			}
		})
	}
}

func TestHostingMaps(t *testing.T) {
	for whmcs, want := range map[string]cycle.Cycle{"Monthly": cycle.Monthly, "Quarterly": cycle.Quarterly,
		"Semi-Annually": cycle.SemiAnnual, "Annually": cycle.Annual, "Biennially": cycle.Biennial,
		"Triennially": cycle.Triennial, "Free Account": "", "One Time": ""} {
		got, ok := hostingCycles[strings.ToLower(whmcs)]
		if !ok || got != want || (want != "" && !got.Valid()) {
			t.Errorf("cycle %q: %q %v, want %q", whmcs, got, ok, want)
		}
	}
	services := []string{"pending", "provisioning", "active", "suspended", "terminated", "cancelled", "failed"}
	subscriptions := []string{"pending", "active", "past_due", "cancelled", "expired"}
	for _, s := range []string{"Pending", "Active", "Suspended", "Terminated", "Cancelled", "Fraud", "Completed"} {
		st, ok := hostingStatuses[s]
		if !ok || !slices.Contains(services, st.service) || !slices.Contains(subscriptions, st.subscription) {
			t.Errorf("status %q: %+v %v", s, st, ok)
		}
	}
}

func TestSuspendReason(t *testing.T) {
	tests := []struct{ status, whmcs, want string }{
		{"suspended", "Overdue on Payment", "overdue"},
		{"suspended", "payment failed", "overdue"},
		{"suspended", "Abuse report #12", "staff"},
		{"suspended", "", "staff"},
		{"active", "Overdue on Payment", ""},
	}
	for _, tc := range tests {
		if got := suspendReason(tc.status, tc.whmcs); got != tc.want {
			t.Errorf("suspendReason(%q, %q) = %q, want %q", tc.status, tc.whmcs, got, tc.want)
		}
	}
}

func TestServiceIPs(t *testing.T) {
	tests := []struct {
		name, dedicated, assigned string
		want                      string
		bad                       []string
	}{
		{"none", "", "", `[]`, nil},
		{"dedicated and assigned, one per line", "203.0.113.78", "192.0.2.185\n192.0.2.119\r\n198.51.100.72",
			`["203.0.113.78","192.0.2.185","192.0.2.119","198.51.100.72"]`, nil},
		{"commas, spaces, IPv6 and a prefix", "", "192.0.2.1, 2001:db8::1 192.0.2.0/29",
			`["192.0.2.1","2001:db8::1","192.0.2.0/29"]`, nil},
		{"duplicates dropped", "192.0.2.1", "192.0.2.1\n192.0.2.2", `["192.0.2.1","192.0.2.2"]`, nil},
		{"not addresses listed", "192.0.2.1", "see ticket\n192.0.2.300", `["192.0.2.1"]`, []string{"see", "ticket", "192.0.2.300"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, bad := serviceIPs(tc.dedicated, tc.assigned)
			if string(got) != tc.want || !reflect.DeepEqual(bad, tc.bad) {
				t.Errorf("got %s %q, want %s %q", got, bad, tc.want, tc.bad)
			}
		})
	}
}

func TestServiceOptions(t *testing.T) {
	if got := string(serviceOptions("root", 1, "")); got != `{"username":"root"}` {
		t.Errorf("got %s", got)
	}
	if got := string(serviceOptions("", 0, "")); got != `{}` {
		t.Errorf("no username: got %s", got)
	}
}

func TestPaypalSubscription(t *testing.T) {
	tests := map[string]string{
		"I-GV00NKXTJ3VN":   "I-GV00NKXTJ3VN",
		" I-VWXBBPJA31YD ": "I-VWXBBPJA31YD",
		"sub_1Nabc":        "",
		"":                 "",
	}
	for in, want := range tests {
		if got := paypalSubscription(in); got != want {
			t.Errorf("paypalSubscription(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTerminatedAt(t *testing.T) {
	at := func(s string) sql.NullTime { return sql.NullTime{Time: onDay(t, s), Valid: true} }
	zero := sql.NullTime{Valid: true}
	tests := []struct {
		name string
		h    hosting
		want string
	}{
		{"terminated", hosting{status: "Terminated", terminated: at("2025-06-11"), ended: zero}, "2025-06-11"},
		{"completed: its completion date", hosting{status: "Completed", terminated: zero, ended: at("2025-05-25")}, "2025-05-25"},
		{"cancelled without a date", hosting{status: "Cancelled", terminated: zero, ended: at("2025-05-25")}, ""},
		{"active", hosting{status: "Active", terminated: zero, ended: zero}, ""},
	}
	for _, tc := range tests {
		if got := terminatedAt(tc.h); !got.Equal(onDay(t, tc.want)) {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
	}
}
