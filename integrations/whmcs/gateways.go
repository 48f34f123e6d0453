package whmcs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// gatewayModules maps the WHMCS 8 payment modules we know (tblaccounts.gateway,
// tblhosting.paymentmethod) to our gateway: Stripe's and PayPal's modules
// are ours too, so their transaction ids are kept; money WHMCS only
// recorded (a bank transfer, a cheque by post) is manual here. An empty
// module is a row staff or WHMCS itself wrote (credit, a manual entry).
var gatewayModules = map[string]string{
	"stripe": "stripe", "stripe_ach": "stripe", "stripe_sepa": "stripe", "stripe_bacs": "stripe",
	"paypal": "paypal", "paypalcheckout": "paypal", "paypal_ppcpv": "paypal", "paypal_acdc": "paypal",
	"banktransfer": "manual", "mailin": "manual", "": "manual",
}

// mappableGateways are the gateways a --gateway-map may name.
var mappableGateways = []string{"stripe", "paypal", "manual"}

// GatewayMap names our gateway (stripe, paypal or manual) for WHMCS payment
// modules gatewayModules does not know, read from --gateway-map as
// {"gocardless": "manual"}; it may also override a known one.
type GatewayMap map[string]string

// ParseGatewayMap reads a --gateway-map file's content: a JSON object of
// module name to gateway. A gateway other than stripe, paypal or manual, an
// empty module name or anything but such an object is refused with the
// reason, so nothing is imported under a misspelt map.
func ParseGatewayMap(raw []byte) (GatewayMap, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	var m map[string]string
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf(`not valid: %w (want {"<WHMCS module>": "stripe" | "paypal" | "manual"})`, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("not valid: more than one JSON value")
	}
	out := make(GatewayMap, len(m))
	for module, gateway := range m {
		key := strings.ToLower(strings.TrimSpace(module))
		if key == "" {
			return nil, fmt.Errorf("an empty module name")
		}
		if !slices.Contains(mappableGateways, gateway) {
			return nil, fmt.Errorf("module %q: gateway %q is not one of %s", module, gateway, strings.Join(mappableGateways, ", "))
		}
		out[key] = gateway
	}
	return out, nil
}

// paymentGateway is our gateway for a WHMCS payment module: the map file's
// choice, else the known table's; an unknown module is imported as manual
// (its ids cannot be matched with a gateway of ours) and reported once.
func (im *importer) paymentGateway(module string) string {
	m := strings.ToLower(strings.TrimSpace(module))
	if g, ok := im.opts.GatewayMap[m]; ok {
		return g
	}
	if g, ok := gatewayModules[m]; ok {
		return g
	}
	if im.gateways == nil {
		im.gateways = map[string]int{}
	}
	im.gateways[m]++
	return "manual"
}

// reportUnknownGateways notes each unknown payment module once, with how
// many rows used it.
func (im *importer) reportUnknownGateways() {
	modules := make([]string, 0, len(im.gateways))
	for m := range im.gateways {
		modules = append(modules, m)
	}
	sort.Strings(modules)
	for _, m := range modules {
		im.report.note("gateways", m, "unknown WHMCS payment module (%d rows): imported as manual; name its gateway in --gateway-map", im.gateways[m])
	}
}
