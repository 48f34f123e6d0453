package provisioning

import "context"

// Manual is the platform of hardware staff set up by hand: every action is
// a task for staff. The job fails at once with a message saying so, which
// alerts staff; they do the work, fill the service's fields and set its
// status in the dashboard.
type Manual struct{}

var _ Provisioner = Manual{}

func (Manual) Name() string { return "manual" }

func (Manual) ValidateConfig(map[string]any) error { return nil }

func (Manual) task(what string) error {
	return &Error{Permanent: true, Message: "manual platform: staff must " + what + " this service by hand, then update it in the dashboard"}
}

func (m Manual) Create(context.Context, CreateRequest) (Created, error) {
	return Created{}, m.task("set up")
}
func (m Manual) Suspend(context.Context, Ref) error   { return m.task("suspend") }
func (m Manual) Unsuspend(context.Context, Ref) error { return m.task("unsuspend") }
func (m Manual) Terminate(context.Context, Ref) error { return m.task("terminate") }
func (m Manual) ChangePlan(context.Context, Ref, map[string]any) error {
	return m.task("change the plan of")
}
func (Manual) Status(context.Context, []Ref) (map[string]Status, error) { return nil, nil }
func (Manual) Power(context.Context, Ref, string) error                 { return ErrNotSupported }
func (Manual) LoginURL(context.Context, Ref) (string, error)            { return "", ErrNotSupported }
