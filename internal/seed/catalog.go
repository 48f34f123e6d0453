package seed

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
)

// demoPlan is one plan of the demo catalog with its monthly prices; the
// quarterly and annual prices are derived with the usual discounts.
type demoPlan struct {
	Name, Slug, ServiceType, Platform string
	Description                       string
	BandwidthGB                       int
	Monthly                           map[string]int64 // minor units per currency
	SetupFee                          int64
	OveragePerGB                      int64
	Features                          []map[string]string
	OrderOptions                      map[string]any
	PlatformConfig                    map[string]any
	TrackStock, AllowWaitlist         bool
	Stock                             int
}

// demoCycles are the cycles the demo catalog sells, with the number of
// months and the discount in percent against paying monthly.
var demoCycles = []struct {
	cycle    string
	months   int64
	discount int64
}{
	{"monthly", 1, 0},
	{"quarterly", 3, 5},
	{"annual", 12, 15},
}

var demoCatalog = []demoPlan{
	{
		Name: "VPS Start", Slug: "vps-start", ServiceType: "vps", Platform: "virtfusion",
		Description: "2 vCPU, 4 GB RAM, 80 GB NVMe", BandwidthGB: 2000,
		Monthly:      map[string]int64{"USD": 1200, "EUR": 1100, "GBP": 950},
		OveragePerGB: 1,
		Features:     features("vCPU", "2", "RAM", "4 GB", "Disk", "80 GB NVMe", "Traffic", "2 TB"),
		OrderOptions: map[string]any{"hostname": true, "os": []string{"debian-12", "ubuntu-24.04", "almalinux-9"}},
		PlatformConfig: map[string]any{"package_id": 1, "hypervisor_group_id": 1, "ipv4": 1,
			"os_templates": map[string]int{"debian-12": 1, "ubuntu-24.04": 2, "almalinux-9": 3}},
	},
	{
		Name: "VPS Pro", Slug: "vps-pro", ServiceType: "vps", Platform: "virtfusion",
		Description: "6 vCPU, 16 GB RAM, 320 GB NVMe", BandwidthGB: 8000,
		Monthly:      map[string]int64{"USD": 4000, "EUR": 3700, "GBP": 3200},
		OveragePerGB: 1,
		Features:     features("vCPU", "6", "RAM", "16 GB", "Disk", "320 GB NVMe", "Traffic", "8 TB"),
		OrderOptions: map[string]any{"hostname": true, "os": []string{"debian-12", "ubuntu-24.04", "almalinux-9"}},
		PlatformConfig: map[string]any{"package_id": 2, "hypervisor_group_id": 1, "ipv4": 1,
			"os_templates": map[string]int{"debian-12": 1, "ubuntu-24.04": 2, "almalinux-9": 3}},
	},
	{
		Name: "Dedicated E3-1270v6", Slug: "dedicated-e3-1270v6", ServiceType: "dedicated", Platform: "synergycp",
		Description: "Xeon E3-1270 v6, 32 GB ECC, 2 × 1 TB SSD, 1 Gbit/s", BandwidthGB: 30000,
		Monthly:  map[string]int64{"USD": 9900, "EUR": 9200, "GBP": 7900},
		SetupFee: 4900, OveragePerGB: 1,
		Features:     features("CPU", "Xeon E3-1270 v6", "RAM", "32 GB ECC", "Disk", "2 × 1 TB SSD", "Port", "1 Gbit/s"),
		OrderOptions: map[string]any{"hostname": true, "os": []string{"debian-12", "ubuntu-24.04", "proxmox-8"}},
		PlatformConfig: map[string]any{"hardware": map[string]any{"cpu": "E3-1270v6", "ram_gb": 32, "disks": []string{"1TB-SSD", "1TB-SSD"}},
			"location_id": "LOC-LA1"},
		TrackStock: true, AllowWaitlist: true, Stock: 2,
	},
	{
		Name: "Web Hosting Starter", Slug: "web-starter", ServiceType: "hosting", Platform: "enhance",
		Description: "10 websites, 50 GB SSD, free SSL", BandwidthGB: 0,
		Monthly:        map[string]int64{"USD": 500, "EUR": 450, "GBP": 400},
		Features:       features("Websites", "10", "Storage", "50 GB SSD", "SSL", "Free", "Traffic", "Unmetered"),
		OrderOptions:   map[string]any{"domain": true},
		PlatformConfig: map[string]any{"plan_id": 1},
	},
	{
		Name: "Minecraft 8 GB", Slug: "minecraft-8gb", ServiceType: "game_server", Platform: "pterodactyl",
		Description: "8 GB RAM, 4 threads, 50 GB NVMe", BandwidthGB: 0,
		Monthly:      map[string]int64{"USD": 1600, "EUR": 1500, "GBP": 1300},
		Features:     features("RAM", "8 GB", "CPU", "4 threads", "Disk", "50 GB NVMe", "Slots", "Unlimited"),
		OrderOptions: map[string]any{"game": []string{"paper", "vanilla", "forge"}},
		PlatformConfig: map[string]any{"location_id": 1, "nest_id": 1, "eggs": map[string]int{"paper": 5, "vanilla": 5, "forge": 5},
			"limits":         map[string]int{"memory": 8192, "swap": 0, "disk": 51200, "io": 500, "cpu": 400},
			"feature_limits": map[string]int{"databases": 2, "backups": 3, "allocations": 1}},
	},
}

// DemoCatalog creates the demo plans and their prices in USD, EUR and GBP,
// monthly, quarterly and annually.
func DemoCatalog(app core.App) error {
	plans, err := app.FindCollectionByNameOrId("plans")
	if err != nil {
		return err
	}
	prices, err := app.FindCollectionByNameOrId("plan_prices")
	if err != nil {
		return err
	}
	for i, p := range demoCatalog {
		plan := core.NewRecord(plans)
		plan.Load(map[string]any{
			"name": p.Name, "slug": p.Slug, "service_type": p.ServiceType, "platform": p.Platform,
			"status": "active", "description": p.Description, "features": p.Features,
			"order_options": p.OrderOptions, "platform_config": p.PlatformConfig,
			"bandwidth_quota_gb": p.BandwidthGB, "track_stock": p.TrackStock, "stock": p.Stock,
			"allow_waitlist": p.AllowWaitlist, "sort_order": i,
		})
		if err := app.Save(plan); err != nil {
			return fmt.Errorf("plan %s: %w", p.Slug, err)
		}
		for currency, monthly := range p.Monthly {
			for _, c := range demoCycles {
				price := core.NewRecord(prices)
				price.Load(map[string]any{
					"plan": plan.Id, "currency": currency, "cycle": c.cycle, "active": true,
					"amount":         monthly * c.months * (100 - c.discount) / 100,
					"setup_fee":      p.SetupFee,
					"overage_per_gb": p.OveragePerGB,
				})
				if err := app.Save(price); err != nil {
					return fmt.Errorf("plan %s %s %s: %w", p.Slug, currency, c.cycle, err)
				}
			}
		}
	}
	return nil
}

func features(pairs ...string) []map[string]string {
	out := make([]map[string]string, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, map[string]string{"label": pairs[i], "value": pairs[i+1]})
	}
	return out
}
