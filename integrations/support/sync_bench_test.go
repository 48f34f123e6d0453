package support_test

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/ezscale/ezscale/integrations/supportpal"
)

// BenchmarkSync mirrors 500 tickets changed since the last run, each with
// a new staff reply (so every thread is read and every customer mailed):
// the worst case of one run, through the real client over HTTP.
func BenchmarkSync(b *testing.B) {
	const tickets = 500
	for b.Loop() {
		b.StopTimer()
		e := newSyncEnv(b)
		uid, err := e.desk.UserFor(context.Background(), e.customer)
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; i < tickets; i++ {
			if _, err := e.api.CreateTicket(context.Background(), supportpal.NewTicket{User: uid, Department: 1, Status: 1,
				Priority: 2, Subject: "ticket", Text: "<p>help</p>"}); err != nil {
				b.Fatal(err)
			}
		}
		e.sync(b)
		for _, t := range e.sim.Tickets() {
			e.sim.AddStaffReply(t.ID, "<p>done</p>")
		}
		e.clock.add(time.Minute)
		b.StartTimer()
		res, err := e.desk.Sync(context.Background(), io.Discard)
		if err != nil || res.Written != tickets {
			b.Fatalf("sync: %+v %v", res, err)
		}
	}
	b.ReportMetric(tickets, "tickets/op")
}
