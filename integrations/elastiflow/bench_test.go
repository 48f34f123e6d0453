package elastiflow

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/ezscale/ezscale/integrations/elastiflow/elastiflowsim"
)

var benchData struct {
	once sync.Once
	ds   *Dataset
	sim  *elastiflowsim.Simulator
}

// BenchmarkUsage: one Usage call for 5,000 services over 2,000,000 flow
// records (a month), for an hour window and for the month. It reports the
// requests sent, the simulator's own evaluation time and the rest (client,
// HTTP, JSON) per call; the month result is checked against the generator.
func BenchmarkUsage(b *testing.B) {
	benchData.once.Do(func() {
		start := time.Now()
		benchData.ds = Generate(GenConfig{Services: 5000, Flows: 2_000_000, From: june1, To: june(31, 0), Seed: 42})
		benchData.sim = elastiflowsim.New("")
		benchData.sim.Add(benchData.ds.Flows...)
		b.Logf("generated and loaded %d records for %d services in %v", benchData.sim.Len(), len(benchData.ds.Services), time.Since(start))
	})
	ds, sim := benchData.ds, benchData.sim
	url, stop := sim.Start()
	defer stop()
	c, err := New(Config{URL: url})
	if err != nil {
		b.Fatal(err)
	}
	windows := []struct {
		name     string
		from, to time.Time
	}{
		{"hour", june(15, 10), june(15, 11)},
		{"month", june1, june(31, 0)},
	}
	for _, w := range windows {
		b.Run(w.name, func(b *testing.B) {
			var st Stats
			var got []DayUsage
			evalBefore := sim.EvalTime()
			start := time.Now()
			for b.Loop() {
				got, st, err = c.Usage(context.Background(), ds.Services, w.from, w.to)
				if err != nil {
					b.Fatal(err)
				}
			}
			wall := time.Since(start) / time.Duration(b.N)
			eval := (sim.EvalTime() - evalBefore) / time.Duration(b.N)
			b.ReportMetric(float64(st.Requests), "requests/op")
			b.ReportMetric(float64(eval.Milliseconds()), "sim-ms/op")
			b.ReportMetric(float64((wall - eval).Milliseconds()), "client-ms/op")
			b.StopTimer()
			want := ds.Expected(w.from, w.to, false)
			if len(got) != len(want) {
				b.Fatalf("%d rows, want %d", len(got), len(want))
			}
			for i := range got {
				if got[i] != want[i] {
					b.Fatalf("row %d: %+v, want %+v", i, got[i], want[i])
				}
			}
			b.Logf("%s: %d requests (page %d services), %d rows, wall %v, simulator %v, client %v",
				w.name, st.Requests, DefaultPageSize, len(got), wall, eval, wall-eval)
		})
	}
}
