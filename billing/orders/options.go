package orders

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// OrderOptions is what a plan asks the customer to choose, from the plan's
// order_options: a hostname or domain to type, and lists to choose from.
// Locations and SSHKeys are filled from the plan's platform_config and
// platform when staff save it (provisioning.OfferedAtOrder).
type OrderOptions struct {
	Hostname  bool     `json:"hostname,omitempty"`
	Domain    bool     `json:"domain,omitempty"`
	OS        []string `json:"os,omitempty"`
	Game      []string `json:"game,omitempty"`
	Locations []string `json:"locations,omitempty"` // names, listed when there are several
	SSHKeys   bool     `json:"ssh_keys,omitempty"`  // the platform installs saved keys
}

// maxOrderSSHKeys is as many keys as an account keeps.
const maxOrderSSHKeys = 20

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
	want := map[string]bool{"hostname": o.Hostname, "domain": o.Domain, "os": len(o.OS) > 0, "game": len(o.Game) > 0,
		"location": len(o.Locations) > 1, "ssh_keys": o.SSHKeys}
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
	for _, k := range []string{"hostname", "domain", "os", "game", "location", "ssh_keys"} {
		if !want[k] {
			continue
		}
		v := strings.TrimSpace(chosen[k])
		if k == "ssh_keys" {
			// Optional: a server without keys takes the emailed password.
			ids, err := sshKeyIDs(v)
			if err != nil {
				return nil, err
			}
			if len(ids) > 0 {
				out[k] = strings.Join(ids, ",")
			}
			continue
		}
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
		case "location":
			if !slices.Contains(o.Locations, v) {
				return nil, badRequest("options.location", "invalid_choice", "%q is not offered; choose one of %s", v, strings.Join(o.Locations, ", "))
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

// sshKeyIDs reads the comma-separated key ids an order chose, each once.
func sshKeyIDs(v string) ([]string, error) {
	var ids []string
	for _, id := range strings.Split(v, ",") {
		id = strings.TrimSpace(id)
		if id == "" || slices.Contains(ids, id) {
			continue
		}
		if !recordID.MatchString(id) {
			return nil, badRequest("options.ssh_keys", "invalid_choice", "%q is not one of your SSH keys", id)
		}
		ids = append(ids, id)
	}
	if len(ids) > maxOrderSSHKeys {
		return nil, badRequest("options.ssh_keys", "too_many", "choose at most %d SSH keys", maxOrderSSHKeys)
	}
	return ids, nil
}

var recordID = regexp.MustCompile(`^[a-z0-9]{1,30}$`)

// checkSSHKeys refuses an order whose options name a key that is not one
// of the customer's own: another customer's key answers exactly like a
// missing one.
func checkSSHKeys(app core.App, customerID string, options map[string]string) error {
	ids, err := sshKeyIDs(options["ssh_keys"])
	if err != nil || len(ids) == 0 {
		return err
	}
	for _, id := range ids {
		if _, err := app.FindFirstRecordByFilter("ssh_keys", "id = {:id} && customer = {:c}", dbx.Params{"id": id, "c": customerID}); err != nil {
			return badRequest("options.ssh_keys", "not_found", "%q is not one of your SSH keys", id)
		}
	}
	return nil
}
