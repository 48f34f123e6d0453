package provisioning

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// ActionReinstall wipes a service's server and installs the operating
// system (or game) the customer chose, with a new root password.
const ActionReinstall Action = "reinstall"

// Reinstaller is implemented by a platform that can reinstall a server in
// place: VirtFusion rebuilds, SynergyCP reloads the OS over PXE,
// Pterodactyl reinstalls (after changing the egg for another game).
type Reinstaller interface {
	// ReinstallChoices lists what the customer may install on the
	// service's server; config is its plan's platform_config.
	ReinstallChoices(ctx context.Context, ref Ref, config map[string]any) ([]ReinstallChoice, error)
	// Reinstall asks the platform to reinstall. A retry after a lost
	// answer must leave the server as one call would (the password the
	// request carries is the same on every attempt of a job).
	Reinstall(ctx context.Context, ref Ref, req ReinstallRequest) (Reinstalled, error)
}

// ReinstallChoice is one operating system or game a server can be
// reinstalled with. ID is the platform's (template, profile or egg id).
type ReinstallChoice struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Group   string `json:"group,omitempty"`
	Current bool   `json:"current"`
}

// ReinstallRequest is what to install.
type ReinstallRequest struct {
	Choice   string         // a ReinstallChoice.ID
	Config   map[string]any // the plan's platform_config
	Password string         // the new root password, for platforms that take one
	// SSHKeys are the saved keys the customer chose for the new install,
	// for platforms that install keys (the others ignore them).
	SSHKeys []SSHKey
}

// Reinstalled is the platform's answer.
type Reinstalled struct {
	// Option is what the service's options now say was installed: the
	// plan's name for it (os_templates / eggs key) when it has one, else
	// the platform's.
	Option string
	// Credentials replace the same keys of the stored credentials (a new
	// root password); other keys are kept.
	Credentials map[string]string
}

// ErrReinstallBusy: a reinstall of the service is already queued or running.
var ErrReinstallBusy = errors.New("a reinstall of this service is already under way")

// ReinstallQueued reports whether a reinstall job of the service waits or
// runs: its server is being wiped, so nothing else may act on it.
func ReinstallQueued(app core.App, serviceID string) bool {
	_, err := app.FindFirstRecordByFilter(Collection, "service = {:s} && action = {:a} && (status = 'pending' || status = 'running')",
		dbx.Params{"s": serviceID, "a": string(ActionReinstall)})
	return err == nil
}

// RequestReinstall queues the reinstall of a service with choice (one of
// its ReinstallChoices) and the ids of the customer's saved SSH keys to
// install, and marks the service reinstalling, in one transaction;
// ErrReinstallBusy when one is under way already.
func RequestReinstall(ctx context.Context, app core.App, svc *core.Record, choice ReinstallChoice, sshKeys []string, requestedBy string) (*core.Record, error) {
	var job *core.Record
	err := app.RunInTransaction(func(tx core.App) error {
		if ReinstallQueued(tx, svc.Id) {
			return ErrReinstallBusy
		}
		current, err := FindService(tx, svc.Id)
		if err != nil {
			return err
		}
		keys := sshKeys
		if keys == nil {
			keys = []string{}
		}
		job, err = Enqueue(ctx, tx, Job{ServiceID: svc.Id, Action: ActionReinstall, RequestedBy: requestedBy,
			Payload: map[string]any{"choice": choice.ID, "choice_name": choice.Name, "ssh_keys": keys}})
		if err != nil {
			return err
		}
		current.SetReinstalling(true)
		return tx.SaveWithContext(ctx, current)
	})
	return job, err
}

// reinstallPayload is a reinstall job's payload.
type reinstallPayload struct {
	Choice     string   `json:"choice"`
	ChoiceName string   `json:"choice_name"`
	SSHKeys    []string `json:"ssh_keys"` // ids of the customer's saved keys
	// Password is the new root password, sealed, chosen on the job's first
	// attempt and reused by its retries, so a retry after a lost answer
	// installs with the password the first one did.
	Password string `json:"password_sealed,omitempty"`
}

// reinstall runs a reinstall job: the platform call, then the new
// credentials and installed option on the service, which stops showing
// as reinstalling. A job that will not be tried again clears the flag too.
func (w *Worker) reinstall(ctx, actx context.Context, driver Provisioner, svc *Service, job *QueuedJob, ref Ref, notes *staffNotes) (err error) {
	defer func() {
		var pe *Error
		if err != nil && (errors.As(err, &pe) && pe.Permanent || job.Attempts() >= job.MaxAttempts()) {
			w.setReinstalling(actx, svc.Id, false)
		}
	}()
	r, ok := driver.(Reinstaller)
	if !ok {
		return &Error{Permanent: true, Message: svc.Platform() + " has no reinstall"}
	}
	var p reinstallPayload
	if err := job.UnmarshalJSONField("payload", &p); err != nil || strings.TrimSpace(p.Choice) == "" {
		return &Error{Permanent: true, Message: "reinstall job without a choice"}
	}
	plan, err := w.App.FindRecordById("plans", svc.PlanID())
	if err != nil {
		return &Error{Permanent: true, Message: "plan of service " + svc.Id + " not found"}
	}
	password, err := w.reinstallPassword(actx, job, &p)
	if err != nil {
		return err
	}
	// Staff may set a failed reinstall back to pending: it shows again.
	if !svc.Reinstalling() {
		w.setReinstalling(actx, svc.Id, true)
	}
	keys, err := LoadSSHKeys(w.App, svc.CustomerID(), p.SSHKeys)
	if err != nil {
		return err
	}
	done, err := r.Reinstall(ctx, ref, ReinstallRequest{Choice: p.Choice, Config: jsonMap(plan, "platform_config"), Password: password, SSHKeys: keys})
	if errors.Is(err, ErrNotFound) {
		return &Error{Permanent: true, Status: 404, Message: "reinstall: the server is not on " + svc.Platform() + ": " + err.Error()}
	}
	if err != nil {
		return err
	}
	sealed, err := w.mergeCredentials(svc, done.Credentials)
	if err != nil {
		return err
	}
	job.SetResponse(map[string]any{"choice": p.Choice, "installed": done.Option})
	return w.App.RunInTransaction(func(tx core.App) error {
		current, err := FindService(tx, svc.Id)
		if err != nil {
			return err
		}
		if sealed != "" {
			current.SetCredentials(sealed)
		}
		if done.Option != "" {
			options := map[string]any{}
			_ = current.UnmarshalJSONField("options", &options)
			options[optionKey(current)] = done.Option
			current.Set("options", options)
		}
		current.SetReinstalling(false)
		if err := tx.SaveWithContext(actx, current); err != nil {
			return err
		}
		return tellStaff(actx, tx, job, current, notes)
	})
}

// reinstallPassword is the job's root password: made and sealed into the
// payload on the first attempt, read back on a retry.
func (w *Worker) reinstallPassword(actx context.Context, job *QueuedJob, p *reinstallPayload) (string, error) {
	if w.Box == nil {
		return NewPassword(), nil
	}
	if p.Password != "" {
		creds, err := w.Box.Open(p.Password)
		if err == nil && creds["password"] != "" {
			return creds["password"], nil
		}
	}
	password := NewPassword()
	sealed, err := w.Box.Seal(map[string]string{"password": password})
	if err != nil {
		return "", err
	}
	p.Password = sealed
	job.SetPayload(p)
	if err := w.App.SaveWithContext(actx, job); err != nil {
		return "", fmt.Errorf("keep the reinstall password on job %s: %w", job.Id, err)
	}
	return password, nil
}

// mergeCredentials seals the service's credentials with the new values.
func (w *Worker) mergeCredentials(svc *Service, fresh map[string]string) (string, error) {
	if len(fresh) == 0 || w.Box == nil {
		return "", nil
	}
	creds := map[string]string{}
	if old := svc.Credentials(); old != "" {
		if opened, err := w.Box.Open(old); err == nil {
			creds = opened
		}
	}
	for k, v := range fresh {
		creds[k] = v
	}
	return w.Box.Seal(creds)
}

func (w *Worker) setReinstalling(actx context.Context, serviceID string, on bool) {
	current, err := FindService(w.App, serviceID)
	if err != nil || current.Reinstalling() == on {
		return
	}
	current.SetReinstalling(on)
	if err := w.App.SaveWithContext(actx, current); err != nil {
		w.App.Logger().Error("provisioning: mark a service reinstalling", "service", serviceID, "reinstalling", on, "error", err)
	}
}

// optionKey is the option a service's install is recorded under.
func optionKey(svc *Service) string {
	if svc.ServiceType() == "game_server" {
		return "game"
	}
	return "os"
}
