package server

import (
	"github.com/ezscale/ezscale/billing/bandwidth"
	"github.com/ezscale/ezscale/integrations/elastiflow"
	"github.com/ezscale/ezscale/internal/config"
)

// BandwidthSource is where the bandwidth run reads traffic: the configured
// Elasticsearch cluster (ElastiFlow), else in dev mode the Elasticsearch
// simulator fed with made-up traffic, else nothing (nil: accounting off).
// stop releases what it started.
func BandwidthSource(cfg *config.Config) (src bandwidth.Source, stop func(), err error) {
	client, err := elastiflow.FromConfig(cfg.Elastiflow)
	switch {
	case err != nil:
		return nil, nil, err
	case client != nil:
		return client, func() {}, nil
	case cfg.Dev:
		dev, err := elastiflow.NewDevSource()
		if err != nil {
			return nil, nil, err
		}
		return dev, dev.Close, nil
	}
	return nil, func() {}, nil
}
