package bandwidth

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/internal/clock"
)

// AddressesCollection is each service's address history: which service
// held which address from when until when. Addresses move between
// services (a terminated server's address goes to a new customer), so a
// day's traffic on an address is billed to the service that held it then.
const AddressesCollection = "service_addresses"

// releasedStatuses are the service states that hold no address any more.
var releasedStatuses = []provisioning.ServiceStatus{provisioning.ServiceTerminated, provisioning.ServiceCancelled}

// Bind keeps the address history in step with the services: when a
// service is created, or its ip_addresses or status change, the addresses
// it no longer holds are closed and the new ones opened, in the same write
// as the service. Registered by hooks.Register beside the ledger's rules.
func Bind(app core.App) {
	app.OnRecordCreateExecute(provisioning.ServicesCollection).BindFunc(func(e *core.RecordEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		// Written with its addresses already (imported, typed in by
		// staff): held since activation, or since before anything is
		// measured when that is unknown (an empty from).
		return SyncAddresses(e.App, e.Record, provisioning.AsService(e.Record).ActivatedAt().Time())
	})
	app.OnRecordUpdateExecute(provisioning.ServicesCollection).BindFunc(func(e *core.RecordEvent) error {
		old := e.Record.Original()
		changed := provisioning.AsService(old).Status() != provisioning.AsService(e.Record).Status() ||
			!slices.Equal(Addresses(old.Get("ip_addresses")), Addresses(e.Record.Get("ip_addresses")))
		if err := e.Next(); err != nil || !changed {
			return err
		}
		return SyncAddresses(e.App, e.Record, clock.Now(e.App))
	})
}

// SyncAddresses makes svc's open address holdings what it holds now: its
// ip_addresses unless it is terminated or cancelled. A holding it no
// longer has ends at `at`; a new one starts then (a zero `at` only when
// the service is created: since before anything is measured).
func SyncAddresses(app core.App, svc *core.Record, at time.Time) error {
	var held []string
	if !slices.Contains(releasedStatuses, provisioning.AsService(svc).Status()) {
		held = Addresses(svc.Get("ip_addresses"))
	}
	open, err := app.FindAllRecords(AddressesCollection, dbx.HashExp{"service": svc.Id, "to": ""})
	if err != nil {
		return fmt.Errorf("address history of service %s: %w", svc.Id, err)
	}
	for _, h := range open {
		if slices.Contains(held, h.GetString("address")) {
			held = slices.DeleteFunc(held, func(a string) bool { return a == h.GetString("address") })
			continue
		}
		h.Set("to", at)
		if err := app.Save(h); err != nil {
			return fmt.Errorf("closing address %s of service %s: %w", h.GetString("address"), svc.Id, err)
		}
	}
	if len(held) == 0 {
		return nil
	}
	col, err := app.FindCachedCollectionByNameOrId(AddressesCollection)
	if err != nil {
		return err
	}
	for _, a := range held {
		h := core.NewRecord(col)
		h.Set("service", svc.Id)
		h.Set("address", a)
		h.Set("from", at)
		if err := app.Save(h); err != nil {
			return fmt.Errorf("opening address %s of service %s: %w", a, svc.Id, err)
		}
	}
	return nil
}

// Addresses is a service's ip_addresses in Elasticsearch's canonical form
// (IPv6 compressed and lower case, IPv4-mapped as IPv4), each once, sorted;
// what does not parse as an address is left out (the field's own
// validation is the place to refuse it).
func Addresses(raw any) []string {
	var list []string
	switch v := raw.(type) {
	case []string:
		list = v
	case []any:
		for _, x := range v {
			if s, ok := x.(string); ok {
				list = append(list, s)
			}
		}
	default:
		var b []byte
		switch v := v.(type) {
		case []byte:
			b = v
		case string:
			b = []byte(v)
		case json.RawMessage:
			b = v
		default:
			b, _ = json.Marshal(v)
		}
		_ = json.Unmarshal(b, &list)
	}
	var out []string
	for _, s := range list {
		if a, err := netip.ParseAddr(s); err == nil {
			out = append(out, a.Unmap().WithZone("").String())
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
