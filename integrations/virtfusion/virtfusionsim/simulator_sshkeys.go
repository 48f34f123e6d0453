package virtfusionsim

import (
	"fmt"
	"strconv"
	"strings"
)

// simSSHKey is a key stored on a simulated user.
type simSSHKey struct {
	ID, UserID      int
	Name, PublicKey string
}

// routeSSHKeys serves POST /ssh_keys {userId, name, publicKey} → 201 and
// GET /ssh_keys/user/{userId}.
func (s *Simulator) routeSSHKeys(method string, parts []string, body map[string]any) simResp {
	switch {
	case method == "POST" && len(parts) == 1:
		uid, _ := numField(body, "userId")
		name, _ := body["name"].(string)
		pub, _ := body["publicKey"].(string)
		var errs []string
		if s.users[uid] == nil {
			errs = append(errs, "The selected user id is invalid.")
		}
		if strings.TrimSpace(name) == "" {
			errs = append(errs, "The name field is required.")
		}
		if f := strings.Fields(pub); len(f) < 2 || !strings.HasPrefix(f[0], "ssh-") && !strings.HasPrefix(f[0], "ecdsa-") {
			errs = append(errs, "The public key is invalid.")
		}
		if len(errs) > 0 {
			return invalid(errs...)
		}
		k := &simSSHKey{ID: len(s.sshKeys) + 1, UserID: uid, Name: name, PublicKey: pub}
		s.sshKeys = append(s.sshKeys, k)
		return simResp{201, map[string]any{"data": sshKeyJSON(k)}}
	case method == "GET" && len(parts) == 3 && parts[1] == "user":
		uid, err := strconv.Atoi(parts[2])
		if err != nil || s.users[uid] == nil {
			return notFound("user not found")
		}
		list := []map[string]any{}
		for _, k := range s.sshKeys {
			if k.UserID == uid {
				list = append(list, sshKeyJSON(k))
			}
		}
		return simResp{200, map[string]any{"data": list}}
	}
	return notFound("route not found")
}

func sshKeyJSON(k *simSSHKey) map[string]any {
	return map[string]any{"id": k.ID, "name": k.Name, "publicKey": k.PublicKey, "enabled": true}
}

// buildSSHKeys checks a build's sshKeys: ids of keys of the server's owner.
func (s *Simulator) buildSSHKeys(sv *simServer, raw any) ([]int, string) {
	if raw == nil {
		return nil, ""
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, "The ssh keys must be an array."
	}
	var ids []int
	for _, v := range list {
		id, ok := toInt(v)
		if !ok || id < 1 || id > len(s.sshKeys) || s.sshKeys[id-1].UserID != sv.OwnerID {
			return nil, fmt.Sprintf("The selected ssh key %v is invalid.", v)
		}
		ids = append(ids, id)
	}
	return ids, ""
}

// ServerSSHKeys returns the public keys a server was built with, and the
// hypervisor group it was created in, for tests; ok is false if the server
// does not exist.
func (s *Simulator) ServerSSHKeys(id int) (keys []string, group int, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sv, ok := s.servers[id]
	if !ok {
		return nil, 0, false
	}
	for _, k := range sv.SSHKeys {
		keys = append(keys, s.sshKeys[k-1].PublicKey)
	}
	return keys, sv.GroupID, true
}
