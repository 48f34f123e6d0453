package chaos

// shrink looks for a shorter step list that still breaks f's rule: delta
// debugging (drop halves, then quarters, … then single steps, keeping any
// list that still fails), then the same within each step's batch of
// actions. A run is concurrent, so a candidate counts as failing if one of
// two replays breaks the rule. At most budget replays are spent.
func shrink(f *Failure, customers, budget int) error {
	fails := func(steps []Step) (outcome, bool, error) {
		for try := 0; try < 2 && budget > 0; try++ {
			budget--
			out, err := simulate(f.Seed, customers, steps)
			if err != nil {
				return outcome{}, false, err
			}
			for _, v := range out.violations {
				if v.Rule == f.Rule {
					return out, true, nil
				}
			}
		}
		return outcome{}, false, nil
	}
	accept := func(steps []Step, out outcome) {
		f.Steps, f.Violations, f.AtStep = steps, out.violations, out.at
		if out.at < len(steps) {
			f.Steps = steps[:out.at+1]
		}
	}
	for n := 2; budget > 0 && len(f.Steps) > 1; {
		chunk := (len(f.Steps) + n - 1) / n
		reduced := false
		for start := 0; start < len(f.Steps) && budget > 0; start += chunk {
			end := min(start+chunk, len(f.Steps))
			candidate := append(append([]Step(nil), f.Steps[:start]...), f.Steps[end:]...)
			if len(candidate) == 0 {
				continue
			}
			out, ok, err := fails(candidate)
			if err != nil {
				return err
			}
			if ok {
				accept(candidate, out)
				reduced = true
				break
			}
		}
		switch {
		case reduced:
			n = max(n-1, 2)
		case chunk == 1:
			n = len(f.Steps) + 1 // single steps tried: done with steps
		default:
			n = min(n*2, len(f.Steps))
		}
		if n > len(f.Steps) {
			break
		}
	}
	// Then drop actions from the steps that run several at once.
	for i := 0; i < len(f.Steps) && budget > 0; i++ {
		for j := 0; len(f.Steps[i].Actions) > 1 && j < len(f.Steps[i].Actions) && budget > 0; {
			candidate := append([]Step(nil), f.Steps...)
			acts := append([]Action(nil), f.Steps[i].Actions[:j]...)
			candidate[i] = Step{Actions: append(acts, f.Steps[i].Actions[j+1:]...)}
			out, ok, err := fails(candidate)
			if err != nil {
				return err
			}
			if ok {
				accept(candidate, out)
				continue
			}
			j++
		}
	}
	return nil
}
