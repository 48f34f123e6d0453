package provisioning

import (
	"fmt"
	"strconv"
	"strings"
)

// Location is one place a plan's servers can be built, as staff list it in
// the plan's platform_config "locations": the name customers choose and
// the platform's id for it (a VirtFusion hypervisor group, a Pterodactyl
// location, a SynergyCP IP group billing id).
type Location struct {
	Name string
	ID   string
}

// ParseLocations reads platform_config "locations": a list of
// {"name": "Frankfurt", "id": 3}. Absent is no list; names are unique, as
// the customer's choice is stored by name.
func ParseLocations(config map[string]any) ([]Location, error) {
	raw, ok := config["locations"]
	if !ok || raw == nil {
		return nil, nil
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, fmt.Errorf(`locations must be a list of {"name": "Frankfurt", "id": 3}, got %T`, raw)
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("locations must list at least one location, or be left out")
	}
	seen := map[string]bool{}
	out := make([]Location, 0, len(list))
	for i, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			return nil, fmt.Errorf(`locations[%d] must be an object {"name", "id"}, got %T`, i, item)
		}
		for k := range m {
			if k != "name" && k != "id" {
				return nil, fmt.Errorf("locations[%d]: unknown key %q (only name and id)", i, k)
			}
		}
		name, _ := m["name"].(string)
		name = strings.TrimSpace(name)
		if name == "" || len(name) > 60 {
			return nil, fmt.Errorf("locations[%d].name must be a name of 1 to 60 characters", i)
		}
		if seen[strings.ToLower(name)] {
			return nil, fmt.Errorf("locations: %q is listed twice", name)
		}
		seen[strings.ToLower(name)] = true
		id, ok := locationID(m["id"])
		if !ok {
			return nil, fmt.Errorf("locations[%d].id (%s) must be the platform's id: a number or a text", i, name)
		}
		out = append(out, Location{Name: name, ID: id})
	}
	return out, nil
}

func locationID(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		x = strings.TrimSpace(x)
		return x, x != ""
	case float64:
		if x != float64(int64(x)) {
			return "", false
		}
		return strconv.FormatInt(int64(x), 10), true
	case int:
		return strconv.Itoa(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	}
	return "", false
}

// LocationNames are the names customers choose from, in the plan's order.
func LocationNames(locs []Location) []string {
	names := make([]string, len(locs))
	for i, l := range locs {
		names[i] = l.Name
	}
	return names
}

// ChooseLocation is the location a server is built in: the one the
// customer chose, else the plan's first (its only one, or the default for
// an order placed before the plan offered a choice). ok is false when the
// plan lists none (the driver then uses its plan-wide setting). A choice
// the plan no longer lists is a permanent error: staff decide where the
// server goes rather than the driver guessing.
func ChooseLocation(locs []Location, chosen string) (loc Location, ok bool, err error) {
	if len(locs) == 0 {
		return Location{}, false, nil
	}
	chosen = strings.TrimSpace(chosen)
	if chosen == "" {
		return locs[0], true, nil
	}
	for _, l := range locs {
		if strings.EqualFold(l.Name, chosen) {
			return l, true, nil
		}
	}
	return Location{}, false, &Error{Permanent: true, Message: fmt.Sprintf("location %q is not offered by this plan (choose one of %s)",
		chosen, strings.Join(LocationNames(locs), ", "))}
}
