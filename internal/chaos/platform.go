package chaos

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"

	"github.com/ezscale/ezscale/integrations/provisioning"
)

// Platform faults a step arms on the fake platform.
const (
	FaultNone = iota
	FaultFail // the call fails and does nothing
	FaultLose // the call does its work, then the answer is lost
)

// fakePlatform is a hosting platform that builds, suspends and terminates
// servers in memory, failing or losing answers when a step says so. Create
// is idempotent by our service id, as the real drivers are.
type fakePlatform struct {
	mu      sync.Mutex
	rng     *rand.Rand
	failPct int // percent of calls that fail
	losePct int // percent of calls that lose their answer
	servers map[string]*fakeServer
}

type fakeServer struct {
	Suspended, Terminated bool
	Config                map[string]any
}

func newFakePlatform(seed uint64) *fakePlatform {
	return &fakePlatform{rng: rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)), servers: map[string]*fakeServer{}}
}

var _ provisioning.Provisioner = (*fakePlatform)(nil)

func (p *fakePlatform) Name() string                                          { return "virtfusion" }
func (p *fakePlatform) ValidateConfig(map[string]any) error                   { return nil }
func (p *fakePlatform) Power(context.Context, provisioning.Ref, string) error { return nil }
func (p *fakePlatform) LoginURL(context.Context, provisioning.Ref) (string, error) {
	return "", provisioning.ErrNotSupported
}

func (p *fakePlatform) setFaults(failPct, losePct int) {
	p.mu.Lock()
	p.failPct, p.losePct = failPct, losePct
	p.mu.Unlock()
}

// do runs change under the platform's faults: a failure changes nothing,
// a lost answer changes it and still reports an error.
func (p *fakePlatform) do(change func()) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	roll := p.rng.IntN(100)
	if roll < p.failPct {
		return errors.New("chaos platform: 503 service unavailable")
	}
	change()
	if roll < p.failPct+p.losePct {
		return errors.New("chaos platform: answer lost (timeout)")
	}
	return nil
}

func (p *fakePlatform) Create(_ context.Context, req provisioning.CreateRequest) (provisioning.Created, error) {
	err := p.do(func() {
		if _, ok := p.servers[req.ServiceID]; !ok {
			p.servers[req.ServiceID] = &fakeServer{Config: req.Config}
		}
	})
	if err != nil {
		return provisioning.Created{}, err
	}
	return provisioning.Created{PlatformServiceID: "plat-" + req.ServiceID, PlatformUserID: "user-" + req.Customer.ID,
		IPs: []string{"192.0.2.10"}, Credentials: map[string]string{"password": "chaos"}}, nil
}

func (p *fakePlatform) server(ref provisioning.Ref, change func(*fakeServer)) error {
	return p.do(func() {
		if s, ok := p.servers[ref.ServiceID]; ok {
			change(s)
		}
	})
}

func (p *fakePlatform) Suspend(_ context.Context, ref provisioning.Ref) error {
	return p.server(ref, func(s *fakeServer) { s.Suspended = true })
}

func (p *fakePlatform) Unsuspend(_ context.Context, ref provisioning.Ref) error {
	return p.server(ref, func(s *fakeServer) { s.Suspended = false })
}

func (p *fakePlatform) Terminate(_ context.Context, ref provisioning.Ref) error {
	return p.server(ref, func(s *fakeServer) { s.Terminated = true })
}

func (p *fakePlatform) ChangePlan(_ context.Context, ref provisioning.Ref, config map[string]any) error {
	return p.server(ref, func(s *fakeServer) { s.Config = config })
}

func (p *fakePlatform) Status(_ context.Context, refs []provisioning.Ref) (map[string]provisioning.Status, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[string]provisioning.Status{}
	for _, r := range refs {
		state := "unknown"
		if s, ok := p.servers[r.ServiceID]; ok {
			state = "online"
			if s.Suspended {
				state = "suspended"
			}
		}
		out[r.ServiceID] = provisioning.Status{State: state}
	}
	return out, nil
}

// live lists the services the platform runs (built, not terminated, not
// suspended), for the oracle.
func (p *fakePlatform) live() map[string]bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[string]bool{}
	for id, s := range p.servers {
		if !s.Terminated && !s.Suspended {
			out[id] = true
		}
	}
	return out
}
