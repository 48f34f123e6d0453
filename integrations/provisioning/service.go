package provisioning

import (
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// ServicesCollection holds the services customers run.
const ServicesCollection = "services"

// ServiceStatus is where a service stands in its life (services.status).
type ServiceStatus string

// Service statuses.
const (
	// ServicePending: ordered, waiting for its first invoice to be paid.
	ServicePending ServiceStatus = "pending"
	// ServiceProvisioning: paid, the create job is queued or running.
	ServiceProvisioning ServiceStatus = "provisioning"
	ServiceActive       ServiceStatus = "active"
	ServiceSuspended    ServiceStatus = "suspended"
	ServiceTerminated   ServiceStatus = "terminated"
	// ServiceCancelled: never provisioned, its order withdrawn.
	ServiceCancelled ServiceStatus = "cancelled"
	// ServiceFailed: the platform refused to create it; staff look into it.
	ServiceFailed ServiceStatus = "failed"
)

// followed reports whether the status sync and power watches follow a
// service in this status: it has a server that runs.
func (st ServiceStatus) followed() bool {
	return st == ServiceActive || st == ServiceSuspended
}

// SuspendReason says why a service is suspended, and so who may lift it:
// paying ends an overdue suspension, never a staff or abuse one.
type SuspendReason string

// Suspension reasons.
const (
	SuspendOverdue SuspendReason = "overdue"
	SuspendStaff   SuspendReason = "staff"
	SuspendAbuse   SuspendReason = "abuse"
)

// PowerState is what a service's server is doing (services.power_state).
type PowerState string

// Power states. A platform's other answers (suspended, provisioning) are
// unknown as a power state.
const (
	PowerOnline  PowerState = "online"
	PowerOffline PowerState = "offline"
	PowerUnknown PowerState = "unknown"
	// Transitional: shown while a power action is carried out.
	PowerStarting   PowerState = "starting"
	PowerStopping   PowerState = "stopping"
	PowerRestarting PowerState = "restarting"
)

// Service is a typed view of a services record.
type Service struct {
	core.BaseRecordProxy
}

// AsService wraps a services record.
func AsService(rec *core.Record) *Service {
	s := &Service{}
	s.SetProxyRecord(rec)
	return s
}

// FindService loads a service by id.
func FindService(app core.App, id string) (*Service, error) {
	rec, err := app.FindRecordById(ServicesCollection, id)
	if err != nil {
		return nil, err
	}
	return AsService(rec), nil
}

func (s *Service) Status() ServiceStatus            { return ServiceStatus(s.GetString("status")) }
func (s *Service) SetStatus(st ServiceStatus)       { s.Set("status", string(st)) }
func (s *Service) SuspendReason() SuspendReason     { return SuspendReason(s.GetString("suspend_reason")) }
func (s *Service) SetSuspendReason(r SuspendReason) { s.Set("suspend_reason", string(r)) }
func (s *Service) PowerState() PowerState           { return PowerState(s.GetString("power_state")) }
func (s *Service) SetPowerState(p PowerState)       { s.Set("power_state", string(p)) }
func (s *Service) CustomerID() string               { return s.GetString("customer") }
func (s *Service) SubscriptionID() string           { return s.GetString("subscription") }
func (s *Service) PlanID() string                   { return s.GetString("plan") }
func (s *Service) PaymentMethodID() string          { return s.GetString("payment_method") }
func (s *Service) Label() string                    { return s.GetString("label") }
func (s *Service) ServiceType() string              { return s.GetString("service_type") }
func (s *Service) Platform() string                 { return s.GetString("platform") }
func (s *Service) Hostname() string                 { return s.GetString("hostname") }
func (s *Service) Domain() string                   { return s.GetString("domain") }
func (s *Service) ServerAddress() string            { return s.GetString("server_address") }
func (s *Service) PlatformServiceID() string        { return s.GetString("platform_service_id") }
func (s *Service) PlatformUserID() string           { return s.GetString("platform_user_id") }
func (s *Service) TerminateExempt() bool            { return s.GetBool("terminate_exempt") }
func (s *Service) Reinstalling() bool               { return s.GetBool("reinstalling") }
func (s *Service) ActivatedAt() types.DateTime      { return s.GetDateTime("activated_at") }
func (s *Service) SuspendedAt() types.DateTime      { return s.GetDateTime("suspended_at") }
func (s *Service) TerminatedAt() types.DateTime     { return s.GetDateTime("terminated_at") }
func (s *Service) SetLabel(l string)                { s.Set("label", l) }
func (s *Service) SetPaymentMethodID(id string)     { s.Set("payment_method", id) }
func (s *Service) Credentials() string              { return s.GetString("credentials") }
func (s *Service) SetPlanID(id string)              { s.Set("plan", id) }
func (s *Service) DiskUsedMB() int64                { return s.GetInt64("disk_used_mb") }
func (s *Service) SetCustomerID(id string)          { s.Set("customer", id) }
func (s *Service) SetSubscriptionID(id string)      { s.Set("subscription", id) }
func (s *Service) SetServiceType(t string)          { s.Set("service_type", t) }
func (s *Service) SetPlatform(p string)             { s.Set("platform", p) }
func (s *Service) SetHostname(h string)             { s.Set("hostname", h) }
func (s *Service) SetDomain(d string)               { s.Set("domain", d) }
func (s *Service) SetOptions(o map[string]string)   { s.Set("options", o) }
func (s *Service) SetSuspendedAt(t time.Time)       { s.Set("suspended_at", t) }
func (s *Service) SetPlatformServiceID(id string)   { s.Set("platform_service_id", id) }
func (s *Service) SetPlatformUserID(id string)      { s.Set("platform_user_id", id) }
func (s *Service) SetIPAddresses(ips []string)      { s.Set("ip_addresses", ips) }
func (s *Service) SetServerAddress(a string)        { s.Set("server_address", a) }
func (s *Service) SetCredentials(sealed string)     { s.Set("credentials", sealed) }
func (s *Service) SetActivatedAt(t time.Time)       { s.Set("activated_at", t) }
func (s *Service) SetTerminatedAt(t time.Time)      { s.Set("terminated_at", t) }
func (s *Service) SetReinstalling(on bool)          { s.Set("reinstalling", on) }
func (s *Service) CPUPercent() float64              { return s.GetFloat("cpu_percent") }
func (s *Service) MemoryUsedMB() int64              { return s.GetInt64("memory_used_mb") }
func (s *Service) MemoryTotalMB() int64             { return s.GetInt64("memory_total_mb") }
func (s *Service) DiskTotalMB() int64               { return s.GetInt64("disk_total_mb") }
func (s *Service) UsageUpdatedAt() types.DateTime   { return s.GetDateTime("usage_updated_at") }
func (s *Service) SetCPUPercent(p float64)          { s.Set("cpu_percent", p) }
func (s *Service) SetMemoryUsedMB(mb int64)         { s.Set("memory_used_mb", mb) }
func (s *Service) SetDiskUsedMB(mb int64)           { s.Set("disk_used_mb", mb) }
func (s *Service) SetUsageUpdatedAt(t time.Time)    { s.Set("usage_updated_at", t) }

// Ref names the service on its platform.
func (s *Service) Ref() Ref {
	return Ref{ServiceID: s.Id, PlatformServiceID: s.PlatformServiceID(), PlatformUserID: s.PlatformUserID()}
}
