package orders

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// OrderOptions is what a plan asks the customer to choose, from the plan's
// order_options: a hostname or domain to type, and lists to choose from.
type OrderOptions struct {
	Hostname bool     `json:"hostname,omitempty"`
	Domain   bool     `json:"domain,omitempty"`
	OS       []string `json:"os,omitempty"`
	Game     []string `json:"game,omitempty"`
}

var (
	hostnameLabel = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	tld           = regexp.MustCompile(`^[a-z]{2,63}$|^xn--[a-z0-9-]{1,59}$`)
)

// ParseOrderOptions reads a plan's order_options JSON.
func ParseOrderOptions(raw []byte) (OrderOptions, error) {
	var o OrderOptions
	if len(raw) == 0 || string(raw) == "null" {
		return o, nil
	}
	if err := json.Unmarshal(raw, &o); err != nil {
		return o, fmt.Errorf("order options: %w", err)
	}
	return o, nil
}

// Validate checks what a customer chose against what the plan asks for and
// returns the options to store, normalised. Unknown options are refused so
// that a typo never silently provisions a default.
func (o OrderOptions) Validate(chosen map[string]string) (map[string]string, error) {
	out := map[string]string{}
	want := map[string]bool{"hostname": o.Hostname, "domain": o.Domain, "os": len(o.OS) > 0, "game": len(o.Game) > 0}
	keys := make([]string, 0, len(chosen))
	for k := range chosen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !want[k] {
			return nil, badRequest("options."+k, "option_not_allowed", "this plan takes no %q option", k)
		}
	}
	for _, k := range []string{"hostname", "domain", "os", "game"} {
		if !want[k] {
			continue
		}
		v := strings.TrimSpace(chosen[k])
		if v == "" {
			return nil, badRequest("options."+k, "option_required", "choose a %s", k)
		}
		switch k {
		case "hostname":
			v = strings.ToLower(strings.TrimSuffix(v, "."))
			if !validHostname(v, false) {
				return nil, badRequest("options.hostname", "invalid_hostname", "%q is not a valid hostname", chosen[k])
			}
		case "domain":
			v = strings.ToLower(strings.TrimSuffix(v, "."))
			if !validHostname(v, true) {
				return nil, badRequest("options.domain", "invalid_domain", "%q is not a valid domain name", chosen[k])
			}
		case "os":
			if !slices.Contains(o.OS, v) {
				return nil, badRequest("options.os", "invalid_choice", "%q is not offered; choose one of %s", v, strings.Join(o.OS, ", "))
			}
		case "game":
			if !slices.Contains(o.Game, v) {
				return nil, badRequest("options.game", "invalid_choice", "%q is not offered; choose one of %s", v, strings.Join(o.Game, ", "))
			}
		}
		out[k] = v
	}
	return out, nil
}

// validHostname checks RFC 1123 names; a domain also needs a dot and a
// plausible top-level label.
func validHostname(name string, domain bool) bool {
	if len(name) == 0 || len(name) > 253 {
		return false
	}
	labels := strings.Split(name, ".")
	for _, l := range labels {
		if !hostnameLabel.MatchString(l) {
			return false
		}
	}
	if domain {
		return len(labels) >= 2 && tld.MatchString(labels[len(labels)-1])
	}
	return true
}
