package provisioning

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Linker is implemented by a platform whose servers another billing system
// (WHMCS) built: it finds the server an imported service already runs on,
// the way that system's module for the platform identifies it, so the
// service can be linked to it instead of provisioned again. Lookups only
// read the platform.
type Linker interface {
	// Link answers the platform ids of the service's server in the form
	// Create returns them, so Suspend, Status, Power and LoginURL then
	// reach it. ErrNotFound: no server; *AmbiguousError: several;
	// ErrNoLinkKey: the request lacks what the platform is searched by.
	Link(ctx context.Context, req LinkRequest) (Linked, error)
}

// ErrNoLinkKey: a service has nothing its platform can be searched by (no
// WHMCS id, client id or domain); the platform is not asked.
var ErrNoLinkKey = errors.New("nothing to find its server by")

// LinkRequest is what WHMCS knew of an imported service.
type LinkRequest struct {
	ServiceID      string // ours
	WHMCSServiceID string // tblhosting.id
	WHMCSClientID  string // tblclients.id
	// WHMCSServerID is the platform's server id a module recorded in its
	// own WHMCS table (VirtFusion's mod_virtfusion_direct), if any.
	WHMCSServerID string
	Hostname      string
	Domain        string
	IPs           []string
}

// Linked is the server found for a service.
type Linked struct {
	PlatformServiceID string
	PlatformUserID    string
	// How says how it was found, for the report (e.g. "external_id 1842").
	How string
}

// AmbiguousError: several servers match a service, so none is linked.
type AmbiguousError struct {
	Candidates []string // platform ids
	How        string
}

func (e *AmbiguousError) Error() string {
	return fmt.Sprintf("%d candidates by %s: %s", len(e.Candidates), e.How, strings.Join(e.Candidates, ", "))
}

// IsAmbiguous reports whether err is an *AmbiguousError.
func IsAmbiguous(err error) bool {
	var a *AmbiguousError
	return errors.As(err, &a)
}
