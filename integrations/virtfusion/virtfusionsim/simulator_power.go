package virtfusionsim

import "time"

// simPower is a power action the hypervisor is carrying out: VirtFusion
// queues it, and until it completes (after the simulator's PowerDelay) a
// shutdown or restart shows libvirt's "shutdown" (being shut down) and a
// boot or power-off the state before it.
type simPower struct {
	action string
	done   time.Time
}

// beginPower queues action on sv; without a delay it completes at once.
// Runs with s.mu held.
func (s *Simulator) beginPower(sv *simServer, action string) {
	if s.powers == nil {
		s.powers = map[int]simPower{}
	}
	s.powers[sv.ID] = simPower{action: action, done: time.Now().Add(s.PowerDelay)}
	sv.LastPower = action
	s.settlePower(sv)
}

// settlePower completes sv's power action once its time has come and
// returns the hypervisor state to report. Runs with s.mu held.
func (s *Simulator) settlePower(sv *simServer) string {
	if p, ok := s.powers[sv.ID]; ok {
		if time.Now().Before(p.done) {
			if p.action == "shutdown" || p.action == "restart" {
				return "shutdown"
			}
		} else {
			sv.Running = p.action == "boot" || p.action == "restart"
			delete(s.powers, sv.ID)
		}
	}
	if sv.Running {
		return "running"
	}
	return "shutoff"
}
