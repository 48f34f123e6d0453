package synergycp

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/ezscale/ezscale/integrations/provisioning"
)

// Plan config (a plan's platform_config) for SynergyCP:
//
//	{
//	  "hardware": {"cpu": "E3-1270v6", "ram_gb": 32, "disks": ["1TB-SSD", "1TB-SSD"]},
//	  "location_id": "LOC-LA1",          // IP group billing id (string or integer)
//	  "ips_billing": "IP-29",            // optional: IP allocation billing id
//	  "port_speed_billing": "speed-1000",// optional
//	  "max_bandwidth": "20000GB",        // optional, empty = unmetered
//	  "default_os": "os-debian12",       // optional: PXE profile billing id when the customer chose none
//	  "locations": [{"name": "Los Angeles", "id": "LOC-LA1"}, …] // optional: the customer chooses one
//	}
//
// Hardware maps to SynergyCP's part billing ids: cpu → cpu_billing,
// ram_gb → mem_billing "mem-<ram_gb>", disks → disks_billing[i],
// location_id → ip_group_billing[0]. The customer's options["os"] is the
// PXE profile billing id of the install. With locations (ids are IP group
// billing ids, SynergyCP's locations), options["location"] picks the IP
// group instead and location_id may be left out.
type plan struct {
	CPU          string
	RAMGB        int64
	Disks        []string
	Location     string
	Locations    []provisioning.Location
	IPsBilling   string
	PortSpeed    string
	MaxBandwidth string
	DefaultOS    string
}

var optionalStringKeys = []string{"ips_billing", "port_speed_billing", "max_bandwidth", "default_os"}

func parsePlan(config map[string]any) (plan, error) {
	var p plan
	if config == nil {
		return p, fmt.Errorf("synergycp: config is empty; need hardware and location_id")
	}
	known := map[string]bool{"hardware": true, "location_id": true, "locations": true}
	for _, k := range optionalStringKeys {
		known[k] = true
	}
	var unknown []string
	for k := range config {
		if !known[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return p, fmt.Errorf("synergycp: unknown config key(s): %s", strings.Join(unknown, ", "))
	}

	hwRaw, ok := config["hardware"]
	if !ok {
		return p, fmt.Errorf("synergycp: config.hardware is required")
	}
	hw, ok := hwRaw.(map[string]any)
	if !ok {
		return p, fmt.Errorf("synergycp: config.hardware must be an object, got %T", hwRaw)
	}
	cpu, ok := hw["cpu"].(string)
	if !ok || strings.TrimSpace(cpu) == "" {
		return p, fmt.Errorf("synergycp: config.hardware.cpu must be a non-empty string (CPU billing id)")
	}
	p.CPU = strings.TrimSpace(cpu)
	ram, ok := toInt(hw["ram_gb"])
	if !ok || ram <= 0 {
		return p, fmt.Errorf("synergycp: config.hardware.ram_gb must be a positive integer")
	}
	p.RAMGB = ram
	disks, ok := toStrings(hw["disks"])
	if !ok || len(disks) == 0 {
		return p, fmt.Errorf("synergycp: config.hardware.disks must be a non-empty list of disk billing ids")
	}
	p.Disks = disks
	for k := range hw {
		if k != "cpu" && k != "ram_gb" && k != "disks" {
			return p, fmt.Errorf("synergycp: unknown config.hardware key %q", k)
		}
	}

	switch v := config["location_id"].(type) {
	case string:
		p.Location = strings.TrimSpace(v)
	case nil:
	default:
		if n, ok := toInt(v); ok {
			p.Location = strconv.FormatInt(n, 10)
		} else {
			return p, fmt.Errorf("synergycp: config.location_id must be a string or integer, got %T", v)
		}
	}
	locs, err := provisioning.ParseLocations(config)
	if err != nil {
		return p, fmt.Errorf("synergycp: config.%v", err)
	}
	p.Locations = locs
	if p.Location == "" && len(locs) == 0 {
		return p, fmt.Errorf("synergycp: config.location_id is required (IP group billing id)")
	}

	for _, k := range optionalStringKeys {
		v, present := config[k]
		if !present || v == nil {
			continue
		}
		s, ok := v.(string)
		if !ok {
			return p, fmt.Errorf("synergycp: config.%s must be a string, got %T", k, v)
		}
		s = strings.TrimSpace(s)
		switch k {
		case "ips_billing":
			p.IPsBilling = s
		case "port_speed_billing":
			p.PortSpeed = s
		case "max_bandwidth":
			p.MaxBandwidth = s
		case "default_os":
			p.DefaultOS = s
		}
	}
	return p, nil
}

func (p plan) memBilling() string { return "mem-" + strconv.FormatInt(p.RAMGB, 10) }

func (p plan) describe() string {
	return fmt.Sprintf("cpu=%s ram=%dGB disks=[%s] location=%s", p.CPU, p.RAMGB, strings.Join(p.Disks, ","), p.Location)
}

func toInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int32:
		return int64(n), true
	case int64:
		return n, true
	case float64:
		if n != math.Trunc(n) || math.IsInf(n, 0) || math.IsNaN(n) {
			return 0, false
		}
		return int64(n), true
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	}
	return 0, false
}

func toStrings(v any) ([]string, bool) {
	switch l := v.(type) {
	case []string:
		out := make([]string, 0, len(l))
		for _, s := range l {
			if strings.TrimSpace(s) == "" {
				return nil, false
			}
			out = append(out, strings.TrimSpace(s))
		}
		return out, true
	case []any:
		out := make([]string, 0, len(l))
		for _, e := range l {
			s, ok := e.(string)
			if !ok || strings.TrimSpace(s) == "" {
				return nil, false
			}
			out = append(out, strings.TrimSpace(s))
		}
		return out, true
	}
	return nil, false
}
