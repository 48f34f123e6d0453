package provisioning

// panelInternal are the credential fields drivers keep for their own later
// calls (the panel's user and server ids), not for logging in: a customer
// has no use for them and should not be shown the panel's internals.
var panelInternal = map[string]bool{
	"virtfusion_user_id": true, // VirtFusion: the panel user, for panel logins
	"identifier":         true, // Pterodactyl: the short server id, already in panel_url
	"srv_id":             true, // SynergyCP: the server id
}

// CustomerCredentials is the part of a service's stored credentials its
// customer is shown: the login without the panel-internal ids. Staff read
// the whole set.
func CustomerCredentials(creds map[string]string) map[string]string {
	out := make(map[string]string, len(creds))
	for k, v := range creds {
		if !panelInternal[k] {
			out[k] = v
		}
	}
	return out
}
