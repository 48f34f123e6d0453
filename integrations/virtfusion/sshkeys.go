package virtfusion

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/ezscale/ezscale/integrations/provisioning"
)

// sshKey is a key on a VirtFusion user (POST /ssh_keys, GET
// /ssh_keys/user/{userId}).
type sshKey struct {
	ID        int    `json:"id"`
	Name      string `json:"name"`
	PublicKey string `json:"publicKey"`
}

// ensureSSHKeys adds the keys to the user and returns their VirtFusion ids
// for the build's sshKeys. A key the user has already (an earlier attempt,
// another server) is reused rather than added twice; the lookup is best
// effort, as the contract does not show that list's response.
func (d *Driver) ensureSSHKeys(ctx context.Context, userID int, keys []provisioning.SSHKey) ([]int, error) {
	have := map[string]int{}
	var list envelope[[]sshKey]
	if err := d.c.do(ctx, http.MethodGet, fmt.Sprintf("/ssh_keys/user/%d", userID), nil, nil, &list); err == nil {
		for _, k := range list.Data {
			have[keyMaterial(k.PublicKey)] = k.ID
		}
	}
	ids := make([]int, 0, len(keys))
	for _, k := range keys {
		if id, ok := have[keyMaterial(k.PublicKey)]; ok {
			ids = append(ids, id)
			continue
		}
		var created envelope[sshKey]
		body := map[string]any{"userId": userID, "name": k.Name, "publicKey": k.PublicKey}
		if err := d.c.do(ctx, http.MethodPost, "/ssh_keys", nil, body, &created); err != nil {
			return nil, err
		}
		if created.Data.ID == 0 {
			return nil, &provisioning.Error{Status: http.StatusCreated, Message: "virtfusion: POST /ssh_keys: response has no data.id"}
		}
		have[keyMaterial(k.PublicKey)] = created.Data.ID
		ids = append(ids, created.Data.ID)
	}
	return ids, nil
}

// keyMaterial is a key's type and base64 body: the comment is no part of
// what makes two keys the same.
func keyMaterial(line string) string {
	f := strings.Fields(line)
	if len(f) < 2 {
		return line
	}
	return f[0] + " " + f[1]
}

// InstallsSSHKeys: builds take the customer's saved keys (sshKeys).
func (d *Driver) InstallsSSHKeys() bool { return true }
