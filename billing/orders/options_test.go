package orders

import "testing"

func TestOrderOptions(t *testing.T) {
	vps := OrderOptions{Hostname: true, OS: []string{"debian-12", "ubuntu-24.04"}}
	web := OrderOptions{Domain: true}
	game := OrderOptions{Game: []string{"paper"}}
	cases := []struct {
		name    string
		plan    OrderOptions
		chosen  map[string]string
		want    map[string]string
		errCode string
	}{
		{"vps ok", vps, map[string]string{"hostname": "Web1.Example.com.", "os": "debian-12"},
			map[string]string{"hostname": "web1.example.com", "os": "debian-12"}, ""},
		{"missing os", vps, map[string]string{"hostname": "web1"}, nil, "option_required"},
		{"os not offered", vps, map[string]string{"hostname": "web1", "os": "windows"}, nil, "invalid_choice"},
		{"bad hostname", vps, map[string]string{"hostname": "-bad-.example", "os": "debian-12"}, nil, "invalid_hostname"},
		{"hostname with space", vps, map[string]string{"hostname": "a b", "os": "debian-12"}, nil, "invalid_hostname"},
		{"unknown option", vps, map[string]string{"hostname": "web1", "os": "debian-12", "ram": "64"}, nil, "option_not_allowed"},
		{"domain ok", web, map[string]string{"domain": "Example.CO.uk"}, map[string]string{"domain": "example.co.uk"}, ""},
		{"domain without tld", web, map[string]string{"domain": "localhost"}, nil, "invalid_domain"},
		{"domain numeric tld", web, map[string]string{"domain": "example.123"}, nil, "invalid_domain"},
		{"game ok", game, map[string]string{"game": "paper"}, map[string]string{"game": "paper"}, ""},
		{"no options needed", OrderOptions{}, nil, map[string]string{}, ""},
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
				t.Fatalf("got %v want %v", got, tc.want)
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("%s: got %q want %q", k, got[k], v)
				}
			}
		})
	}
}
