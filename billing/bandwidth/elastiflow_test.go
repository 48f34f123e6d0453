package bandwidth_test

import (
	"fmt"
	"net/http"
	"sort"
	"testing"
	"time"

	"github.com/ezscale/ezscale/billing/bandwidth"
	"github.com/ezscale/ezscale/integrations/elastiflow"
	"github.com/ezscale/ezscale/integrations/elastiflow/elastiflowsim"
	"github.com/ezscale/ezscale/internal/clock"
)

// TestRunAgainstElasticsearch runs the bandwidth job through the real
// ElastiFlow client against the Elasticsearch simulator, over generated
// flow records (sampled exporters, IPv6, traffic between our services, late
// records), and checks every stored day against the generator's own
// totals; then Elasticsearch goes down and nothing changes.
func TestRunAgainstElasticsearch(t *testing.T) {
	w := newWorld(t)
	from := time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC) // the period's first day counts whole
	now := from.AddDate(0, 0, 7)
	ds := elastiflow.Generate(elastiflow.GenConfig{Services: 12, Flows: 4000, Late: 400, From: from, To: now, Seed: 7})

	// Our services, given the generated services' addresses before the
	// period began.
	clock.Set(w.app, func() time.Time { return from.Add(-time.Hour) })
	ids := map[string]string{} // generator's service id → ours
	for i, g := range ds.Services {
		svc := w.service(t, fmt.Sprintf("gen%02d", i), 100, 150, false)
		svc.Set("ip_addresses", g.IPs)
		if err := w.app.Save(svc); err != nil {
			t.Fatal(err)
		}
		ids[g.ID] = svc.Id
	}

	sim := elastiflowsim.New("test-key")
	sim.Add(ds.Flows...)
	url, stop := sim.Start()
	defer stop()
	client, err := elastiflow.New(elastiflow.Config{URL: url, APIKey: "test-key", PageSize: 5, MaxRetries: 1})
	if err != nil {
		t.Fatal(err)
	}

	check := func(label string, withLate bool) {
		t.Helper()
		want := map[string][]string{}
		for _, u := range ds.Expected(from, now, withLate) {
			id := ids[u.ServiceID]
			want[id] = append(want[id], fmt.Sprintf("%s=%d/%d", u.Day, u.BytesIn, u.BytesOut))
		}
		for _, id := range ids {
			got := w.daily(t, id)
			sort.Strings(want[id])
			if fmt.Sprint(got) != fmt.Sprint(want[id]) {
				t.Errorf("%s: service %s days\n got %v\nwant %v", label, id, got, want[id])
			}
		}
	}

	res := w.run(t, client, now)
	addresses := 0
	for _, g := range ds.Services {
		addresses += len(g.IPs)
	}
	// The run asks about addresses (their days go to whoever held them).
	if want := (addresses + 4) / 5; res.Source.Requests != want {
		t.Errorf("%d search requests for %d addresses at 5 per page, want %d", res.Source.Requests, addresses, want)
	}
	check("first run", false)
	w.run(t, client, now)
	check("same run again", false)

	sim.Add(ds.Late...)
	w.run(t, client, now)
	check("after late records", true)

	// Elasticsearch down: the run fails and stored numbers stay as they were.
	before := map[string][]string{}
	for _, id := range ids {
		before[id] = w.daily(t, id)
	}
	sim.FailNext(10, http.StatusServiceUnavailable, 0)
	if _, err := bandwidth.Run(ctx, w.app, client, bandwidth.Options{Now: now.Add(time.Hour)}); err == nil {
		t.Fatal("a run with Elasticsearch down succeeded")
	}
	for _, id := range ids {
		if fmt.Sprint(w.daily(t, id)) != fmt.Sprint(before[id]) {
			t.Errorf("service %s changed while Elasticsearch was down", id)
		}
	}
}
