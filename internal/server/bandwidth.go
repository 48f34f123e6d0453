package server

import (
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/bandwidth"
	"github.com/ezscale/ezscale/integrations/elastiflow"
	"github.com/ezscale/ezscale/internal/config"
)

// storeDevBandwidth keeps dev mode's traffic source on the app, where Setup
// puts it, for the commands that run the bandwidth job after Setup.
const storeDevBandwidth = "ezscale.devBandwidth"

// BandwidthSource is where the bandwidth run reads traffic: dev mode's
// stand-in when Setup started one, else the configured Elasticsearch
// cluster (ElastiFlow), else nothing (nil: accounting off).
func BandwidthSource(app core.App, cfg *config.Config) (bandwidth.Source, error) {
	if dev, ok := app.Store().Get(storeDevBandwidth).(bandwidth.Source); ok {
		return dev, nil
	}
	client, err := elastiflow.FromConfig(cfg.Elastiflow)
	if err != nil || client == nil {
		return nil, err
	}
	return client, nil
}
