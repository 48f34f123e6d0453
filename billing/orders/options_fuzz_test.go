package orders

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// FuzzOrderOptions reads any order_options and checks any choice of up to
// two options against them: a refusal is a 400 naming the option at
// fault; an acceptance holds exactly the options the plan asks for, each
// a valid name or one of the plan's choices, and is a fixed point (the
// stored options validate to themselves).
func FuzzOrderOptions(f *testing.F) {
	plans := []string{
		`{"hostname": true, "os": ["ubuntu-24.04", "debian-12", "rocky-9"]}`,
		`{"domain": true}`,
		`{"game": ["minecraft-java", "rust", "valheim"]}`,
		`{"hostname": true, "domain": true}`,
		`null`, ``, `{"os": []}`, `{"hostname": "yes"}`,
		`{"hostname": true, "locations": ["Frankfurt", "Los Angeles"], "ssh_keys": true}`,
		`{"locations": ["Frankfurt"]}`,
	}
	for _, p := range plans {
		f.Add([]byte(p), "hostname", "Web-1.Example.COM.", "os", "debian-12")
		f.Add([]byte(p), "domain", "xn--bcher-kva.example", "game", " rust ")
		f.Add([]byte(p), "hostname", "-bad-.example", "colour", "blue")
		f.Add([]byte(p), "domain", "localhost", "hostname", strings.Repeat("a", 64)+".example")
		f.Add([]byte(p), "location", "Los Angeles", "ssh_keys", "abc123, abc123,def456")
		f.Add([]byte(p), "location", "Paris", "ssh_keys", "not an id")
	}
	f.Fuzz(func(t *testing.T, raw []byte, k1, v1, k2, v2 string) {
		o, err := ParseOrderOptions(raw)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "order options: ") {
				t.Fatalf("error %q does not say it is the order options", err)
			}
			return
		}
		chosen := map[string]string{k1: v1, k2: v2}
		out, err := o.Validate(chosen)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Status != http.StatusBadRequest || !strings.HasPrefix(e.Field, "options.") || e.Code == "" {
				t.Fatalf("Validate(%q) refused with %#v, want a 400 naming the option", chosen, err)
			}
			return
		}
		want := map[string]bool{"hostname": o.Hostname, "domain": o.Domain, "os": len(o.OS) > 0, "game": len(o.Game) > 0,
			"location": len(o.Locations) > 1}
		for k := range chosen {
			if !want[k] && !(k == "ssh_keys" && o.SSHKeys) {
				t.Fatalf("Validate accepted option %q, which the plan %s does not take", k, raw)
			}
		}
		for k, asked := range want {
			v, ok := out[k]
			if ok != asked {
				t.Fatalf("Validate(%q) = %q: option %q present %v, asked for %v", chosen, out, k, ok, asked)
			}
			switch {
			case !ok:
			case (k == "hostname" || k == "domain") && (!validHostname(v, k == "domain") || v != strings.ToLower(v)):
				t.Fatalf("Validate stored %s %q", k, v)
			case k == "os" && !slices.Contains(o.OS, v), k == "game" && !slices.Contains(o.Game, v),
				k == "location" && !slices.Contains(o.Locations, v):
				t.Fatalf("Validate stored %s %q, not one of the plan's", k, v)
			}
		}
		// SSH keys are optional: stored only when some were chosen, as
		// distinct ids.
		if ids, ok := out["ssh_keys"]; ok {
			list := strings.Split(ids, ",")
			if !o.SSHKeys || ids == "" || len(slices.Compact(slices.Sorted(slices.Values(list)))) != len(list) {
				t.Fatalf("Validate stored ssh_keys %q for a plan with ssh_keys %v", ids, o.SSHKeys)
			}
		}
		again, err := o.Validate(out)
		if err != nil || len(again) != len(out) {
			t.Fatalf("stored options %q do not validate to themselves: %q, %v", out, again, err)
		}
		for k, v := range out {
			if again[k] != v {
				t.Fatalf("stored options %q validate to %q", out, again)
			}
		}
	})
}
