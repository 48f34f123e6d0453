package clock_test

import (
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/clock"
	"github.com/ezscale/ezscale/internal/testutil"
)

func TestClockIsTheAppsInTransactionsToo(t *testing.T) {
	app := testutil.NewApp(t)
	if d := time.Since(clock.Now(app)); d < 0 || d > time.Minute {
		t.Fatalf("unset clock is %v away from the wall clock", d)
	}
	at := time.Date(2030, 5, 1, 12, 0, 0, 0, time.FixedZone("CEST", 7200))
	clock.Set(app, func() time.Time { return at })
	if got := clock.Now(app); !got.Equal(at) || got.Location() != time.UTC {
		t.Fatalf("Now = %v, want %v in UTC", got, at)
	}
	err := app.RunInTransaction(func(tx core.App) error {
		if got := clock.Now(tx); !got.Equal(at) {
			t.Errorf("in a transaction Now = %v, want %v", got, at)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	clock.Set(app, nil)
	if d := time.Since(clock.Now(app)); d < 0 || d > time.Minute {
		t.Fatalf("reset clock is %v away from the wall clock", d)
	}
}
