package provisioning

import (
	"context"
	"errors"
	"time"
)

// Provisioner is one hosting platform. Every call is idempotent: Create
// first looks for a server or account already tied to our service id (the
// platform's external id field), so a retry after a timeout never builds a
// second one.
type Provisioner interface {
	Name() string
	// ValidateConfig checks a plan's platform config when staff save the
	// plan, so a bad config is caught then and not when a customer pays.
	ValidateConfig(config map[string]any) error
	Create(ctx context.Context, req CreateRequest) (Created, error)
	Suspend(ctx context.Context, ref Ref) error
	Unsuspend(ctx context.Context, ref Ref) error
	Terminate(ctx context.Context, ref Ref) error
	ChangePlan(ctx context.Context, ref Ref, config map[string]any) error
	Status(ctx context.Context, refs []Ref) (map[string]Status, error)
	Power(ctx context.Context, ref Ref, action string) error
	// LoginURL is a single sign-on link into the platform's panel, or
	// ErrNotSupported.
	LoginURL(ctx context.Context, ref Ref) (string, error)
}

// Customer is who a service belongs to, as a platform account is created
// once per customer and reused.
type Customer struct {
	ID, Email, Name string
	// PlatformUserID is the account created before on this platform, if any.
	PlatformUserID string
}

// CreateRequest builds a service.
type CreateRequest struct {
	ServiceID string // our id: the platform's external id, so a retry finds it
	Customer  Customer
	Config    map[string]any    // the plan's platform_config
	Options   map[string]string // what the customer chose: hostname, os, game, domain, location
	Password  string            // generated, for platforms that take one
	// SSHKeys are the saved keys the customer chose at order that still
	// exist, for platforms that install keys (the others ignore them).
	SSHKeys []SSHKey
	// ServerID is the inventory server staff assigned to an order that
	// found no matching hardware (HardwarePicker); empty, the driver
	// matches one itself.
	ServerID string
}

// Created is what a create returns: ids to keep, addresses, and secrets
// the platform generated (stored encrypted).
type Created struct {
	PlatformServiceID string
	PlatformUserID    string
	IPs               []string
	Hostname          string
	Credentials       map[string]string
	// Address is where clients connect when it is more than an IP: a game
	// server's host:port.
	Address string
}

// Ref names a service on its platform.
type Ref struct {
	ServiceID         string // ours
	PlatformServiceID string
	PlatformUserID    string
}

// Status is a service's live state and usage.
type Status struct {
	State        string // online, offline, starting, stopping, restarting, suspended, provisioning, unknown
	IPs          []string
	CPUPercent   float64
	MemoryUsedMB int64
	DiskUsedMB   int64
	BandwidthB   int64
	CheckedAt    time.Time
	// Totals the platform reports (0: not reported, or unlimited), so a
	// reading is shown against what the service has.
	MemoryTotalMB int64
	DiskTotalMB   int64
	CPUCores      int64
	// Address is the platform's current host:port, as in Created.
	Address string
}

// Power actions.
const (
	PowerStart   = "start"
	PowerStop    = "stop"
	PowerRestart = "restart"
	PowerKill    = "kill"
)

// Errors drivers return, so the queue knows whether to retry.
var (
	// ErrNotSupported: the platform has no such operation.
	ErrNotSupported = errors.New("not supported by this platform")
	// ErrNotFound: the service is not on the platform (404).
	ErrNotFound = errors.New("not found on the platform")
)

// Error is a platform's answer the queue acts on: Permanent errors (401,
// 403, 422: configuration or input) fail a job at once; others retry,
// honouring RetryAfter (429).
type Error struct {
	Status     int
	Permanent  bool
	RetryAfter time.Duration
	Message    string
}

func (e *Error) Error() string { return e.Message }
