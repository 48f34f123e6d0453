package provisioning

// SSHKeyInstaller is a driver that builds servers with the customer's
// saved SSH keys (CreateRequest.SSHKeys); the others are not offered keys.
type SSHKeyInstaller interface {
	InstallsSSHKeys() bool
}

// OfferedAtOrder is what a plan's order form offers beside its own
// order_options, from its platform and platform_config: the location names
// when there are several to choose from (one is simply used), and whether
// saved SSH keys can be chosen. Staff's config is checked by the driver's
// ValidateConfig; a config it refuses offers nothing here.
func OfferedAtOrder(driver Provisioner, config map[string]any) (locations []string, sshKeys bool) {
	if locs, err := ParseLocations(config); err == nil && len(locs) > 1 {
		locations = LocationNames(locs)
	}
	if k, ok := driver.(SSHKeyInstaller); ok {
		sshKeys = k.InstallsSSHKeys()
	}
	return locations, sshKeys
}
