package bench

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/billing/orders"
	"github.com/ezscale/ezscale/billing/payments"
	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/integrations/virtfusion"
	"github.com/ezscale/ezscale/integrations/virtfusion/virtfusionsim"
	"github.com/ezscale/ezscale/internal/secrets"
)

// ProvisioningOptions of the queue benchmark.
type ProvisioningOptions struct {
	Orders  int
	Latency time.Duration // added to every VirtFusion simulator answer
	Workers int
}

// ProvisioningResult is what the benchmark measured.
type ProvisioningResult struct {
	Elapsed       time.Duration // from the payments to every service active
	Active        int
	Servers       int // servers the simulator holds: must equal Orders
	RunTwice      int // jobs that ran more than once: must be 0
	PlatformCalls int
}

// Provisioning places and pays opts.Orders VPS orders at once, then times
// the worker pool provisioning them on the VirtFusion simulator.
func Provisioning(app core.App, opts ProvisioningOptions, out io.Writer) (ProvisioningResult, error) {
	var res ProvisioningResult
	sim := virtfusionsim.New("bench-token")
	sim.SetLatency(opts.Latency)
	url, stop := sim.Start()
	defer stop()
	driver, err := virtfusion.New(virtfusion.Config{URL: url, Token: "bench-token"})
	if err != nil {
		return res, err
	}

	ctx := context.Background()
	price, err := benchPrice(app)
	if err != nil {
		return res, err
	}
	customers, err := benchCustomers(app, opts.Orders/10+1)
	if err != nil {
		return res, err
	}
	fmt.Fprintf(out, "placing and paying %d orders\n", opts.Orders)
	for i := 0; i < opts.Orders; i++ {
		c := customers[i%len(customers)]
		r, err := orders.Place(ctx, app, c, orders.Request{PlanPrice: price.Id,
			Options: map[string]string{"hostname": fmt.Sprintf("vps%d.bench.test", i), "os": "debian-12"}}, orders.By{}, time.Now().UTC())
		if err != nil {
			return res, err
		}
		err = app.RunInTransaction(func(tx core.App) error {
			_, _, err := payments.ApplyCharge(ctx, tx, payments.Charge{InvoiceID: r.Invoice.Id, Gateway: payments.GatewaySandbox,
				GatewayID: "bench_" + r.Invoice.Id, Amount: money.Amount{Minor: r.Invoice.AmountDue(), Currency: r.Invoice.Currency()}})
			return err
		})
		if err != nil {
			return res, err
		}
	}

	box, _ := secrets.New([]byte("0123456789abcdef0123456789abcdef"))
	w := &provisioning.Worker{App: app, Drivers: map[string]provisioning.Provisioner{"virtfusion": driver}, Box: box, Workers: opts.Workers}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	started := time.Now()
	go w.Run(runCtx)
	for {
		active, err := app.CountRecords("services", dbx.HashExp{"status": "active"})
		if err != nil {
			return res, err
		}
		fmt.Fprintf(out, "%6.1fs  %d/%d active\n", time.Since(started).Seconds(), active, opts.Orders)
		if int(active) >= opts.Orders {
			res.Active = int(active)
			break
		}
		if time.Since(started) > 10*time.Minute {
			return res, fmt.Errorf("only %d of %d services active after 10 minutes", active, opts.Orders)
		}
		time.Sleep(time.Second)
	}
	res.Elapsed = time.Since(started)
	cancel()
	res.Servers = sim.Servers()
	var twice struct {
		N int `db:"n"`
	}
	err = app.DB().NewQuery("SELECT COUNT(*) AS n FROM provisioning_jobs WHERE attempts > 1").One(&twice)
	res.RunTwice = twice.N
	res.PlatformCalls = len(sim.Requests())
	return res, err
}

// benchPrice is a VPS plan on VirtFusion and its monthly price.
func benchPrice(app core.App) (*core.Record, error) {
	planCol, err := app.FindCollectionByNameOrId("plans")
	if err != nil {
		return nil, err
	}
	plan := core.NewRecord(planCol)
	plan.Load(map[string]any{"name": "Bench VPS", "slug": fmt.Sprintf("bench-vps-%d", time.Now().UnixNano()), "service_type": "vps",
		"platform": "virtfusion", "status": "active", "order_options": map[string]any{"hostname": true, "os": []string{"debian-12"}},
		"platform_config": map[string]any{"package_id": 1, "hypervisor_group_id": 1, "ipv4": 1, "os_templates": map[string]int{"debian-12": 1}}})
	if err := app.Save(plan); err != nil {
		return nil, err
	}
	priceCol, err := app.FindCollectionByNameOrId("plan_prices")
	if err != nil {
		return nil, err
	}
	price := core.NewRecord(priceCol)
	price.Load(map[string]any{"plan": plan.Id, "currency": "USD", "cycle": "monthly", "amount": 1000, "active": true})
	return price, app.Save(price)
}

// benchCustomers makes n verified customers with one password hash (bcrypt is slow by design).
func benchCustomers(app core.App, n int) ([]*core.Record, error) {
	col, err := app.FindCollectionByNameOrId("customers")
	if err != nil {
		return nil, err
	}
	probe := core.NewRecord(col)
	probe.SetPassword("bench-password-1234")
	hash := probe.GetString("password:hash")
	out := make([]*core.Record, n)
	for i := range out {
		c := core.NewRecord(col)
		c.SetEmail(fmt.Sprintf("prov%05d-%d@bench.ezscale.test", i, time.Now().UnixNano()))
		c.SetRaw("password", hash)
		c.RefreshTokenKey()
		c.SetVerified(true)
		c.Load(map[string]any{"name": "Bench", "currency": "USD", "country": "US", "status": "active"})
		// The hash is set raw, which validation would refuse as a password.
		if err := app.SaveNoValidate(c); err != nil {
			return nil, err
		}
		out[i] = c
	}
	return out, nil
}
