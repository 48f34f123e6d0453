package bench_test

import (
	"io"
	"testing"
	"time"

	"github.com/ezscale/ezscale/internal/bench"
	"github.com/ezscale/ezscale/internal/testutil"
)

// A small run of the provisioning benchmark: every paid order is built
// once, and no job runs twice.
func TestProvisioningBenchmarkBuildsEachOnce(t *testing.T) {
	app := testutil.NewApp(t)
	res, err := bench.Provisioning(app, bench.ProvisioningOptions{Orders: 30, Latency: 2 * time.Millisecond, Workers: 4}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if res.Active != 30 || res.Servers != 30 || res.RunTwice != 0 {
		t.Errorf("%+v", res)
	}
}
