package outbox

import (
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	for _, tc := range []struct {
		attempts int
		want     time.Duration
	}{
		{1, time.Minute}, {2, 2 * time.Minute}, {3, 4 * time.Minute}, {9, 256 * time.Minute}, {10, 6 * time.Hour}, {60, 6 * time.Hour},
	} {
		if got := backoff(tc.attempts, time.Minute, 6*time.Hour); got != tc.want {
			t.Errorf("after %d attempts: %v, want %v", tc.attempts, got, tc.want)
		}
	}
}
