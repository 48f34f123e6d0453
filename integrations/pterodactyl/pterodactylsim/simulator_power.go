package pterodactylsim

import "time"

// simPower carries out power signals the way Wings does: the server passes
// through starting or stopping and reaches running or offline after the
// simulator's PowerDelay (kill is at once). Runs with the simulator's mutex
// held.
type simPower struct {
	pending map[int]*simPowerSteps // by server id
}

// simPowerSteps are the states a server takes, each from its time.
type simPowerSteps struct {
	states []string
	at     []time.Time
}

// begin starts signal on sv; without a delay it completes at once.
func (p *simPower) begin(sv *Server, signal string, delay time.Duration) {
	now := time.Now()
	steps := &simPowerSteps{}
	add := func(state string, after time.Duration) {
		steps.states = append(steps.states, state)
		steps.at = append(steps.at, now.Add(after))
	}
	switch signal {
	case "start":
		add("starting", 0)
		add("running", delay)
	case "stop":
		add("stopping", 0)
		add("offline", delay)
	case "restart":
		add("stopping", 0)
		add("starting", delay/2)
		add("running", delay)
	case "kill":
		add("offline", 0)
	}
	if p.pending == nil {
		p.pending = map[int]*simPowerSteps{}
	}
	p.pending[sv.ID] = steps
	p.settle(sv)
}

// settle moves sv to the state its power action has reached by now.
func (p *simPower) settle(sv *Server) {
	steps := p.pending[sv.ID]
	if steps == nil {
		return
	}
	now := time.Now()
	for i, at := range steps.at {
		if at.After(now) {
			break
		}
		if steps.states[i] == "running" && sv.State != "running" {
			sv.Started = at
		}
		sv.State = steps.states[i]
		if i == len(steps.at)-1 {
			delete(p.pending, sv.ID)
		}
	}
}
