package orders

import "testing"

// TestLocationAndSSHKeyOptions: a location is chosen among several (one
// is simply used), and saved keys are optional ids, each once.
func TestLocationAndSSHKeyOptions(t *testing.T) {
	several := OrderOptions{OS: []string{"debian-12"}, Locations: []string{"Frankfurt", "Los Angeles"}, SSHKeys: true}
	one := OrderOptions{OS: []string{"debian-12"}, Locations: []string{"Frankfurt"}}
	noKeys := OrderOptions{OS: []string{"debian-12"}}
	many := ""
	for i := 0; i < maxOrderSSHKeys+1; i++ {
		many += "key" + string(rune('a'+i)) + ","
	}
	cases := []struct {
		name    string
		plan    OrderOptions
		chosen  map[string]string
		want    map[string]string
		errCode string
	}{
		{"location and keys", several, map[string]string{"os": "debian-12", "location": " Los Angeles ", "ssh_keys": "abc, def,abc,"},
			map[string]string{"os": "debian-12", "location": "Los Angeles", "ssh_keys": "abc,def"}, ""},
		{"keys left out", several, map[string]string{"os": "debian-12", "location": "Frankfurt"},
			map[string]string{"os": "debian-12", "location": "Frankfurt"}, ""},
		{"keys empty", several, map[string]string{"os": "debian-12", "location": "Frankfurt", "ssh_keys": " , "},
			map[string]string{"os": "debian-12", "location": "Frankfurt"}, ""},
		{"unknown location", several, map[string]string{"os": "debian-12", "location": "Paris"}, nil, "invalid_choice"},
		{"location differs in case", several, map[string]string{"os": "debian-12", "location": "frankfurt"}, nil, "invalid_choice"},
		{"location missing among several", several, map[string]string{"os": "debian-12"}, nil, "option_required"},
		{"a key id that is no id", several, map[string]string{"os": "debian-12", "location": "Frankfurt", "ssh_keys": "abc,../x"}, nil, "invalid_choice"},
		{"more keys than an account keeps", several, map[string]string{"os": "debian-12", "location": "Frankfurt", "ssh_keys": many}, nil, "too_many"},
		{"one location is not asked", one, map[string]string{"os": "debian-12"}, map[string]string{"os": "debian-12"}, ""},
		{"one location refuses a choice", one, map[string]string{"os": "debian-12", "location": "Frankfurt"}, nil, "option_not_allowed"},
		{"keys on a platform without them", noKeys, map[string]string{"os": "debian-12", "ssh_keys": "abc"}, nil, "option_not_allowed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.plan.Validate(tc.chosen)
			if tc.errCode != "" {
				oe, ok := err.(*Error)
				if !ok || oe.Code != tc.errCode {
					t.Fatalf("want %s, got %v", tc.errCode, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
		})
	}
}
