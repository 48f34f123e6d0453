package jobs

import (
	"context"
	"time"

	"github.com/go-co-op/gocron/v2"

	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/internal/config"
	"github.com/ezscale/ezscale/internal/secrets"
)

// startProvisioning runs the provisioning workers in the background and
// the status sync every five minutes.
func (s *scheduler) startProvisioning(ctx context.Context, cfg *config.Config, platforms map[string]provisioning.Provisioner) error {
	if len(platforms) == 0 {
		return nil
	}
	box, err := secrets.New(cfg.EncryptionKey)
	if err != nil {
		return err
	}
	w := &provisioning.Worker{App: s.app, Drivers: platforms, Box: box, Workers: cfg.ProvisioningWorkers}
	go w.Run(ctx)
	syncer := &provisioning.Syncer{App: s.app, Drivers: platforms}
	_, err = s.cron.NewJob(gocron.DurationJob(5*time.Minute), gocron.NewTask(func() error {
		res, err := syncer.Run(ctx)
		if err != nil {
			s.app.Logger().Error("status sync failed", "error", err)
			return err
		}
		s.app.Logger().Debug("status sync", "checked", res.Checked, "changed", res.Changed, "unreachable", res.Unreachable)
		return nil
	}), gocron.WithName("status-sync"), gocron.WithSingletonMode(gocron.LimitModeReschedule))
	return err
}
