package enhance

import (
	"context"
	"testing"

	"github.com/ezscale/ezscale/integrations/provisioning"
)

// The subscription's diskspace total (bytes) is the service's disk total.
func TestStatusReportsTheDiskTotal(t *testing.T) {
	_, d := setup(t)
	req := request("svc1", "cus1", "acme.example")
	c, err := d.Create(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	m, err := d.Status(context.Background(), []provisioning.Ref{refOf(req, c)})
	if err != nil {
		t.Fatal(err)
	}
	if st := m["svc1"]; st.DiskTotalMB != 10*1024 || st.MemoryTotalMB != 0 {
		t.Errorf("status = %+v, want a 10 GiB disk total and no memory total", st)
	}
}
