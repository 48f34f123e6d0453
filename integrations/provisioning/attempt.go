package provisioning

import (
	"context"
	"sync"
)

// Attempt is which try of its job a driver call is. A driver may fall back
// to a harsher means on the last one, when waiting longer cannot help
// (Pterodactyl's force delete while a node stays down).
type Attempt struct {
	N, Max int
}

// Last reports whether no retry follows this attempt.
func (a Attempt) Last() bool { return a.Max > 0 && a.N >= a.Max }

type attemptKey struct{}

// WithAttempt tells the driver calls under ctx which attempt they are.
func WithAttempt(ctx context.Context, a Attempt) context.Context {
	return context.WithValue(ctx, attemptKey{}, a)
}

// AttemptOf is the attempt WithAttempt set; a call outside the queue (a
// test, a command) is a single attempt that is not the last.
func AttemptOf(ctx context.Context) Attempt {
	a, _ := ctx.Value(attemptKey{}).(Attempt)
	return a
}

// staffNotes collects what drivers want staff told about a call that
// succeeded, so the queue alerts staff in the transaction that records it.
type staffNotes struct {
	mu    sync.Mutex
	notes []string
}

type notesKey struct{}

// withStaffNotes gives the driver calls under ctx somewhere to leave notes.
func withStaffNotes(ctx context.Context) (context.Context, *staffNotes) {
	n := &staffNotes{}
	return context.WithValue(ctx, notesKey{}, n), n
}

// TellStaff leaves a note for staff about this call: something done that
// needs a person's eye (a server removed from the panel while its node was
// unreachable). Outside the queue it is dropped.
func TellStaff(ctx context.Context, note string) {
	if n, ok := ctx.Value(notesKey{}).(*staffNotes); ok {
		n.mu.Lock()
		n.notes = append(n.notes, note)
		n.mu.Unlock()
	}
}

func (n *staffNotes) list() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.notes...)
}
