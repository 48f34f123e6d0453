package pterodactyl

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/ezscale/ezscale/integrations/provisioning"
)

// Terminate deletes the server. A server already gone returns
// provisioning.ErrNotFound, which the queue treats as done. The panel user
// is kept: it may own other services.
//
// The panel deletes a server on its node (Wings) first and keeps it when
// the node does not answer, so while a node is down a delete fails however
// often it is tried. Those failures are retried like any outage; on the
// job's last attempt the server is force-deleted (the panel drops its
// record whatever the node says) and staff are told, since the node may
// still hold the server's files and container.
func (d *Driver) Terminate(ctx context.Context, ref provisioning.Ref) error {
	s, err := d.resolve(ctx, ref)
	if err != nil {
		return err
	}
	err = d.c.do(ctx, http.MethodDelete, "application", fmt.Sprintf("/servers/%d", s.ID), nil, nil)
	var pe *provisioning.Error
	if err == nil || !errors.As(err, &pe) || !nodeFailure(pe) {
		return err
	}
	attempt := provisioning.AttemptOf(ctx)
	if !attempt.Last() {
		// Even a node answering 4xx is the node's trouble, not ours:
		// retry rather than fail the job before the force delete.
		return &provisioning.Error{Status: pe.Status, RetryAfter: pe.RetryAfter,
			Message: pe.Message + " (the node did not delete it; the last attempt force-deletes it)"}
	}
	err = d.c.do(ctx, http.MethodDelete, "application", fmt.Sprintf("/servers/%d/force", s.ID), nil, nil)
	if err != nil {
		return err // gone meanwhile (ErrNotFound) is done, with nothing to tell
	}
	provisioning.TellStaff(ctx, fmt.Sprintf("Pterodactyl server %d (%s) was force-deleted from the panel after %d attempts: "+
		"its node did not delete it (%s). The node may still hold its files and container; remove them there.",
		s.ID, s.Identifier, attempt.N, pe.Message))
	return nil
}

// nodeFailure reports whether the panel failed because of the server's
// node: its DaemonConnectionException (no answer from Wings is a 504, a
// Wings error keeps Wings' status).
func nodeFailure(pe *provisioning.Error) bool {
	return strings.Contains(pe.Message, "(DaemonConnectionException)")
}
