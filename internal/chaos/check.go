package chaos

import (
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledgercheck"
)

// Violation is a broken rule: the ledger check's, or the simulation's own
// oracle's (rules named "oracle: …").
type Violation struct {
	Rule, Collection, RecordID, Message string
}

// ledgerCheck runs billing/ledgercheck at the fake clock, so its rules that
// compare with the present see the simulation's present.
func ledgerCheck(app core.App, now time.Time) ([]Violation, error) {
	rep, err := ledgercheck.RunAt(app, now)
	if err != nil {
		return nil, err
	}
	out := make([]Violation, 0, len(rep.Violations))
	for _, v := range rep.Violations {
		out = append(out, Violation{Rule: v.Rule, Collection: v.Collection, RecordID: v.RecordID, Message: v.Message})
	}
	return out, nil
}
