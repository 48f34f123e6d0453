package outbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// contentFields are what a message says and to whom.
var contentFields = []string{"channel", "recipient", "customer", "template", "subject", "body_text", "body_html", "attachments", "severity", "facts"}

// staffTransitions are the status changes staff make in the dashboard:
// send a failed or cancelled message again, or cancel one not yet sent.
var staffTransitions = map[[2]string]bool{
	{StatusFailed, StatusPending}:    true,
	{StatusCancelled, StatusPending}: true,
	{StatusPending, StatusCancelled}: true,
	{StatusFailed, StatusCancelled}:  true,
}

// StaffEdit checks a staff edit of a message (before → rec) and applies
// what a re-send means: due now, its attempts and last error kept for the
// record. The error is the reason to show. Delivery itself never goes
// through here: it writes its outcomes directly.
func StaffEdit(before, rec *core.Record, now time.Time) error {
	from, to := before.GetString("status"), rec.GetString("status")
	if from == StatusSending {
		return errors.New("This message is being sent right now; wait for the outcome before changing it.")
	}
	if from == StatusSent && changed(before, rec, contentFields...) {
		return errors.New("This message was sent; its content can no longer change.")
	}
	if from == to {
		return nil
	}
	if !staffTransitions[[2]string{from, to}] {
		return fmt.Errorf("A message cannot go from %s to %s: set a failed or cancelled message to pending to send it again, "+
			"or a pending or failed one to cancelled.", from, to)
	}
	if to == StatusPending {
		rec.Set("next_attempt_at", now)
	}
	return nil
}

func changed(a, b *core.Record, fields ...string) bool {
	for _, f := range fields {
		x, _ := json.Marshal(a.Get(f))
		y, _ := json.Marshal(b.Get(f))
		if string(x) != string(y) {
			return true
		}
	}
	return false
}
