package webhooks_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/webhooks"
	"github.com/ezscale/ezscale/integrations/gateway"
	"github.com/ezscale/ezscale/internal/testutil"
)

func TestSameEventFiftyTimesAtOnce(t *testing.T) {
	app := testutil.NewApp(t)
	var applied atomic.Int32
	handle := func(ctx context.Context, tx core.App, ev gateway.Event) (string, error) {
		applied.Add(1)
		return webhooks.StatusProcessed, nil
	}
	ev := gateway.Event{ID: "evt_1", Type: "payment_intent.succeeded", Payload: []byte(`{"id":"evt_1"}`)}
	var wg sync.WaitGroup
	var duplicates atomic.Int32
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := webhooks.Receive(app, "stripe", ev, handle)
			if err != nil {
				t.Error(err)
			}
			if out.Duplicate {
				duplicates.Add(1)
			}
		}()
	}
	wg.Wait()
	if applied.Load() != 1 || duplicates.Load() != 49 {
		t.Errorf("applied %d times, %d duplicates", applied.Load(), duplicates.Load())
	}
	if n, _ := app.CountRecords(webhooks.Collection); n != 1 {
		t.Errorf("%d stored events", n)
	}
}

func TestFailedEventIsKeptAndRerun(t *testing.T) {
	app := testutil.NewApp(t)
	broken := true
	var applied int
	handle := func(ctx context.Context, tx core.App, ev gateway.Event) (string, error) {
		// An effect written before the failure must roll back.
		testutil.Create(t, tx, "announcements", map[string]any{"title": "x", "slug": "effect-" + strings.ToLower(strings.ReplaceAll(ev.ID, "_", "-"))})
		if broken {
			return "", errors.New("invoice lookup failed")
		}
		applied++
		return webhooks.StatusProcessed, nil
	}
	ev := gateway.Event{ID: "evt_2", Type: "payment_intent.succeeded", Payload: []byte(`{}`)}
	out, err := webhooks.Receive(app, "stripe", ev, handle)
	if err == nil || out.Status != webhooks.StatusFailed || !out.Event.GetBool("flagged") || out.Event.GetString("error") == "" {
		t.Fatalf("failed event: %+v %v", out, err)
	}
	if n, _ := app.CountRecords("announcements"); n != 0 {
		t.Error("the failed processing left an effect behind")
	}
	// The gateway retrying the delivery sees a stored event and is answered.
	if again, err := webhooks.Receive(app, "stripe", ev, handle); err != nil || !again.Duplicate {
		t.Errorf("redelivery: %+v %v", again, err)
	}

	broken = false
	out, err = webhooks.Rerun(app, out.Event.Id, handle)
	if err != nil || out.Status != webhooks.StatusProcessed || applied != 1 {
		t.Fatalf("rerun: %+v %v", out, err)
	}
	if out, _ = webhooks.Rerun(app, out.Event.Id, handle); !out.Duplicate || applied != 1 {
		t.Error("a processed event was applied again")
	}
}

func TestUnmatchedEventsAreFlagged(t *testing.T) {
	app := testutil.NewApp(t)
	out, err := webhooks.Receive(app, "paypal", gateway.Event{ID: "WH-1", Type: "PAYMENT.CAPTURE.COMPLETED", Payload: []byte(`{}`)},
		func(context.Context, core.App, gateway.Event) (string, error) { return webhooks.StatusUnmatched, nil })
	if err != nil || !out.Event.GetBool("flagged") || out.Event.GetString("status") != webhooks.StatusUnmatched {
		t.Errorf("unmatched: %+v %v", out, err)
	}
}
