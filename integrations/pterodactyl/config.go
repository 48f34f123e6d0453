package pterodactyl

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/ezscale/ezscale/integrations/provisioning"
)

// planConfig is a plan's platform_config, parsed.
//
//	{
//	  "location_id": 1, "nest_id": 1,
//	  "eggs": {"minecraft": 5, "rust": 6},
//	  "limits": {"memory": 4096, "swap": 0, "disk": 20480, "io": 500, "cpu": 200},
//	  "feature_limits": {"databases": 1, "backups": 3, "allocations": 1},
//	  "docker_image": "...", "startup": "...", "environment": {"KEY": "value"},
//	  "port_range": ["25565-25600"]
//	}
//
// docker_image, startup, environment and port_range are optional; by default
// the egg's image, startup and variable defaults are used. options["game"]
// picks the egg (optional when eggs has exactly one entry).
//
// On Pelican there are no nests (no nest_id), location_id is optional and
// "node_tags": ["fra"] picks the nodes (any node when absent).
//
// "locations": [{"name": "Frankfurt", "id": 1}, …] lets the customer choose
// where the server is deployed (deploy.locations); location_id may then be
// left out.
type planConfig struct {
	LocationID    int
	Locations     []provisioning.Location
	NestID        int
	NodeTags      []string
	Eggs          map[string]int
	Limits        limits
	FeatureLimits featureLimits
	DockerImage   string
	Startup       string
	Environment   map[string]string
	PortRange     []string
}

type limits struct {
	Memory int `json:"memory"`
	Swap   int `json:"swap"`
	Disk   int `json:"disk"`
	IO     int `json:"io"`
	CPU    int `json:"cpu"`
}

type featureLimits struct {
	Databases   int `json:"databases"`
	Backups     int `json:"backups"`
	Allocations int `json:"allocations"`
}

// configKeys are the keys a plan's config may have on each flavour.
var configKeys = map[string][]string{
	FlavorPterodactyl: {"location_id", "locations", "nest_id", "eggs", "limits", "feature_limits", "docker_image", "startup", "environment", "port_range"},
	FlavorPelican:     {"location_id", "locations", "node_tags", "eggs", "limits", "feature_limits", "docker_image", "startup", "environment", "port_range"},
}

// toInt accepts JSON numbers (float64), Go ints, json.Number and numeric
// strings, as long as the value is a whole number.
func toInt(v any) (int, bool) {
	switch x := v.(type) {
	case int:
		return x, true
	case int32:
		return int(x), true
	case int64:
		return int(x), true
	case float64:
		if x != math.Trunc(x) || math.IsInf(x, 0) || x > math.MaxInt32 || x < math.MinInt32 {
			return 0, false
		}
		return int(x), true
	case json.Number:
		n, err := strconv.Atoi(string(x))
		return n, err == nil
	case string:
		n, err := strconv.Atoi(strings.TrimSpace(x))
		return n, err == nil
	}
	return 0, false
}

// intField reads m[key] as a whole number in [min, max].
func intField(m map[string]any, prefix, key string, min, max int, required bool, dst *int) error {
	v, ok := m[key]
	if !ok || v == nil {
		if required {
			return fmt.Errorf("%s%s is required", prefix, key)
		}
		return nil
	}
	n, ok := toInt(v)
	if !ok {
		return fmt.Errorf("%s%s must be a whole number, got %v", prefix, key, v)
	}
	if n < min || n > max {
		return fmt.Errorf("%s%s must be between %d and %d, got %d", prefix, key, min, max, n)
	}
	*dst = n
	return nil
}

func objField(m map[string]any, key string) (map[string]any, error) {
	v, ok := m[key]
	if !ok || v == nil {
		return nil, fmt.Errorf("%s is required", key)
	}
	o, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s must be an object", key)
	}
	return o, nil
}

func unknownKeys(m map[string]any, prefix string, allowed ...string) error {
	ok := map[string]bool{}
	for _, a := range allowed {
		ok[a] = true
	}
	var bad []string
	for k := range m {
		if !ok[k] {
			bad = append(bad, prefix+k)
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return fmt.Errorf("unknown key(s): %s", strings.Join(bad, ", "))
	}
	return nil
}

// parseConfig validates and parses a plan's platform_config for a flavour
// of the panel.
func parseConfig(m map[string]any, flavor string) (planConfig, error) {
	var c planConfig
	if m == nil {
		return c, fmt.Errorf("platform config is empty")
	}
	if err := unknownKeys(m, "", configKeys[flavor]...); err != nil {
		return c, err
	}
	const maxInt = math.MaxInt32
	pterodactyl := flavor != FlavorPelican
	locs, err := provisioning.ParseLocations(m)
	if err != nil {
		return c, err
	}
	for _, l := range locs {
		if id, ok := toInt(l.ID); !ok || id < 1 {
			return c, fmt.Errorf("locations: %s's id must be a positive location id, got %q", l.Name, l.ID)
		}
	}
	c.Locations = locs
	if err := intField(m, "", "location_id", 1, maxInt, pterodactyl && len(locs) == 0, &c.LocationID); err != nil {
		return c, err
	}
	if pterodactyl {
		if err := intField(m, "", "nest_id", 1, maxInt, true, &c.NestID); err != nil {
			return c, err
		}
	} else if v, ok := m["node_tags"]; ok && v != nil {
		tags, err := stringList(v)
		if err != nil {
			return c, fmt.Errorf("node_tags must be a list of node tags, e.g. [\"fra\"]")
		}
		c.NodeTags = tags
	}
	eggs, err := objField(m, "eggs")
	if err != nil {
		return c, fmt.Errorf("%v (a map of game name to egg id, e.g. {\"minecraft\": 5})", err)
	}
	if len(eggs) == 0 {
		return c, fmt.Errorf("eggs must name at least one game, e.g. {\"minecraft\": 5}")
	}
	c.Eggs = map[string]int{}
	for game := range eggs {
		var id int
		if err := intField(eggs, "eggs.", game, 1, maxInt, true, &id); err != nil {
			return c, err
		}
		c.Eggs[game] = id
	}
	lim, err := objField(m, "limits")
	if err != nil {
		return c, err
	}
	if err := unknownKeys(lim, "limits.", "memory", "swap", "disk", "io", "cpu"); err != nil {
		return c, err
	}
	for _, f := range []struct {
		key      string
		min, max int
		dst      *int
	}{
		{"memory", 0, maxInt, &c.Limits.Memory},
		{"swap", -1, maxInt, &c.Limits.Swap},
		{"disk", 0, maxInt, &c.Limits.Disk},
		{"io", 10, 1000, &c.Limits.IO},
		{"cpu", 0, maxInt, &c.Limits.CPU},
	} {
		if err := intField(lim, "limits.", f.key, f.min, f.max, true, f.dst); err != nil {
			return c, err
		}
	}
	fl, err := objField(m, "feature_limits")
	if err != nil {
		return c, err
	}
	if err := unknownKeys(fl, "feature_limits.", "databases", "backups", "allocations"); err != nil {
		return c, err
	}
	c.FeatureLimits.Allocations = 1
	if err := intField(fl, "feature_limits.", "databases", 0, maxInt, true, &c.FeatureLimits.Databases); err != nil {
		return c, err
	}
	if err := intField(fl, "feature_limits.", "backups", 0, maxInt, true, &c.FeatureLimits.Backups); err != nil {
		return c, err
	}
	if err := intField(fl, "feature_limits.", "allocations", 0, maxInt, false, &c.FeatureLimits.Allocations); err != nil {
		return c, err
	}
	for _, k := range []string{"docker_image", "startup"} {
		if v, ok := m[k]; ok && v != nil {
			s, ok := v.(string)
			if !ok || strings.TrimSpace(s) == "" {
				return c, fmt.Errorf("%s must be a non-empty string", k)
			}
			if k == "docker_image" {
				c.DockerImage = s
			} else {
				c.Startup = s
			}
		}
	}
	if v, ok := m["environment"]; ok && v != nil {
		env, ok := v.(map[string]any)
		if !ok {
			return c, fmt.Errorf("environment must be an object of VARIABLE: value")
		}
		c.Environment = map[string]string{}
		for k, x := range env {
			switch y := x.(type) {
			case string:
				c.Environment[k] = y
			case float64, int, int64, bool, json.Number:
				c.Environment[k] = fmt.Sprint(y)
			default:
				return c, fmt.Errorf("environment.%s must be a string, number or boolean", k)
			}
		}
	}
	if v, ok := m["port_range"]; ok && v != nil {
		list, ok := v.([]any)
		if !ok {
			if ss, ok2 := v.([]string); ok2 {
				for _, s := range ss {
					list = append(list, s)
				}
			} else {
				return c, fmt.Errorf("port_range must be a list of strings like \"25565\" or \"25565-25600\"")
			}
		}
		for _, x := range list {
			s, ok := x.(string)
			if !ok || !validPortRange(s) {
				return c, fmt.Errorf("port_range entry %v must look like \"25565\" or \"25565-25600\"", x)
			}
			c.PortRange = append(c.PortRange, s)
		}
	}
	return c, nil
}

// stringList reads a JSON list of non-empty strings.
func stringList(v any) ([]string, error) {
	if ss, ok := v.([]string); ok {
		v = func() []any {
			out := make([]any, len(ss))
			for i, s := range ss {
				out[i] = s
			}
			return out
		}()
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("not a list")
	}
	out := make([]string, 0, len(list))
	for _, x := range list {
		s, ok := x.(string)
		if !ok || strings.TrimSpace(s) == "" {
			return nil, fmt.Errorf("not a string")
		}
		out = append(out, s)
	}
	return out, nil
}

func validPortRange(s string) bool {
	lo, hi, isRange := strings.Cut(s, "-")
	a, err := strconv.Atoi(lo)
	if err != nil || a < 1 || a > 65535 {
		return false
	}
	if !isRange {
		return true
	}
	b, err := strconv.Atoi(hi)
	return err == nil && b >= a && b <= 65535
}

// eggFor picks the egg for the customer's chosen game.
func (c planConfig) eggFor(game string) (int, error) {
	if game == "" {
		if len(c.Eggs) == 1 {
			for _, id := range c.Eggs {
				return id, nil
			}
		}
		return 0, fmt.Errorf("option \"game\" is required: one of %s", c.games())
	}
	id, ok := c.Eggs[game]
	if !ok {
		return 0, fmt.Errorf("game %q is not offered by this plan: one of %s", game, c.games())
	}
	return id, nil
}

func (c planConfig) games() string {
	var g []string
	for k := range c.Eggs {
		g = append(g, k)
	}
	sort.Strings(g)
	return strings.Join(g, ", ")
}
