package whmcs

import (
	"reflect"
	"strings"
	"testing"
)

var testLists = catalogLists{
	platforms:    []string{"virtfusion", "synergycp", "enhance", "pterodactyl", "manual"},
	serviceTypes: []string{"vps", "dedicated", "hosting", "game_server"},
}

func TestProductKind(t *testing.T) {
	tests := []struct {
		name, servertype, group string
		override                ProductOverride
		platform, serviceType   string
	}{
		{"virtfusion", "virtfusion", "Anything", ProductOverride{}, "virtfusion", "vps"},
		{"pterodactyl", "pterodactyl", "", ProductOverride{}, "pterodactyl", "game_server"},
		{"synergycp", "synergycp", "", ProductOverride{}, "synergycp", "dedicated"},
		{"enhance", "enhance", "", ProductOverride{}, "enhance", "hosting"},
		{"module name in another case", " VirtFusion ", "", ProductOverride{}, "virtfusion", "vps"},
		{"no module, VPS group", "", "Cloud VPS", ProductOverride{}, "manual", "vps"},
		{"other module, dedicated group", "cpanel", "Bare Metal Servers", ProductOverride{}, "manual", "dedicated"},
		{"other module, game group", "multicraft", "Game Servers", ProductOverride{}, "manual", "game_server"},
		{"escaped group name", "", "Minecraft &amp; Friends", ProductOverride{}, "manual", "game_server"},
		{"no module, unknown group", "cpanel", "Shared", ProductOverride{}, "manual", "hosting"},
		{"no module, no group", "", "", ProductOverride{}, "manual", "hosting"},
		{"map overrides platform", "virtfusion", "", ProductOverride{Platform: "manual"}, "manual", "vps"},
		{"map overrides service type", "", "", ProductOverride{ServiceType: "dedicated"}, "manual", "dedicated"},
		{"map overrides both", "enhance", "", ProductOverride{Platform: "synergycp", ServiceType: "dedicated"}, "synergycp", "dedicated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, s, err := productKind(tt.servertype, tt.group, tt.override, testLists)
			if err != nil || p != tt.platform || s != tt.serviceType {
				t.Errorf("productKind = %q, %q, %v; want %q, %q", p, s, err, tt.platform, tt.serviceType)
			}
		})
	}
	if _, _, err := productKind("", "", ProductOverride{Platform: "plesk"}, testLists); err == nil {
		t.Error("a platform outside the schema's list is accepted")
	}
}

func TestValidateProductMap(t *testing.T) {
	tests := []struct {
		name string
		m    ProductMap
		want string // "" = valid
	}{
		{"empty", nil, ""},
		{"valid", ProductMap{"12": {Platform: "manual", ServiceType: "dedicated", Slug: "big-box-2"}}, ""},
		{"bad platform", ProductMap{"3": {}, "12": {Platform: "Manual"}}, `product map, product 12: platform "Manual" is not one of`},
		{"bad service type", ProductMap{"7": {ServiceType: "vps-ish"}}, `product map, product 7: service_type "vps-ish" is not one of`},
		{"slug with capitals", ProductMap{"5": {Slug: "Big-Box"}}, `product map, product 5: slug "Big-Box"`},
		{"slug with a double dash", ProductMap{"5": {Slug: "big--box"}}, `product map, product 5: slug "big--box"`},
		{"slug too long", ProductMap{"5": {Slug: strings.Repeat("a", 81)}}, `product map, product 5: slug`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := validateProductMap(tt.m, testLists)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("validateProductMap = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("validateProductMap = %v, want %q…", err, tt.want)
			}
		})
	}
}

func TestPlanStatus(t *testing.T) {
	tests := []struct {
		retired, hidden, groupHidden bool
		want                         string
	}{
		{false, false, false, "active"},
		{false, true, false, "hidden"},
		{false, false, true, "hidden"},
		{true, true, false, "archived"},
		{true, false, false, "archived"},
	}
	for _, tt := range tests {
		if got := planStatus(tt.retired, tt.hidden, tt.groupHidden); got != tt.want {
			t.Errorf("planStatus(retired %v, hidden %v, group hidden %v) = %q, want %q", tt.retired, tt.hidden, tt.groupHidden, got, tt.want)
		}
	}
}

func TestKebab(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"vpss1", 80, "vpss1"},
		{"VPS S1", 80, "vps-s1"},
		{"  E3-1240v6 Bare Metal  ", 80, "e3-1240v6-bare-metal"},
		{"Minecraft 4GB (Java) -- EU", 80, "minecraft-4gb-java-eu"},
		{"Zoë's Plan", 80, "zo-s-plan"},
		{"日本語", 80, ""},
		{"---", 80, ""},
		{"abc def", 4, "abc"},
		{"abcd efgh", 6, "abcd-e"},
	}
	for _, tt := range tests {
		if got := kebab(tt.in, tt.max); got != tt.want {
			t.Errorf("kebab(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
		if got := kebab(tt.in, tt.max); got != "" && !planSlug.MatchString(got) {
			t.Errorf("kebab(%q) = %q does not match the slug pattern", tt.in, got)
		}
	}
}

func TestAssignPlanSlugs(t *testing.T) {
	long := strings.Repeat("x", 90)
	tests := []struct {
		name     string
		products []*catalogProduct
		taken    map[string]bool
		want     []string
		err      string
	}{
		{"WHMCS slug, else name", []*catalogProduct{
			{id: 1, slug: "vpss1", name: "VPS S1"},
			{id: 2, name: "VPS &amp; More"},
			{id: 3, name: "日本"},
		}, nil, []string{"vpss1", "vps-more", "plan"}, ""},
		{"collision gets the id", []*catalogProduct{
			{id: 1, name: "Starter"}, {id: 7, name: "starter"}, {id: 9, slug: "STARTER"},
		}, nil, []string{"starter", "starter-7", "starter-9"}, ""},
		{"plan made in EZSCALE keeps its slug", []*catalogProduct{{id: 4, name: "Starter"}},
			map[string]bool{"starter": true}, []string{"starter-4"}, ""},
		{"map slug is taken first", []*catalogProduct{
			{id: 1, name: "Starter"}, {id: 2, name: "Other", override: ProductOverride{Slug: "starter"}},
		}, nil, []string{"starter-1", "starter"}, ""},
		{"long name cut with room for the id", []*catalogProduct{{id: 1, name: long}, {id: 123, name: long}},
			nil, []string{strings.Repeat("x", 80), strings.Repeat("x", 76) + "-123"}, ""},
		{"map slug twice", []*catalogProduct{
			{id: 1, override: ProductOverride{Slug: "a"}}, {id: 2, override: ProductOverride{Slug: "a"}},
		}, nil, nil, `product map, product 2: slug "a" is also given to product 1`},
		{"map slug of an EZSCALE plan", []*catalogProduct{{id: 3, override: ProductOverride{Slug: "mine"}}},
			map[string]bool{"mine": true}, nil, `product map, product 3: slug "mine" belongs to a plan made in EZSCALE`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := assignPlanSlugs(tt.products, tt.taken)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("assignPlanSlugs = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range tt.products {
				got = append(got, p.slug)
				if len(p.slug) > planSlugMax || !planSlug.MatchString(p.slug) {
					t.Errorf("product %d: slug %q is not valid", p.id, p.slug)
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("slugs %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPricingPrices(t *testing.T) {
	row := func(cur string, prices, setup [6]string) pricingRow {
		return pricingRow{id: 1, productID: 1, currency: cur, prices: prices, setup: setup}
	}
	noSetup := [6]string{"0.00", "0.00", "0.00", "0.00", "0.00", "0.00"}
	tests := []struct {
		name    string
		paytype string
		row     pricingRow
		want    []planPrice
		notes   int
		err     bool
	}{
		{"every cycle", "recurring",
			row("USD", [6]string{"5.00", "14.55", "28.50", "54.00", "102.00", "144.00"}, noSetup),
			[]planPrice{
				{"monthly", 500, 0, true}, {"quarterly", 1455, 0, true}, {"semiannual", 2850, 0, true},
				{"annual", 5400, 0, true}, {"biennial", 10200, 0, true}, {"triennial", 14400, 0, true},
			}, 0, false},
		{"disabled cycles and setup fees", "recurring",
			row("EUR", [6]string{"81.88", "238.27", "-1.00", "884.30", "-1.00", "-1.00"},
				[6]string{"45.08", "45.09", "45.10", "45.11", "0.00", "0.00"}),
			[]planPrice{{"monthly", 8188, 4508, true}, {"quarterly", 23827, 4509, true}, {"annual", 88430, 4511, true}},
			0, false},
		{"a free cycle is enabled", "recurring",
			row("GBP", [6]string{"0.00", "-1.00", "-1.00", "-1.00", "-1.00", "-1.00"}, noSetup),
			[]planPrice{{"monthly", 0, 0, true}}, 0, false},
		{"every cycle disabled", "recurring",
			row("USD", [6]string{"-1.00", "-1.00", "-1.00", "-1.00", "-1.00", "-1.00"}, noSetup), nil, 1, false},
		{"other negative price", "recurring",
			row("USD", [6]string{"-2.00", "3.00", "-1.00", "-1.00", "-1.00", "-1.00"},
				[6]string{"0.00", "-5.00", "0.00", "0.00", "0.00", "0.00"}),
			[]planPrice{{"quarterly", 300, 0, true}}, 2, false},
		{"zero-decimal currency", "recurring",
			row("JPY", [6]string{"500.00", "-1.00", "-1.00", "-1.00", "-1.00", "-1.00"}, noSetup),
			[]planPrice{{"monthly", 500, 0, true}}, 0, false},
		{"one-time", "onetime",
			row("USD", [6]string{"499.00", "-1.00", "-1.00", "-1.00", "-1.00", "-1.00"},
				[6]string{"25.00", "0.00", "0.00", "0.00", "0.00", "0.00"}),
			[]planPrice{{"monthly", 49900, 2500, false}}, 0, false},
		{"one-time not sold in this currency", "onetime",
			row("USD", [6]string{"-1.00", "-1.00", "-1.00", "-1.00", "-1.00", "-1.00"}, noSetup), nil, 0, false},
		{"free", "free",
			row("EUR", [6]string{"-1.00", "-1.00", "-1.00", "-1.00", "-1.00", "-1.00"}, noSetup),
			[]planPrice{{"monthly", 0, 0, false}}, 0, false},
		{"cents a currency cannot have", "recurring",
			row("JPY", [6]string{"500.50", "-1.00", "-1.00", "-1.00", "-1.00", "-1.00"}, noSetup), nil, 0, true},
		{"not a decimal", "recurring",
			row("USD", [6]string{"abc", "-1.00", "-1.00", "-1.00", "-1.00", "-1.00"}, noSetup), nil, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, notes, err := pricingPrices(tt.paytype, tt.row)
			if (err != nil) != tt.err {
				t.Fatalf("pricingPrices error %v, want error %v", err, tt.err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("pricingPrices = %+v, want %+v", got, tt.want)
			}
			if !tt.err && len(notes) != tt.notes {
				t.Errorf("notes %q, want %d", notes, tt.notes)
			}
		})
	}
}
