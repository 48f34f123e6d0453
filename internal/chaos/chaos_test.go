package chaos

import (
	"strings"
	"testing"
)

// The seeds make test runs: three seeds of thirty steps, each shrunk a
// little on failure so the report names a short step list.
func TestChaosSeeds(t *testing.T) {
	if testing.Short() {
		t.Skip("the simulation takes seconds")
	}
	var progress strings.Builder
	res, err := Run(Options{Seeds: 3, FirstSeed: 1, Steps: 30, Customers: 4, ShrinkRuns: 12, Progress: &progress})
	if err != nil {
		t.Fatalf("simulation: %v\n%s", err, progress.String())
	}
	t.Log(progress.String())
	for _, f := range res.Failures {
		var b strings.Builder
		f.Report(&b)
		t.Error(b.String())
	}
}

// A seed always gives the same steps, and different seeds different ones.
func TestGenerateIsDeterministic(t *testing.T) {
	a, b, c := Generate(42, 4, 50), Generate(42, 4, 50), Generate(43, 4, 50)
	if len(a) != 50 {
		t.Fatalf("%d steps, want 50", len(a))
	}
	same := func(x, y []Step) bool {
		for i := range x {
			if x[i].String() != y[i].String() {
				return false
			}
		}
		return true
	}
	if !same(a, b) {
		t.Error("the same seed gave different steps")
	}
	if same(a, c) {
		t.Error("seeds 42 and 43 gave the same steps")
	}
}
